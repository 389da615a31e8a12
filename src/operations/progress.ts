import { SingleBar } from 'cli-progress';

export interface ProgressReporter {
  /** `done` is absolute (not an increment); `total` may grow while the selection is enqueued. */
  update(done: number, total?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  label: string;
  total: number;
  /** plain lines (no TTY): at most one every this long */
  intervalMs?: number;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Rate over a sliding window (not since the start), so the ETA follows what the workers do now,
 * e.g. after live traffic took precedence for a while.
 */
export class RateMeter {
  private readonly samples: { at: number; done: number }[] = [];

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(done: number): void {
    const at = this.now();
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[0].at > this.windowMs) this.samples.shift();
  }

  /** items per second; 0 until there are two samples */
  perSecond(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const elapsed = (last.at - first.at) / 1000;
    return elapsed > 0 ? (last.done - first.done) / elapsed : 0;
  }
}

/**
 * A cli-progress bar on a terminal; on a pipe or a log file, one plain line every `intervalMs`
 * (a bar redrawn with \r would fill a CI log with garbage).
 */
export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const meter = new RateMeter(10_000, now);
  let total = options.total;
  let done = 0;
  meter.record(0);
  const rateText = () => `${Math.round(meter.perSecond())}/s`;
  const etaText = () => {
    const rate = meter.perSecond();
    return rate > 0 ? formatDuration((total - done) / rate) : '?';
  };

  if (options.stream.isTTY) {
    const bar = new SingleBar({
      stream: options.stream as NodeJS.WritableStream,
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} | {rate} | ETA {etaText}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 5,
      noTTYOutput: false,
    } as ConstructorParameters<typeof SingleBar>[0]);
    bar.start(total, 0, { rate: '0/s', etaText: '?' });
    return {
      update(value, newTotal) {
        done = value;
        if (newTotal !== undefined && newTotal !== total) {
          total = newTotal;
          bar.setTotal(total);
        }
        meter.record(done);
        bar.update(done, { rate: rateText(), etaText: etaText() });
      },
      stop() {
        bar.update(done, { rate: rateText(), etaText: formatDuration(0) });
        bar.stop();
      },
    };
  }

  const interval = options.intervalMs ?? 5_000;
  let lastLine = now();
  const line = () => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    options.stream.write(`${options.label}: ${done}/${total} (${pct}%), ${rateText()}, ETA ${etaText()}\n`);
  };
  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      meter.record(done);
      if (now() - lastLine >= interval) {
        lastLine = now();
        line();
      }
    },
    stop() {
      line();
    },
  };
}
