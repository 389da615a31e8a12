import type http from 'node:http';
import type { Logger } from './logger';

export type Closer = () => Promise<unknown> | unknown;

/** How long a process may take to close everything after SIGTERM before it gives up (exit 1). */
export const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * Closes resources in registration order (HTTP server, workers, queues, Redis, database), each
 * even if an earlier one failed, under a hard timeout so a stuck closer cannot hang the process.
 */
export class Shutdown {
  private readonly closers: { name: string; close: Closer }[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = SHUTDOWN_TIMEOUT_MS,
  ) {}

  register(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  /** Resolves true when every closer succeeded in time. */
  run(reason: string): Promise<boolean> {
    this.running ??= this.closeAll(reason);
    return this.running;
  }

  private async closeAll(reason: string): Promise<boolean> {
    this.logger.info({ reason }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        this.logger.error({ timeoutMs: this.timeoutMs }, 'shutdown timed out');
        resolve(false);
      }, this.timeoutMs);
      timer.unref();
    });
    const sequence = (async () => {
      let ok = true;
      for (const { name, close } of this.closers) {
        try {
          await close();
          this.logger.debug({ closer: name }, 'closed');
        } catch (err) {
          ok = false;
          this.logger.error({ err, closer: name }, 'closer failed');
        }
      }
      return ok;
    })();
    const result = await Promise.race([sequence, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** SIGTERM/SIGINT run the shutdown once, then exit with its outcome. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      void this.run(signal).then((ok) => exit(ok ? 0 : 1));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}

/**
 * Returns the HTTP server's closer; call it right after creating the server, so it sees every
 * request. `server.close()` alone waits for kept-alive connections to go idle, which never happens
 * while a CMS keeps posting on them: shutdown would time out with requests and jobs in flight.
 * Once closing, every unsent response says `Connection: close` and each connection is closed as
 * soon as its response is out; requests in flight are answered, new connections are refused.
 */
export function gracefulHttpClose(server: http.Server): () => Promise<void> {
  let closing = false;
  const unanswered = new Set<http.ServerResponse>();
  const closeAfterResponse = (res: http.ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    else res.once('close', () => setImmediate(() => server.closeIdleConnections()));
  };
  server.prependListener('request', (_req, res) => {
    if (closing) return closeAfterResponse(res);
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  return () =>
    new Promise<void>((resolve, reject) => {
      closing = true;
      for (const res of unanswered) closeAfterResponse(res);
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeIdleConnections();
    });
}
