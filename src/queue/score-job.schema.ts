import { z } from 'zod';

export const scoreJobSchema = z.object({
  commentId: z.string().min(1),
  textHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export type ScoreJob = z.infer<typeof scoreJobSchema>;

/**
 * Same comment + same text = same job id, so a comment enqueued twice (webhook retry, sweeper)
 * is queued once. BullMQ forbids ':' in custom ids.
 */
export function scoreJobId(job: ScoreJob, purpose: 'live' | 'rescore' = 'live'): string {
  return `${purpose}-${job.commentId}-${job.textHash.slice(0, 16)}`;
}
