import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      VIGIE_DEMO: true,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses numbers, flags and URLs', () => {
    const config = loadConfig({ PORT: '8080', VIGIE_DEMO: '0', DATABASE_URL: 'postgres://u@db:5432/vigie' });
    expect(config.PORT).toBe(8080);
    expect(config.VIGIE_DEMO).toBe(false);
    expect(config.DATABASE_URL).toBe('postgres://u@db:5432/vigie');
  });

  it('leaves the scoring threads to each command unless told; 0 = the main thread', () => {
    expect(loadConfig({}).WORKER_SCORING_THREADS).toBeUndefined();
    expect(loadConfig({ WORKER_SCORING_THREADS: '0' }).WORKER_SCORING_THREADS).toBe(0);
    expect(loadConfig({ WORKER_SCORING_THREADS: '3' }).WORKER_SCORING_THREADS).toBe(3);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ VIGIE_DEMO: 'maybe' }, 'VIGIE_DEMO'],
    [{ WEBHOOK_SECRET: 'short' }, 'WEBHOOK_SECRET'],
    [{ WORKER_SCORING_THREADS: '-1' }, 'WORKER_SCORING_THREADS'],
    [{ WORKER_SCORING_THREADS: 'two' }, 'WORKER_SCORING_THREADS'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}:`));
  });

  it('never echoes a secret in the error', () => {
    try {
      loadConfig({ WEBHOOK_SECRET: 'tiny' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).not.toContain('tiny');
    }
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });
});
