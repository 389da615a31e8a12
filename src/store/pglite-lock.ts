import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite is a single-process database: two processes opening the same folder corrupt it.
 * A pid file makes the second one stop with an explanation instead.
 */
export function acquirePgliteLock(dir: string): () => void {
  const file = path.join(dir, 'vigie.pid');
  try {
    const holder = Number(fs.readFileSync(file, 'utf8').trim());
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${holder}. ` +
          'PGlite serves one process only: stop that process, or set DATABASE_URL to a PostgreSQL server to run several.',
      );
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
