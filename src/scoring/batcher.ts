export interface MicroBatcherOptions<I, O> {
  maxBatchSize: number;
  /** How long the first item of a batch may wait for company. */
  maxWaitMs: number;
  /** One call per batch; must return one output per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /**
   * Batches that may run at once (default 1). More than one lets a batch be scored elsewhere (a
   * scoring thread) while this thread reads and writes the next one.
   */
  maxConcurrentBatches?: number;
}

export interface MicroBatcher<I, O> {
  submit(item: I): Promise<O>;
  /** Runs everything pending now; resolves once those batches have finished. */
  flush(): Promise<void>;
  /** Refuses new items, then flushes. */
  close(): Promise<void>;
}

interface Pending<I, O> {
  item: I;
  resolve(output: O): void;
  reject(err: unknown): void;
}

/**
 * Lets I/O callbacks and, from the next loop turn, due timers (BullMQ lock renewal) run between
 * CPU-bound steps; await it between chunks of work.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Gathers items from concurrent callers into one `run` call, started when the batch is full or
 * maxWaitMs after its first item. At most maxConcurrentBatches (default one) run at a time: items
 * arriving meanwhile form the next batch, so a busy worker makes few large model calls instead of
 * many small ones.
 */
export function createMicroBatcher<I, O>(options: MicroBatcherOptions<I, O>): MicroBatcher<I, O> {
  const { maxBatchSize, maxWaitMs, run } = options;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError('maxBatchSize must be a positive integer');
  if (!(maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be >= 0');
  if (!Number.isInteger(maxConcurrentBatches) || maxConcurrentBatches < 1) throw new RangeError('maxConcurrentBatches must be a positive integer');

  const pending: Pending<I, O>[] = [];
  let timer: NodeJS.Timeout | undefined;
  const running = new Set<Promise<void>>();
  let closed = false;

  function scheduleNext(): void {
    if (running.size >= maxConcurrentBatches || pending.length === 0) return;
    if (pending.length >= maxBatchSize) {
      startBatch();
    } else {
      timer ??= setTimeout(startBatch, maxWaitMs);
    }
  }

  function startBatch(): void {
    clearTimeout(timer);
    timer = undefined;
    if (running.size >= maxConcurrentBatches || pending.length === 0) return;
    const batch: Promise<void> = runBatch(pending.splice(0, maxBatchSize)).finally(() => {
      running.delete(batch);
      // Items that queued up during the run have waited long enough: run them straight away.
      if (pending.length > 0) startBatch();
    });
    running.add(batch);
    // A free slot and a full batch still waiting (a burst): start it too.
    if (pending.length >= maxBatchSize) startBatch();
  }

  async function runBatch(batch: Pending<I, O>[]): Promise<void> {
    try {
      const outputs = await run(batch.map((entry) => entry.item));
      if (!Array.isArray(outputs) || outputs.length !== batch.length) {
        throw new Error(`batch run returned ${Array.isArray(outputs) ? outputs.length : 'no'} outputs for ${batch.length} items`);
      }
      batch.forEach((entry, i) => entry.resolve(outputs[i]));
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    }
    await yieldToEventLoop();
  }

  async function flush(): Promise<void> {
    while (running.size > 0 || pending.length > 0) {
      if (running.size < maxConcurrentBatches) startBatch();
      await Promise.all(running);
    }
  }

  return {
    submit(item) {
      if (closed) return Promise.reject(new Error('micro-batcher is closed'));
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        scheduleNext();
      });
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
