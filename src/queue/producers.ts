import type { Queue } from 'bullmq';
import { PRIORITY } from './names';
import { scoreJobId, type ScoreJob } from './score-job.schema';

export const SCORE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
} as const;

export async function enqueueScore(queue: Queue, jobs: ScoreJob[], priority: keyof typeof PRIORITY = 'live'): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(
    jobs.map((data) => ({
      name: 'score',
      data,
      opts: { ...SCORE_JOB_OPTIONS, jobId: scoreJobId(data, priority === 'live' ? 'live' : 'rescore'), priority: PRIORITY[priority] },
    })),
  );
}
