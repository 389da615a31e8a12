export const QUEUE_NAMES = {
  score: 'score',
  notify: 'notify',
} as const;

/** BullMQ runs lower numbers first: live comments overtake batch rescoring. */
export const PRIORITY = {
  live: 1,
  batch: 10,
} as const;
