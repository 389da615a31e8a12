import type IORedis from 'ioredis';

/** Who has a comment open: a short TTL so a closed tab disappears by itself. */
export interface Presence {
  /** Records `name` on `commentId` and returns everyone currently there. */
  beat(commentId: string, name: string): Promise<string[]>;
  leave(commentId: string, name: string): Promise<string[]>;
  namesFor(commentIds: string[]): Promise<Record<string, string[]>>;
}

export const PRESENCE_TTL_MS = 30_000;

export function memoryPresence(ttlMs = PRESENCE_TTL_MS): Presence {
  const seen = new Map<string, Map<string, number>>();
  const live = (commentId: string) => {
    const entries = seen.get(commentId);
    if (!entries) return [];
    const now = Date.now();
    for (const [name, until] of entries) if (until <= now) entries.delete(name);
    if (entries.size === 0) seen.delete(commentId);
    return [...entries.keys()].sort();
  };
  return {
    beat: async (commentId, name) => {
      const entries = seen.get(commentId) ?? new Map<string, number>();
      entries.set(name, Date.now() + ttlMs);
      seen.set(commentId, entries);
      return live(commentId);
    },
    leave: async (commentId, name) => {
      seen.get(commentId)?.delete(name);
      return live(commentId);
    },
    namesFor: async (ids) => Object.fromEntries(ids.map((id) => [id, live(id)]).filter(([, names]) => names.length > 0)),
  };
}

/** Shared across API processes: one sorted set per comment, member = moderator, score = expiry. */
export function redisPresence(redis: IORedis, prefix: string, ttlMs = PRESENCE_TTL_MS): Presence {
  const key = (id: string) => `${prefix}:vigie:presence:${id}`;
  const read = async (id: string) => {
    const now = Date.now();
    const [, names] = (await redis.multi().zremrangebyscore(key(id), '-inf', now).zrangebyscore(key(id), now, '+inf').exec()) ?? [];
    return ((names?.[1] as string[]) ?? []).sort();
  };
  return {
    beat: async (commentId, name) => {
      await redis.multi().zadd(key(commentId), Date.now() + ttlMs, name).pexpire(key(commentId), ttlMs * 2).exec();
      return read(commentId);
    },
    leave: async (commentId, name) => {
      await redis.zrem(key(commentId), name);
      return read(commentId);
    },
    namesFor: async (ids) => {
      if (ids.length === 0) return {};
      const now = Date.now();
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.zrangebyscore(key(id), now, '+inf');
      const results = (await pipeline.exec()) ?? [];
      const out: Record<string, string[]> = {};
      results.forEach(([, names], i) => {
        if (Array.isArray(names) && names.length > 0) out[ids[i]] = (names as string[]).sort();
      });
      return out;
    },
  };
}
