import { Command, Option } from 'commander';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { ROLES, type Role } from '../auth/roles';
import { randomToken, sha256 } from '../auth/secrets';
import type { Database } from '../store/database';
import { createApiToken, createUser, disableUser, listUsers, USER_NAME_PATTERN } from '../store/users.repository';
import { CliError, EXIT, openBase, openStore } from './runtime';

/** Adds an account; returns the password when it was generated (to print once). */
export async function addUser(db: Database, input: { name: string; role: Role; password?: string }): Promise<{ generated: string | null }> {
  if (!USER_NAME_PATTERN.test(input.name)) throw new CliError(`invalid user name "${input.name}" (letters, digits, . _ -)`, EXIT.usage);
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new CliError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`, EXIT.usage);
  }
  const password = input.password ?? generatePassword();
  try {
    await createUser(db, { name: input.name, role: input.role, passwordHash: await hashPassword(password) });
  } catch (err) {
    if (/unique|duplicate/i.test((err as Error).message)) throw new CliError(`user "${input.name}" already exists`, EXIT.failure);
    throw err;
  }
  return { generated: input.password === undefined ? password : null };
}

/** A bearer token for the read API: printed once, stored as SHA-256. */
export async function issueApiToken(db: Database, name: string): Promise<string> {
  const token = `vgt_${randomToken(32)}`;
  await createApiToken(db, { name, tokenHash: sha256(token) });
  return token;
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

async function withStore(work: (db: Database) => Promise<void>): Promise<void> {
  const base = openBase({ logsTo: 'stderr' });
  const db = await openStore(base);
  try {
    await work(db);
  } finally {
    await db.close();
  }
}

export function usersCommand(): Command {
  const users = new Command('users').description('Manage dashboard accounts and API tokens');
  users
    .command('add')
    .description('Create an account; the password is read from stdin with --password-stdin, else generated and printed once')
    .argument('<name>', 'login name')
    .addOption(new Option('--role <role>', 'moderator or admin').choices([...ROLES]).default('moderator'))
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (name: string, options: { role: Role; passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      await withStore(async (db) => {
        const { generated } = await addUser(db, { name, role: options.role, password });
        process.stdout.write(`user ${name} (${options.role}) created\n`);
        if (generated) process.stdout.write(`password (shown once): ${generated}\n`);
      });
    });
  users
    .command('list')
    .description('List accounts')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(async (db) => {
        const all = await listUsers(db);
        if (options.json) process.stdout.write(JSON.stringify(all) + '\n');
        else for (const u of all) process.stdout.write(`${u.name}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.createdAt}\n`);
      });
    });
  users
    .command('disable')
    .description('Disable an account and end its sessions')
    .argument('<name>')
    .action(async (name: string) => {
      await withStore(async (db) => {
        if (!(await disableUser(db, name))) throw new CliError(`no user "${name}"`, EXIT.failure);
        process.stdout.write(`user ${name} disabled\n`);
      });
    });
  users
    .command('token')
    .description('Create an API bearer token (for the CMS or operators); printed once')
    .argument('<label>', 'what the token is for, e.g. cms')
    .action(async (label: string) => {
      await withStore(async (db) => {
        const token = await issueApiToken(db, label);
        process.stdout.write(`token for ${label} (shown once): ${token}\n`);
      });
    });
  return users;
}
