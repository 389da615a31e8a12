import { PassThrough } from 'node:stream';
import { filterConditions, parseCommentFilter, parseDateOption } from '../../../src/operations/comment-filter';
import { csvCell, csvLine } from '../../../src/operations/csv';
import { flipKey, flipLabel } from '../../../src/operations/decision-change';
import { nextPolicyVersion, thresholdForPrecision } from '../../../src/operations/decision-agreement';
import { createProgressReporter, formatDuration } from '../../../src/operations/progress';
import { rescoreRunId } from '../../../src/operations/apply-rescore';
import { redactUrl } from '../../../src/operations/status';
import { scoreJobId, scoreJobSchema } from '../../../src/queue/score-job.schema';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('comment filter', () => {
  it('parses ISO dates as UTC and durations as "ago"', () => {
    expect(parseDateOption('--since', '2026-11-01', NOW).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseDateOption('--since', '2026-11-01T08:30:00+01:00', NOW).toISOString()).toBe('2026-11-01T07:30:00.000Z');
    expect(parseDateOption('--since', '24h', NOW).toISOString()).toBe('2026-11-22T12:00:00.000Z');
    expect(parseDateOption('--since', '7d', NOW).toISOString()).toBe('2026-11-16T12:00:00.000Z');
  });

  it.each(['2026-02-31', 'yesterday', '2026-13-01', '12/11/2026', '', '7 days'])('rejects "%s"', (value) => {
    expect(() => parseDateOption('--since', value, NOW)).toThrow(`invalid --since "${value}"`);
  });

  it('rejects an empty range, unknown labels and statuses', () => {
    expect(() => parseCommentFilter({ since: '2026-11-02', until: '2026-11-01' })).toThrow(/must be before --until/);
    expect(() => parseCommentFilter({ label: 'rude' })).toThrow(/unknown --label "rude"/);
    expect(() => parseCommentFilter({ status: 'done' })).toThrow(/unknown --status "done"; choose from pending, scored, failed, approve/);
    expect(() => parseCommentFilter({ article: 'journal.fr/x' })).toThrow(/expected an http\(s\) URL/);
  });

  it('builds parameterised SQL: statuses on c.status, decisions on c.decision', () => {
    const params: unknown[] = ['model', 'policy'];
    const sql = filterConditions(parseCommentFilter({ site: 's', status: 'review', label: 'insult', since: '2026-11-01' }), params);
    expect(sql).toBe('TRUE AND c.site_id = $3 AND COALESCE(c.published_at, c.created_at) >= $4::timestamptz AND c.top_label = $5 AND c.decision = $6');
    expect(params).toEqual(['model', 'policy', 's', '2026-11-01T00:00:00.000Z', 'insult', 'review']);
    expect(filterConditions(parseCommentFilter({ status: 'failed' }), [])).toBe('TRUE AND c.status = $1');
  });
});

describe('csv', () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', null, 0.5, true])).toBe('"a,b","say ""hi""","two\nlines",,0.5,true\r\n');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+33 6', "'+33 6"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=cmd', "'\t=cmd"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
  ])('makes %j inert', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('leaves numbers as numbers (negative ones too)', () => {
    expect(csvCell(-1)).toBe('-1');
  });
});

describe('flips', () => {
  it('files a stricter decision under the label that drove it, preferring a specific label to toxicity', () => {
    const reasons = [
      { code: 'threshold_review', message: '', label: 'toxicity' as const, score: 0.7 },
      { code: 'threshold_review', message: '', label: 'insult' as const, score: 0.7 },
      { code: 'threshold_reject', message: '', label: 'threat' as const, score: 0.95 },
    ];
    expect(flipLabel('approve', 'review', { reasons, scores: {} }, null)).toBe('insult');
    expect(flipLabel('review', 'reject', { reasons, scores: {} }, null)).toBe('threat');
    expect(flipLabel('reject', 'approve', { reasons: [], scores: {} }, 'obscene')).toBe('obscene');
    expect(flipKey(null, 'review')).toBe('none→review');
  });
});

describe('thresholds from moderator decisions', () => {
  it('finds the lowest cut reaching the precision, strictly between two scores', () => {
    const values = [0.9, 0.9, 0.8, 0.7, 0.4, 0.2];
    const positive = [true, true, true, false, true, false];
    expect(thresholdForPrecision(values, positive, 0.75, 1)).toEqual({ threshold: 0.3, precision: 0.8, recall: 1, flagged: 5 });
    expect(thresholdForPrecision(values, positive, 0.95, 1)).toEqual({ threshold: 0.75, precision: 1, recall: 0.75, flagged: 3 });
    expect(thresholdForPrecision(values, positive, 0.95, 4)).toBeUndefined();
  });

  it('bumps the policy version', () => {
    expect(nextPolicyVersion('2026-11-23.1', NOW)).toBe('2026-11-23.2');
    expect(nextPolicyVersion('2026-11-20.4', NOW)).toBe('2026-11-23.1');
    expect(nextPolicyVersion('test-strict', NOW)).toBe('2026-11-23.1');
  });
});

describe('progress', () => {
  it('writes plain periodic lines with rate and ETA when stderr is not a terminal', () => {
    let now = 0;
    const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
    let text = '';
    stream.on('data', (c) => (text += c));
    const progress = createProgressReporter({ stream, label: 'rescore', total: 1000, intervalMs: 5000, now: () => now });
    now = 1000;
    progress.update(100);
    expect(text).toBe('');
    now = 5000;
    progress.update(500);
    progress.stop();
    expect(text.trim().split('\n')).toEqual(['rescore: 500/1000 (50%), 100/s, ETA 5s', 'rescore: 500/1000 (50%), 100/s, ETA 5s']);
    expect(formatDuration(3725)).toBe('1h02m');
  });
});

describe('rescore job ids', () => {
  it('differ per target model/policy and stay valid BullMQ ids', () => {
    const a = rescoreRunId({ modelVersion: 'lexicon@1', policyVersion: 'p1' });
    const b = rescoreRunId({ modelVersion: 'lexicon@1', policyVersion: 'p2' });
    expect(a).not.toBe(b);
    const job = scoreJobSchema.parse({ commentId: 'c1', textHash: 'a'.repeat(64), runId: a });
    expect(scoreJobId(job, 'rescore')).toBe(`rescore-${a}-c1-aaaaaaaaaaaaaaaa`);
    expect(scoreJobId({ commentId: 'c1', textHash: 'a'.repeat(64) })).toBe('live-c1-aaaaaaaaaaaaaaaa');
    expect(scoreJobId(job, 'rescore')).not.toContain(':');
  });
});

it('redacts the password of a Redis URL', () => {
  expect(redactUrl('redis://:secret@host:6379/0')).toBe('redis://:***@host:6379/0');
  expect(redactUrl('rediss://user:pw@host')).toBe('rediss://user:***@host');
  expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
});
