import { pingRedis } from '../../../src/queue/connection';

describe('Redis URLs in error messages', () => {
  it('names the Redis it tried without its password', async () => {
    const attempt = pingRedis('redis://operator:s3cr3t-pass@127.0.0.1:1/0', 1_000);
    await expect(attempt).rejects.toThrow('Redis is not reachable at redis://operator:***@127.0.0.1:1/0');
    await expect(attempt).rejects.not.toThrow(/s3cr3t-pass/);
  });
});
