import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';

/**
 * WEBHOOK_SECRET from the environment, else one generated on first start and kept in DATA_DIR,
 * so a newcomer can sign test posts without configuring anything.
 */
export function resolveWebhookSecret(config: Config, logger: Logger): string {
  if (config.WEBHOOK_SECRET) return config.WEBHOOK_SECRET;
  const file = path.resolve(config.DATA_DIR, 'webhook-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
  logger.warn({ file }, 'WEBHOOK_SECRET not set: generated one; sign CMS webhook posts with the secret in this file');
  return secret;
}
