import type { Queue } from 'bullmq';
import { PRIORITY } from './names';
import { notifyJobId, type NotifyJob } from './notify-job.schema';
import { scoreJobId, type ScoreJob } from './score-job.schema';

export const SCORE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
} as const;

/**
 * BullMQ waits for a connection that has never been ready instead of failing; a caller holding
 * an HTTP request open must get an answer, so enqueueing gives up after this long.
 */
export const ENQUEUE_TIMEOUT_MS = 2_000;

export class EnqueueTimeoutError extends Error {
  constructor() {
    super(`Redis did not accept the jobs within ${ENQUEUE_TIMEOUT_MS} ms`);
    this.name = 'EnqueueTimeoutError';
  }
}

export async function enqueueScore(queue: Queue, jobs: ScoreJob[], priority: keyof typeof PRIORITY = 'live'): Promise<void> {
  if (jobs.length === 0) return;
  const purpose = priority === 'live' ? 'live' : 'rescore';
  const adding = queue.addBulk(
    jobs.map((data) => ({
      name: 'score',
      data,
      opts: { ...SCORE_JOB_OPTIONS, jobId: scoreJobId(data, purpose), priority: PRIORITY[priority] },
    })),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new EnqueueTimeoutError()), ENQUEUE_TIMEOUT_MS);
  });
  // If Redis comes back later the abandoned add may still land; job ids make that harmless.
  adding.catch(() => undefined);
  try {
    await Promise.race([adding, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const NOTIFY_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3_600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3_600 },
} as const;

export async function enqueueNotify(queue: Queue, job: NotifyJob): Promise<void> {
  await queue.add('notify', job, { ...NOTIFY_JOB_OPTIONS, jobId: notifyJobId(job) });
}
