import path from 'node:path';
import { packageRoot } from '../../lib/package-root';

export function defaultModelDir(): string {
  return path.join(packageRoot(), 'models', 'vigie-fr-en');
}
