import IORedis, { type RedisOptions } from 'ioredis';
import { redactUrl } from '../lib/redact-url';

/**
 * Producers (the API) must fail fast when Redis is down so the caller gets a 503 instead of a
 * request that hangs while ioredis queues commands offline.
 */
export function createProducerConnection(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: false,
    ...extra,
  });
}

/** BullMQ workers need blocking commands that wait out reconnections. */
export function createWorkerConnection(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, ...extra });
}

/** Resolves when Redis answers PING, or rejects with a message naming the URL. */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<void> {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  } finally {
    client.disconnect();
  }
}

/**
 * QUIT, or just drop the socket when there is none to send it on: a connection that never became
 * ready (nothing was queued) or was lost makes `quit()` throw, and the closers after it must run.
 */
export async function closeRedisConnection(connection: IORedis): Promise<void> {
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
