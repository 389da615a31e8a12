import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gracefulHttpClose } from '../../../src/lib/shutdown';

type Outcome = { status: number; connection: string | undefined } | { error: string };

function post(port: number, agent: http.Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end('{}');
  });
}

describe('gracefulHttpClose', () => {
  it('answers the request in flight, then closes although the client keeps posting on its kept-alive connection', async () => {
    let arrived: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = http.createServer((_req, res) => {
      arrived();
      setTimeout(() => res.end('ok'), 50);
    });
    const close = gracefulHttpClose(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const outcomes: Outcome[] = [];
    const client = (async () => {
      // Back to back on one kept-alive socket, as a CMS pushing comments does, until refused.
      for (;;) {
        const outcome = await post(port, agent);
        outcomes.push(outcome);
        if ('error' in outcome) return;
      }
    })();

    await firstArrived;
    await close(); // plain server.close() would wait here for as long as the client posts
    await client;
    agent.destroy();

    const answered = outcomes.filter((o): o is { status: number; connection: string | undefined } => 'status' in o);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.every((o) => o.status === 200)).toBe(true);
    // The last answer told the client not to reuse the connection; its next request found the port closed.
    expect(answered[answered.length - 1].connection).toBe('close');
    expect(outcomes[outcomes.length - 1]).toEqual({ error: 'ECONNREFUSED' });
  });
});
