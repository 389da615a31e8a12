import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import type { Decision } from '../../domain/decision';
import type { Logger } from '../../lib/logger';
import { closeRedisConnection } from '../../queue/connection';
import { QUEUE_NAMES } from '../../queue/names';
import type { Database } from '../../store/database';
import { getModerationItems } from '../../store/moderation.repository';
import { memoryPresence, redisPresence, type Presence } from './presence';

/** What a dashboard needs to add a newly flagged comment to its list without reloading. */
export interface FlaggedComment {
  id: string;
  decision: Decision;
  severity: number | null;
  topLabel: string | null;
  author: string | null;
  text: string;
  articleTitle: string | null;
  language: string | null;
  siteId: string;
}

export type LiveEvent =
  | { type: 'flagged'; comment: FlaggedComment }
  | { type: 'action'; action: string; actor: string; ids: string[] }
  | { type: 'presence'; commentId: string; names: string[] };

export interface LiveHub {
  readonly presence: Presence;
  /** Delivers to this process's listeners and, with Redis, to every other API process. */
  publish(event: LiveEvent): void;
  /** `onClose` runs when the hub closes (shutdown), so open event streams can end and let the server stop. */
  subscribe(listener: (event: LiveEvent) => void, onClose?: () => void): () => void;
  close(): Promise<void>;
}

const TEXT_PREVIEW = 600;
/** How long a flagged comment waits for others to be looked up with it. */
const FLAGGED_LOOKUP_DELAY_MS = 20;
/** scoreJobId(job, 'live') without a run id: `live-<comment id>-<16 hex of the text hash>`. */
const LIVE_JOB_ID = /^live-(.+)-[0-9a-f]{16}$/;

/** One process, no Redis: moderator actions and presence stay local; no score events. */
export function createLocalHub(): LiveHub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    presence: memoryPresence(),
    publish: (event) => emitter.emit('event', event),
    subscribe: (listener, onClose) => subscribeTo(emitter, listener, onClose),
    close: async () => {
      emitter.emit('close');
      emitter.removeAllListeners();
    },
  };
}

function subscribeTo(emitter: EventEmitter, listener: (event: LiveEvent) => void, onClose?: () => void): () => void {
  emitter.on('event', listener);
  if (onClose) emitter.on('close', onClose);
  return () => {
    emitter.off('event', listener);
    if (onClose) emitter.off('close', onClose);
  };
}

export interface RedisHubOptions {
  redisUrl: string;
  queuePrefix: string;
  db: Database;
  logger: Logger;
}

/**
 * Score workers may run on other machines, so flagged comments are learnt from BullMQ's
 * QueueEvents on the score queue; moderator actions and presence travel over Redis pub/sub.
 */
export async function createRedisHub(options: RedisHubOptions): Promise<LiveHub> {
  const origin = randomUUID();
  const channel = `${options.queuePrefix}:vigie:live`;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const log = options.logger.child({ component: 'live-hub' });
  const publisher = new IORedis(options.redisUrl, { maxRetriesPerRequest: 1 });
  const subscriber = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
  const eventsConnection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
  for (const c of [publisher, subscriber, eventsConnection]) c.on('error', (err) => log.debug({ err: err.message }, 'redis error'));

  subscriber.on('message', (_channel, message) => {
    try {
      const { from, event } = JSON.parse(message) as { from: string; event: LiveEvent };
      if (from !== origin) emitter.emit('event', event);
    } catch (err) {
      log.warn({ err }, 'bad live message');
    }
  });
  await subscriber.subscribe(channel);

  const queueEvents = new QueueEvents(QUEUE_NAMES.score, { connection: eventsConnection, prefix: options.queuePrefix });
  queueEvents.on('error', (err) => log.debug({ err: err.message }, 'queue events error'));
  // Flagged comments are looked up together: one query for what a burst of completions flagged.
  const flaggedIds = new Set<string>();
  let lookupTimer: NodeJS.Timeout | undefined;
  const announceFlagged = async (ids: string[]) => {
    for (const item of await getModerationItems(options.db, ids)) {
      if (!item.decision) continue;
      // Every API process hears QueueEvents itself, so this stays local (no re-publish).
      emitter.emit('event', {
        type: 'flagged',
        comment: {
          id: item.id,
          decision: item.decision,
          severity: item.severity,
          topLabel: item.topLabel,
          author: item.author,
          text: item.text.slice(0, TEXT_PREVIEW),
          articleTitle: item.articleTitle ?? item.articleUrl,
          language: item.language,
          siteId: item.siteId,
        },
      } satisfies LiveEvent);
    }
  };
  queueEvents.on('completed', ({ jobId, returnvalue }) => {
    // Nobody is watching a dashboard from this process: nothing to look up.
    if (emitter.listenerCount('event') === 0) return;
    const result = returnvalue as unknown as { outcome?: string; decision?: Decision } | null;
    if (result?.outcome !== 'saved' || (result.decision !== 'review' && result.decision !== 'reject')) return;
    // Only live comments: a batch rescore of the whole store must not flood every dashboard.
    const commentId = LIVE_JOB_ID.exec(jobId)?.[1];
    if (!commentId) return;
    flaggedIds.add(commentId);
    lookupTimer ??= setTimeout(() => {
      lookupTimer = undefined;
      const ids = [...flaggedIds];
      flaggedIds.clear();
      announceFlagged(ids).catch((err) => log.warn({ err, comments: ids.length }, 'could not announce scored comments'));
    }, FLAGGED_LOOKUP_DELAY_MS);
  });
  await queueEvents.waitUntilReady();

  return {
    presence: redisPresence(publisher, options.queuePrefix),
    publish: (event) => {
      emitter.emit('event', event);
      publisher.publish(channel, JSON.stringify({ from: origin, event })).catch((err) => log.warn({ err }, 'live publish failed'));
    },
    subscribe: (listener, onClose) => subscribeTo(emitter, listener, onClose),
    close: async () => {
      clearTimeout(lookupTimer);
      emitter.emit('close');
      emitter.removeAllListeners();
      await queueEvents.close().catch(() => undefined);
      for (const connection of [subscriber, publisher, eventsConnection]) await closeRedisConnection(connection);
    },
  };
}
