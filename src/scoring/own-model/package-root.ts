import { existsSync } from 'node:fs';
import path from 'node:path';

/** The nearest folder above `from` holding package.json: the repo under ts-jest, the package from dist/. */
export function findPackageRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

export function defaultModelDir(): string {
  return path.join(findPackageRoot(), 'models', 'vigie-fr-en');
}
