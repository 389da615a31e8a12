import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import type { Logger } from '../src/lib/logger';
import { loadDecisionNotification, markNotified } from '../src/notify/decision-payload';
import { postDecision } from '../src/notify/post-decision';
import { QUEUE_NAMES } from '../src/queue/names';
import { notifyJobSchema, type NotifyJob } from '../src/queue/notify-job.schema';
import type { Database } from '../src/store/database';

export interface NotifyWorkerOptions {
  connection: IORedis;
  db: Database;
  logger: Logger;
  prefix: string;
  callbackUrl: string;
  secret: string;
  concurrency?: number;
  fetchImpl?: typeof fetch;
}

export type NotifyOutcome = 'sent' | 'already-sent' | 'superseded';

/** Posts each decision to the CMS once; retried with backoff by the queue. */
export function createNotifyWorker(options: NotifyWorkerOptions): Worker<NotifyJob, NotifyOutcome> {
  const processNotifyJob = async (job: Job<NotifyJob, NotifyOutcome>): Promise<NotifyOutcome> => {
    const parsed = notifyJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid notify job payload');
    const log = options.logger.child({ jobId: job.id, commentId: parsed.data.commentId, attempt: job.attemptsMade + 1 });
    const loaded = await loadDecisionNotification(options.db, parsed.data.decisionId);
    if (!loaded) throw new UnrecoverableError(`decision ${parsed.data.decisionId} does not exist`);
    if (loaded.notifiedAt) return 'already-sent';
    // A decision replaced before we could send it (moderator acted, text edited) is not news to the CMS.
    if (!loaded.isCurrent) return 'superseded';
    await postDecision(options.callbackUrl, options.secret, loaded.notification, options.fetchImpl);
    await markNotified(options.db, parsed.data.decisionId);
    log.info({ decision: loaded.notification.decision }, 'decision sent to CMS');
    return 'sent';
  };
  const worker = new Worker<NotifyJob, NotifyOutcome>(QUEUE_NAMES.notify, processNotifyJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 8,
    autorun: false,
  });
  worker.on('error', (err) => options.logger.error({ err }, 'notify worker error'));
  worker.on('failed', (job, err) =>
    options.logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'CMS notification failed'),
  );
  return worker;
}
