import { z } from 'zod';

export const scoreJobSchema = z.object({
  commentId: z.string().min(1),
  textHash: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * Set by `vigie rescore`: names the target model and policy, so a rescore after a policy change
   * gets fresh job ids instead of colliding with the previous rescore's retained jobs.
   */
  runId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});

export type ScoreJob = z.infer<typeof scoreJobSchema>;

/**
 * Same comment + same text = same job id, so a comment enqueued twice (webhook retry, sweeper)
 * is queued once. BullMQ forbids ':' in custom ids.
 */
export function scoreJobId(job: ScoreJob, purpose: 'live' | 'rescore' = 'live'): string {
  if (job.runId) return `${purpose}-${job.runId}-${job.commentId}-${job.textHash.slice(0, 16)}`;
  return `${purpose}-${job.commentId}-${job.textHash.slice(0, 16)}`;
}
