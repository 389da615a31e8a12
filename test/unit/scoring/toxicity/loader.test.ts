import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../../src/lib/logger';
import { initTfjsBackend, type Tfjs } from '../../../../src/scoring/tfjs-backend';
import {
  loadToxicityModel,
  resolveToxicityCacheDir,
  ToxicityModelUnavailableError,
  tryLoadToxicityScorer,
} from '../../../../src/scoring/toxicity/loader';
import { writeMiniToxicityModel, type MiniToxicityModelFiles } from '../../../fixtures-gen/make-mini-toxicity-model';

/** Serves the mini model like TF Hub: /hub/* redirects to /files/*. */
function startModelServer(files: MiniToxicityModelFiles, corrupt?: (name: string, body: Buffer) => Buffer) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push(url.pathname + url.search);
    if (url.pathname.startsWith('/hub/')) {
      res.writeHead(302, { location: url.pathname.replace('/hub/', '/files/') + url.search }).end();
      return;
    }
    const name = path.basename(url.pathname);
    const file = path.join(files.dir, name);
    if (!url.pathname.startsWith('/files/') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200).end(corrupt ? corrupt(name, body) : body);
  });
  return new Promise<{ baseUrl: string; requests: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

let work: string;
let files: MiniToxicityModelFiles;
let tf: Tfjs;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'vigie-toxicity-loader-'));
  files = writeMiniToxicityModel(path.join(work, 'source'));
  tf = (await initTfjsBackend()).tf;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const freshDataDir = () => mkdtempSync(path.join(work, 'data-'));
const urls = (baseUrl: string) => ({
  modelUrl: `${baseUrl}/hub/model.json?tfjs-format=file`,
  vocabUrl: `${baseUrl}/files/vocab.json`,
});

describe('loadToxicityModel from a local directory', () => {
  it('loads model.json, both shards and vocab.json, versioned by the model.json hash', async () => {
    const scorer = await loadToxicityModel({ modelDir: files.dir, dataDir: freshDataDir(), logger: silentLogger(), tf });
    const expected = createHash('sha256').update(readFileSync(files.modelJsonPath)).digest('hex').slice(0, 12);
    expect(scorer.version).toBe(expected);
    expect(await scorer.score(['hello world'])).toHaveLength(1);
    await scorer.close();
  });

  it('rejects a directory with a truncated shard', async () => {
    const dir = path.join(work, 'truncated-local');
    const broken = writeMiniToxicityModel(dir);
    truncateSync(broken.shardPaths[0], 100);
    const loading = loadToxicityModel({ modelDir: dir, dataDir: freshDataDir(), logger: silentLogger(), tf });
    await expect(loading).rejects.toThrow(ToxicityModelUnavailableError);
    await expect(loading).rejects.toThrow(/group1-shard1of2 is 100 bytes, expected \d+/);
  });

  it('rejects a model without the toxicity inputs and outputs', async () => {
    const dir = path.join(work, 'wrong-model');
    writeMiniToxicityModel(dir);
    const model = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    model.modelTopology.node = model.modelTopology.node.filter((n: { name: string }) => n.name !== 'threat/predictions/probabilities');
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
    await expect(loadToxicityModel({ modelDir: dir, dataDir: freshDataDir(), logger: silentLogger(), tf })).rejects.toThrow(
      /threat\/predictions\/probabilities/,
    );
  });
});

describe('loadToxicityModel from the network', () => {
  it('downloads once through the redirect, then reuses the cache without a request', async () => {
    const server = await startModelServer(files);
    try {
      const dataDir = freshDataDir();
      const first = await loadToxicityModel({ dataDir, ...urls(server.baseUrl), logger: silentLogger(), tf });
      expect(server.requests).toEqual([
        '/hub/model.json?tfjs-format=file',
        '/files/model.json?tfjs-format=file',
        '/hub/group1-shard1of2?tfjs-format=file',
        '/files/group1-shard1of2?tfjs-format=file',
        '/hub/group1-shard2of2?tfjs-format=file',
        '/files/group1-shard2of2?tfjs-format=file',
        '/files/vocab.json',
      ]);
      const cacheDir = resolveToxicityCacheDir(dataDir);
      expect(readdirSync(cacheDir).sort()).toEqual(['group1-shard1of2', 'group1-shard2of2', 'model.json', 'vocab.json']);

      server.requests.length = 0;
      const second = await loadToxicityModel({ dataDir, ...urls(server.baseUrl), logger: silentLogger(), tf });
      expect(server.requests).toEqual([]);
      expect(second.version).toBe(first.version);
      expect(await second.score(['you are an idiot'])).toEqual(await first.score(['you are an idiot']));
      await Promise.all([first.close(), second.close()]);
    } finally {
      await server.close();
    }
  });

  it('downloads again when a cached shard is damaged', async () => {
    const server = await startModelServer(files);
    try {
      const dataDir = freshDataDir();
      await (await loadToxicityModel({ dataDir, ...urls(server.baseUrl), logger: silentLogger(), tf })).close();
      truncateSync(path.join(resolveToxicityCacheDir(dataDir), 'group1-shard2of2'), 8);
      server.requests.length = 0;
      const scorer = await loadToxicityModel({ dataDir, ...urls(server.baseUrl), logger: silentLogger(), tf });
      expect(server.requests).toContain('/files/group1-shard2of2?tfjs-format=file');
      await scorer.close();
    } finally {
      await server.close();
    }
  });

  it('rejects a truncated shard with a clear error and caches nothing', async () => {
    const server = await startModelServer(files, (name, body) => (name === 'group1-shard2of2' ? body.subarray(0, 40) : body));
    try {
      const dataDir = freshDataDir();
      const loading = loadToxicityModel({ dataDir, ...urls(server.baseUrl), logger: silentLogger(), tf });
      await expect(loading).rejects.toThrow(ToxicityModelUnavailableError);
      await expect(loading).rejects.toThrow(/group1-shard2of2 is 40 bytes, expected \d+/);
      expect(existsSync(resolveToxicityCacheDir(dataDir))).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe('tryLoadToxicityScorer', () => {
  it('returns null and warns once when the model cannot be had', async () => {
    const warn = jest.fn();
    const logger = Object.assign(silentLogger(), { warn });
    const offline = jest.fn(() => Promise.reject(new TypeError('fetch failed')));
    const scorer = await tryLoadToxicityScorer({ dataDir: freshDataDir(), fetch: offline, logger, tf });
    expect(scorer).toBeNull();
    expect(offline).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0].err).toBeInstanceOf(ToxicityModelUnavailableError);
  });

  it('returns a working scorer when the model is there', async () => {
    const scorer = await tryLoadToxicityScorer({ modelDir: files.dir, dataDir: freshDataDir(), logger: silentLogger(), tf });
    expect(scorer?.labels).toHaveLength(7);
    await scorer?.close();
  });
});
