import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/lib/package-root';
import { deletePrefix, uniquePrefix } from '../../helpers/redis';
import { signedHeaders, TEST_SECRET, webhookBody } from '../../helpers/webhook';

/** `vigie serve` as an operator runs it: the built CLI in its own process (built by `npm test`). */
describe('vigie serve process', () => {
  const cli = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const prefix = uniquePrefix('serve');
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  let dataDir: string;
  let child: ChildProcess;
  let output = '';

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-serve-'));
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await deletePrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>) => {
    child = spawn(process.execPath, [cli, 'serve'], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, QUEUE_PREFIX: prefix, PORT: String(port), SCORERS: 'lexicon', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  };

  // Generous: PGlite start-up, migrations and the demo ingestion take seconds on a loaded 2-core machine.
  const waitForHealth = async () => {
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`serve did not become ready:\n${output}`);
  };

  const loginOverHttp = async (name: string, password: string): Promise<string> => {
    const form = await fetch(`http://127.0.0.1:${port}/login`);
    const pre = /vigie_pre=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1];
    const res = await fetch(`http://127.0.0.1:${port}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `vigie_pre=${pre}` },
      body: new URLSearchParams({ _csrf: pre, name, password }),
    });
    expect(res.status).toBe(303);
    return /vigie_sid=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
  };

  it('serves the demo thread, takes a signed webhook, and shuts down in order on SIGTERM', async () => {
    const exited = start({ WEBHOOK_SECRET: TEST_SECRET, LOG_LEVEL: 'debug', VIGIE_DEMO: '1' });
    await waitForHealth();

    const raw = JSON.stringify(webhookBody({ id: 'proc-1', text: 'Retournez à l’école, bande de charlots !' }));
    const res = await fetch(`http://127.0.0.1:${port}/api/comments`, { method: 'POST', headers: signedHeaders(raw), body: raw });
    expect(res.status).toBe(202);

    // The dashboard needs a login: the first start created `admin` and printed its password once.
    const password = /Password \(shown once\): (\S+)/.exec(output)?.[1];
    expect(password).toBeDefined();
    const cookie = await loginOverHttp('admin', password!);
    let page = '';
    for (let i = 0; i < 100 && !page.includes('bande de charlots !'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      page = await (await fetch(`http://127.0.0.1:${port}/`, { headers: { Cookie: cookie } })).text();
    }
    expect(page).toContain('bande de charlots !');
    expect(page).toContain('petit sous-développé');
    // `vigie serve` scores on a thread unless WORKER_SCORING_THREADS says otherwise.
    expect(output).toMatch(/"threads":1[^\n]*"msg":"scoring on worker threads"/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const closed = [...output.matchAll(/"closer":"([^"]+)"[^\n]*"msg":"closed"/g)].map((m) => m[1]);
    expect(closed).toEqual(['live updates', 'http', 'workers', 'queues', 'redis', 'database']);
  }, 120_000);

  it('refuses to start with a bad variable, naming it', async () => {
    const exited = start({ PORT: 'not-a-port' });
    expect(await exited).toBe(2);
    expect(output).toMatch(/PORT: .*not-a-port/);
  });

  it('explains how to start Redis when it is unreachable', async () => {
    output = '';
    const exited = start({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await exited).toBe(3);
    expect(output).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(output).toContain('docker compose up -d redis');
  });
});
