import { z } from 'zod';

export const notifyJobSchema = z.object({
  commentId: z.string().min(1),
  decisionId: z.string().min(1),
});

export type NotifyJob = z.infer<typeof notifyJobSchema>;

/** One notification per decision row, however often it is enqueued. */
export const notifyJobId = (job: NotifyJob): string => `notify-${job.decisionId}`;
