import { createMicroBatcher, yieldToEventLoop } from '../../../src/scoring/batcher';

const double = (items: number[]) => Promise.resolve(items.map((n) => n * 2));

describe('createMicroBatcher', () => {
  afterEach(() => jest.useRealTimers());

  it('runs one call as soon as the batch is full', async () => {
    const run = jest.fn(double);
    const batcher = createMicroBatcher({ maxBatchSize: 3, maxWaitMs: 60_000, run });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([2, 4, 6]);
    expect(run.mock.calls).toEqual([[[1, 2, 3]]]);
  });

  it('runs a partial batch maxWaitMs after its first item', async () => {
    jest.useFakeTimers();
    const run = jest.fn(double);
    const batcher = createMicroBatcher({ maxBatchSize: 10, maxWaitMs: 20, run });
    const first = batcher.submit(1);
    await jest.advanceTimersByTimeAsync(15);
    const second = batcher.submit(2);
    await jest.advanceTimersByTimeAsync(4);
    expect(run).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(run.mock.calls).toEqual([[[1, 2]]]);
    await expect(Promise.all([first, second])).resolves.toEqual([2, 4]);
  });

  it('splits a burst into full batches and keeps every caller’s result in order', async () => {
    const run = jest.fn(double);
    const batcher = createMicroBatcher({ maxBatchSize: 4, maxWaitMs: 5, run });
    const inputs = Array.from({ length: 10 }, (_, i) => i);
    const results = await Promise.all(inputs.map((n) => batcher.submit(n)));
    expect(results).toEqual(inputs.map((n) => n * 2));
    expect(run.mock.calls.map(([items]) => items)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('runs one batch at a time and gathers what arrives meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = jest.fn(async (items: number[]) => {
      if (run.mock.calls.length === 1) await gate;
      return items;
    });
    const batcher = createMicroBatcher({ maxBatchSize: 2, maxWaitMs: 1, run });
    const all = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(run).toHaveBeenCalledTimes(1);
    release();
    await expect(Promise.all(all)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(run.mock.calls.map(([items]) => items)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('runs up to maxConcurrentBatches at once, each gathering what arrives meanwhile', async () => {
    const gates: (() => void)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const run = jest.fn(async (items: number[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
      return items.map((n) => n * 2);
    });
    const batcher = createMicroBatcher({ maxBatchSize: 2, maxWaitMs: 1, maxConcurrentBatches: 2, run });
    const all = [1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(n));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Two full batches started at once; the rest waits for a free slot.
    expect(run.mock.calls.map(([items]) => items)).toEqual([[1, 2], [3, 4]]);
    gates.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(run.mock.calls.map(([items]) => items)).toEqual([[1, 2], [3, 4], [5, 6]]);
    while (run.mock.calls.length < 4 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect(Promise.all(all)).resolves.toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(run.mock.calls.map(([items]) => items)).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    expect(maxInFlight).toBe(2);
  });

  it('flush() waits for every batch in flight', async () => {
    const done: number[] = [];
    const batcher = createMicroBatcher({
      maxBatchSize: 1,
      maxWaitMs: 0,
      maxConcurrentBatches: 3,
      run: async (items: number[]) => {
        await new Promise((resolve) => setTimeout(resolve, 10 * items[0]));
        done.push(...items);
        return items;
      },
    });
    for (const n of [3, 1, 2, 4]) void batcher.submit(n);
    await batcher.flush();
    expect(done.sort()).toEqual([1, 2, 3, 4]);
  });

  it('rejects every promise of a failed batch and only that batch', async () => {
    const run = jest.fn(async (items: number[]) => {
      if (items.includes(2)) throw new Error('model exploded');
      return items;
    });
    const batcher = createMicroBatcher({ maxBatchSize: 2, maxWaitMs: 5, run });
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toBe('model exploded');
  });

  it('rejects a batch whose run returns the wrong number of outputs', async () => {
    const batcher = createMicroBatcher({ maxBatchSize: 2, maxWaitMs: 5, run: async (items: number[]) => items.slice(1) });
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow(/1 outputs for 2 items/);
  });

  it('close() runs pending work at once and refuses new items', async () => {
    const run = jest.fn(double);
    const batcher = createMicroBatcher({ maxBatchSize: 10, maxWaitMs: 60_000, run });
    const pending = [batcher.submit(1), batcher.submit(2)];
    await batcher.close();
    expect(run).toHaveBeenCalledTimes(1);
    await expect(Promise.all(pending)).resolves.toEqual([2, 4]);
    await expect(batcher.submit(3)).rejects.toThrow(/closed/);
  });

  it('flush() waits for a batch already running', async () => {
    const done: number[] = [];
    const batcher = createMicroBatcher({
      maxBatchSize: 1,
      maxWaitMs: 0,
      run: async (items: number[]) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        done.push(...items);
        return items;
      },
    });
    void batcher.submit(1);
    void batcher.submit(2);
    await batcher.flush();
    expect(done).toEqual([1, 2]);
  });

  it('refuses nonsensical sizes', () => {
    expect(() => createMicroBatcher({ maxBatchSize: 0, maxWaitMs: 1, run: double })).toThrow(RangeError);
    expect(() => createMicroBatcher({ maxBatchSize: 1, maxWaitMs: -1, run: double })).toThrow(RangeError);
    expect(() => createMicroBatcher({ maxBatchSize: 1, maxWaitMs: 1, maxConcurrentBatches: 0, run: double })).toThrow(RangeError);
  });
});

describe('yieldToEventLoop', () => {
  const busyWait = (ms: number) => {
    const start = Date.now();
    while (Date.now() - start < ms) {
      // CPU work that would starve timers without a yield
    }
  };

  it('lets timers fire between chunks of CPU work', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 1);
    for (let chunk = 0; chunk < 3 && !fired; chunk++) {
      busyWait(5);
      await yieldToEventLoop();
    }
    expect(fired).toBe(true);
  });

  it('is needed: the same work without yields starves the timer', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 1);
    for (let chunk = 0; chunk < 3; chunk++) busyWait(5);
    await Promise.resolve();
    expect(fired).toBe(false);
  });
});
