import { PassThrough, Readable, Writable } from 'node:stream';
import { scoreCommand, type ScoreCommandDeps } from '../../../src/cli/score.command';
import { silentLogger } from '../../../src/lib/logger';

interface Run {
  stdout: string[];
  stderr: string;
  exitCode?: number;
}

function sink(onLine: (line: string) => void): Writable {
  let buffer = '';
  return new Writable({
    write(chunk, _encoding, done) {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
      done();
    },
  });
}

async function run(args: string[], stdin: NodeJS.ReadableStream, deps: Partial<ScoreCommandDeps> = {}): Promise<Run> {
  const result: Run = { stdout: [], stderr: '' };
  const command = scoreCommand({
    stdin,
    stdout: sink((line) => result.stdout.push(line)),
    stderr: sink((line) => (result.stderr += line + '\n')),
    setExitCode: (code) => (result.exitCode = code),
    logger: silentLogger(),
    ...deps,
  });
  command.exitOverride();
  await command.parseAsync(args, { from: 'user' });
  return result;
}

const lines = (...rows: string[]): Readable => Readable.from([rows.join('\n') + '\n']);

describe('vigie score', () => {
  it('scores JSON lines in order and reports bad lines with their number', async () => {
    const out = await run(
      [],
      lines(
        JSON.stringify({ id: 'a', text: 'Ce qui se passe au Mali est dramatique.' }),
        '{not json',
        JSON.stringify({ id: 7, text: 'je vais te tuer' }),
        JSON.stringify({ id: 'no-text' }),
      ),
    );
    const results = out.stdout.map((line) => JSON.parse(line));
    expect(results.map((r) => [r.id, r.decision])).toEqual([
      ['a', 'approve'],
      [7, 'reject'],
    ]);
    expect(results[1].language).toBe('fr');
    expect(results[1].spans).toEqual(expect.arrayContaining([{ start: 0, end: 15, label: 'threat' }]));
    expect(Object.keys(results[1])).toEqual(expect.arrayContaining(['id', 'language', 'scores', 'decision', 'reasons', 'spans']));
    expect(out.stderr).toMatch(/^line 2: invalid JSON/m);
    expect(out.stderr).toMatch(/^line 4: missing "text" string/m);
    expect(out.exitCode).toBe(0);
  });

  it('scores a text argument', async () => {
    const out = await run(['--scorer', 'lexicon', 'espèce de c0nnard'], lines());
    expect(JSON.parse(out.stdout[0])).toMatchObject({ id: null, decision: 'review', spans: [{ start: 0, end: 17, label: 'insult' }] });
  });

  it('streams in batches without reading everything first', async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    const command = scoreCommand({ stdin: input, stdout: sink((l) => seen.push(l)), stderr: sink(() => undefined), setExitCode: () => undefined, logger: silentLogger() });
    const done = command.parseAsync(['--batch-size', '2'], { from: 'user' });
    input.write(JSON.stringify({ id: 1, text: 'un' }) + '\n' + JSON.stringify({ id: 2, text: 'deux' }) + '\n');
    // The first batch must come out while stdin is still open (models load first, so poll).
    for (let waited = 0; seen.length < 2 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(2);
    input.end(JSON.stringify({ id: 3, text: 'trois' }) + '\n');
    await done;
    expect(seen.map((l) => JSON.parse(l).id)).toEqual([1, 2, 3]);
  });

  it('writes 3,000 lines in order through a slow consumer (backpressure)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: i, text: i % 2 ? 'connard' : 'Bonjour' }));
    const ids: number[] = [];
    let buffer = '';
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _e, done) {
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        parts.forEach((p) => ids.push(JSON.parse(p).id));
        setImmediate(done);
      },
    });
    const out = await run([], lines(...rows), { stdout: slow });
    expect(ids).toEqual(rows.map((_, i) => i));
    expect(out.exitCode).toBe(0);
  });

  it('exits non-zero when stdin cannot be read', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('EIO: i/o error'));
      },
    });
    const out = await run([], broken);
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(/EIO/);
  });

  it('rejects an unknown scorer with a usage error', async () => {
    const out = await run(['--scorer', 'lexicon,magic', 'x'], lines());
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/unknown scorer "magic"/);
  });

  it('uses the scorers it is given', async () => {
    const names: string[][] = [];
    await run(['--scorer', 'lexicon', 'x'], lines(), {
      createScorers: async (n) => {
        names.push([...n]);
        return [{ name: 'fake', version: '1', labels: ['insult'], score: async (t) => t.map(() => ({ insult: 0.99 })) }];
      },
    });
    expect(names).toEqual([['lexicon']]);
  });
});
