import { Shutdown } from '../../../src/lib/shutdown';
import { silentLogger } from '../../../src/lib/logger';

describe('Shutdown', () => {
  it('runs every closer in registration order even when one fails', async () => {
    const calls: string[] = [];
    const shutdown = new Shutdown(silentLogger(), 1_000);
    shutdown.register('http', () => void calls.push('http'));
    shutdown.register('worker', async () => {
      calls.push('worker');
      throw new Error('boom');
    });
    shutdown.register('queue', async () => void calls.push('queue'));
    shutdown.register('redis', () => void calls.push('redis'));
    shutdown.register('database', () => void calls.push('database'));
    expect(await shutdown.run('test')).toBe(false);
    expect(calls).toEqual(['http', 'worker', 'queue', 'redis', 'database']);
  });

  it('runs only once however often it is asked', async () => {
    let count = 0;
    const shutdown = new Shutdown(silentLogger(), 1_000);
    shutdown.register('x', () => void count++);
    await Promise.all([shutdown.run('a'), shutdown.run('b')]);
    expect(count).toBe(1);
  });

  it('gives up after the hard timeout', async () => {
    const shutdown = new Shutdown(silentLogger(), 50);
    shutdown.register('stuck', () => new Promise(() => undefined));
    expect(await shutdown.run('test')).toBe(false);
  });
});
