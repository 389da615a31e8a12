import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import request from 'supertest';
import type { Express } from 'express';
import { addUser } from '../../../../src/cli/users.command';
import type { Decision, Span } from '../../../../src/domain/decision';
import type { LabelScores } from '../../../../src/domain/labels';
import { createApp, type AppDeps } from '../../../../src/http/app';
import { silentLogger } from '../../../../src/lib/logger';
import { QUEUE_NAMES } from '../../../../src/queue/names';
import { saveComment } from '../../../../src/store/comments.repository';
import type { Database } from '../../../../src/store/database';
import { saveMachineDecision } from '../../../../src/store/decisions.repository';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../../../helpers/redis';
import { TEST_SECRET } from '../../../helpers/webhook';

export const PASSWORDS = { alice: 'alice-password-123', bob: 'bob-password-1234', carol: 'carol-password-12' };

/** alice = admin, bob and carol = moderators. */
export async function addTestUsers(db: Database): Promise<void> {
  await addUser(db, { name: 'alice', role: 'admin', password: PASSWORDS.alice });
  await addUser(db, { name: 'bob', role: 'moderator', password: PASSWORDS.bob });
  await addUser(db, { name: 'carol', role: 'moderator', password: PASSWORDS.carol });
}

export interface SeedInput {
  text: string;
  author?: string | null;
  scores?: LabelScores;
  decision?: Decision;
  language?: 'fr' | 'en' | 'other';
  site?: string;
  articleUrl?: string;
  articleTitle?: string | null;
  spans?: Span[];
  sourceId?: string | null;
  parentSourceId?: string | null;
}

/** A stored comment with a machine decision, as the score worker would leave it. */
export async function seedComment(db: Database, input: SeedInput): Promise<string> {
  const { comment } = await saveComment(db, {
    siteId: input.site ?? 'le-journal',
    articleUrl: input.articleUrl ?? 'https://journal.example.fr/mali',
    articleTitle: input.articleTitle === undefined ? 'Sécurité au Mali' : input.articleTitle,
    sourceId: input.sourceId ?? null,
    parentSourceId: input.parentSourceId ?? null,
    author: input.author === undefined ? 'Kotato' : input.author,
    text: input.text,
    publishedAt: null,
    source: 'webhook',
  });
  const scores = input.scores ?? { toxicity: 0.7, insult: 0.6 };
  await saveMachineDecision(db, {
    commentId: comment.id,
    textHash: comment.textHash,
    result: {
      language: input.language ?? 'fr',
      decision: input.decision ?? 'review',
      scores,
      reasons: [{ code: 'threshold', message: 'insult above threshold', label: 'insult', score: scores.insult ?? 0, threshold: 0.5 }],
      spans: input.spans ?? [],
      modelVersion: 'test-model@1',
      policyVersion: 'policy@1',
    },
  });
  return comment.id;
}

export async function startTestApp(db: Database, extra: Partial<AppDeps> = {}) {
  const prefix = uniquePrefix('dash');
  const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const scoreQueue = new Queue(QUEUE_NAMES.score, { connection, prefix });
  const app = createApp({ db, scoreQueue, webhookSecret: TEST_SECRET, logger: silentLogger(), ...extra });
  return {
    app,
    prefix,
    async stop() {
      await scoreQueue.close();
      await deletePrefix(prefix);
      connection.disconnect();
    },
  };
}

export const csrfFrom = (page: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('no CSRF token in page');
  return match[1];
};

export const cookieValue = (res: request.Response, name: string): string | undefined => {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = raw?.find((c) => c.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1).split(';')[0] : undefined;
};

/** A logged-in supertest agent and its CSRF token. */
export async function login(app: Express, name: keyof typeof PASSWORDS | string, password?: string) {
  const agent = request.agent(app);
  const form = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(form.text), name, password: password ?? PASSWORDS[name as keyof typeof PASSWORDS], next: '/' });
  if (res.status !== 303) throw new Error(`login failed for ${name}: ${res.status}`);
  const home = await agent.get('/');
  return { agent, csrf: csrfFrom(home.text), loginResponse: res };
}
