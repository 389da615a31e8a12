import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/lib/package-root';

export const CLI = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

export interface VigieProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs the built CLI (npm test builds dist/ first) with only the environment given (and Node flags such as --cpu-prof). */
export function spawnVigie(args: string[], env: Record<string, string>, nodeArgs: string[] = []): VigieProcess {
  let output = '';
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends `signal` and resolves with the exit code and how long the process took to exit; rejects past timeoutMs. */
export async function signalAndWait(
  proc: VigieProcess,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  proc.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no exit ${timeoutMs} ms after ${signal}:\n${proc.output()}`)), timeoutMs);
  });
  try {
    const code = await Promise.race([proc.exited, timeout]);
    return { code, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
