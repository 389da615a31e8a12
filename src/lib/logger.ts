import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths never written to logs: secrets, credentials and comment bodies (reader text is personal
 * data and attacker-controlled; we log ids and scores instead).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-vigie-signature"]',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
  'token',
  '*.token',
  'text',
  '*.text',
  'comment.text',
  'body',
  '*.body',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything; for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
