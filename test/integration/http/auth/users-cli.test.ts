import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { usersCommand } from '../../../../src/cli/users.command';
import { openDatabase } from '../../../../src/store/database';
import { findApiToken, findUserForLogin } from '../../../../src/store/users.repository';
import { sha256 } from '../../../../src/auth/secrets';
import { verifyPassword } from '../../../../src/auth/password';

describe('vigie users', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-users-'));
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: process.env.LOG_LEVEL };
  let out = '';
  let write: jest.SpyInstance;

  beforeAll(() => {
    process.env.DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    process.env.LOG_LEVEL = 'silent';
    write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
  });

  afterAll(() => {
    write.mockRestore();
    Object.assign(process.env, saved);
    if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    out = '';
    await usersCommand().exitOverride().parseAsync(args, { from: 'user' });
    return out;
  };

  it('adds, lists, disables accounts and issues API tokens printed once', async () => {
    const added = await run('add', 'zoe', '--role', 'admin');
    const password = /password \(shown once\): (\S+)/.exec(added)?.[1];
    expect(password).toHaveLength(20);
    expect(await run('list')).toMatch(/^zoe\tadmin\tactive/m);
    await expect(run('add', 'zoe')).rejects.toThrow(/already exists/);
    await expect(run('add', 'bad name!')).rejects.toThrow(/invalid user name/);
    const token = /shown once\): (vgt_\S+)/.exec(await run('token', 'cms'))?.[1];
    expect(token).toBeDefined();
    expect(await run('disable', 'zoe')).toContain('disabled');

    const db = await openDatabase({ dataDir });
    try {
      const zoe = await findUserForLogin(db, 'zoe');
      expect(zoe?.disabled).toBe(true);
      expect(await verifyPassword(password!, zoe!.passwordHash)).toBe(true);
      expect(await findApiToken(db, sha256(token!))).toMatchObject({ name: 'cms' });
    } finally {
      await db.close();
    }
  }, 60_000);
});
