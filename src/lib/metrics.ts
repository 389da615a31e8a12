import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';

export interface Metrics {
  registry: Registry;
  scoringLatency: Histogram<string>;
  batchSize: Histogram<string>;
  decisions: Counter<'decision'>;
  flags: Counter<'label'>;
  modelLoadSeconds: Gauge<'model'>;
  /** Queue depths are read from Redis when Prometheus scrapes, not kept in memory. */
  watchQueues(queues: Queue[]): void;
}

const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigie_' });
  const watched: Queue[] = [];
  new Gauge({
    name: 'vigie_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of watched) {
        try {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        } catch {
          // Redis down: the gauge is simply absent for this scrape.
        }
      }
    },
  });
  return {
    registry,
    scoringLatency: new Histogram({
      name: 'vigie_scoring_batch_seconds',
      help: 'Time to score one micro-batch (all scorers + triage)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'vigie_scoring_batch_size',
      help: 'Comments per micro-batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    decisions: new Counter({ name: 'vigie_decisions_total', help: 'Machine decisions by outcome', labelNames: ['decision'], registers: [registry] }),
    flags: new Counter({ name: 'vigie_flags_total', help: 'Labels that crossed a threshold', labelNames: ['label'], registers: [registry] }),
    modelLoadSeconds: new Gauge({ name: 'vigie_model_load_seconds', help: 'Time to load the scoring engine', labelNames: ['model'], registers: [registry] }),
    watchQueues(queues) {
      watched.push(...queues);
    },
  };
}
