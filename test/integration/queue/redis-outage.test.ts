import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases';
import { spawnVigie, waitUntil, type VigieProcess } from '../../helpers/processes';
import { signedHeaders, TEST_SECRET, webhookBody } from '../../helpers/webhook';

/** A private Redis the test may kill without disturbing anything else. */
function startRedis(port: number, dir: string) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  return child;
}

async function redisUp(port: number): Promise<boolean> {
  return spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
}

describe('Redis stopped while comments are being posted', () => {
  const redisPort = 26_000 + Math.floor(Math.random() * 2_000);
  const httpPort = 28_000 + Math.floor(Math.random() * 2_000);
  let t: TestDatabase;
  let serve: VigieProcess;
  let redisDir: string;
  let redis: ReturnType<typeof startRedis>;

  beforeAll(async () => {
    redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigie-redis-'));
    redis = startRedis(redisPort, redisDir);
    await waitUntil(() => redisUp(redisPort), 10_000, 'the private Redis');
    t = await openTestDatabase('postgres');
    const { rows } = await t.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    serve = spawnVigie(['serve'], {
      DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${rows[0].schema}`)}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(httpPort),
      WEBHOOK_SECRET: TEST_SECRET,
      SCORERS: 'lexicon',
      VIGIE_DEMO: '0',
      PENDING_SWEEP_AFTER_MS: '1000',
      DATA_DIR: redisDir,
    });
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch(() => null))?.ok ?? false,
      30_000,
      `vigie serve to listen:\n${serve.output()}`,
    );
  }, 60_000);

  afterAll(async () => {
    serve?.child.kill('SIGKILL');
    redis?.kill('SIGKILL');
    await t?.drop();
    fs.rmSync(redisDir, { recursive: true, force: true });
  });

  async function post(id: string): Promise<{ id: string; status: number; ms: number }> {
    const raw = JSON.stringify(webhookBody({ id, text: `Commentaire ${id}, bande de charlots` }));
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/comments`, {
      method: 'POST',
      headers: signedHeaders(raw),
      body: raw,
      signal: AbortSignal.timeout(10_000),
    });
    return { id, status: res.status, ms: Date.now() - started };
  }

  it('answers 503 during the outage and decides every comment it answered 202', async () => {
    const results: { id: string; status: number; ms: number }[] = [];
    let n = 0;
    const postSome = async (count: number) => {
      for (let i = 0; i < count; i++) results.push(await post(`c${n++}`));
    };
    await postSome(40);
    redis.kill('SIGKILL');
    await waitUntil(async () => !(await redisUp(redisPort)), 5_000, 'Redis to stop');
    const duringOutage = results.length;
    await postSome(8);
    redis = startRedis(redisPort, redisDir);
    await waitUntil(() => redisUp(redisPort), 10_000, 'Redis to restart');
    await new Promise((r) => setTimeout(r, 1_500));
    await postSome(40);

    const outage = results.slice(duringOutage, duringOutage + 8);
    expect(outage.every((r) => r.status === 503)).toBe(true);
    expect(Math.max(...outage.map((r) => r.ms))).toBeLessThan(5_000);
    expect(results.every((r) => r.status === 202 || r.status === 503)).toBe(true);

    const accepted = results.filter((r) => r.status === 202).map((r) => r.id);
    expect(accepted.length).toBeGreaterThanOrEqual(80);
    // Jobs queued before the crash died with Redis (no persistence here); the sweeper re-enqueues them.
    await waitUntil(
      async () => {
        const { rows } = await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM comments WHERE source_id = ANY($1::text[]) AND status <> 'pending'`,
          [accepted],
        );
        return rows[0].n === accepted.length;
      },
      60_000,
      'every accepted comment to be decided',
    );
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM decisions WHERE is_current`);
    expect(rows[0].n).toBeGreaterThanOrEqual(accepted.length);
  }, 120_000);
});
