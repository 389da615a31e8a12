import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { generatePassword, hashPassword } from '../../auth/password';
import { isRole } from '../../auth/roles';
import { LABELS } from '../../domain/labels';
import { AppError, badRequest, notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { appendAudit } from '../../store/audit.repository';
import type { Database } from '../../store/database';
import {
  applyModeratorAction,
  decodeCursor,
  getArticleTitle,
  getCommentContext,
  listAuditPage,
  listFacets,
  listMatchingIds,
  listModerationQueue,
  loadStats,
  MODERATOR_ACTIONS,
  QUEUE_VIEWS,
  REJECT_REASONS,
  STATUS_FILTERS,
  undoLastAction,
  type AuditFilter,
  type ModeratorAction,
  type QueueFilter,
  type QueueView,
  type RejectReason,
} from '../../store/moderation.repository';
import { findSession } from '../../store/sessions.repository';
import { createUser, disableUser, listUsers, USER_NAME_PATTERN } from '../../store/users.repository';
import type { MessageKey } from '../i18n/messages';
import type { LiveHub } from '../live/hub';
import { requireAuth, requireRole, verifyCsrf } from '../middleware/auth';
import { renderAuditPage } from '../views/audit.view';
import { renderDetailPage } from '../views/detail.view';
import { renderQueuePage, VIEW_PATHS } from '../views/queue.view';
import { renderStatsPage } from '../views/stats.view';
import { renderUsersPage } from '../views/users.view';
import { pageContext, safeLocalPath, sendHtml } from './context';

export const PAGE_SIZE = 50;
/** "Apply to everything matching" acts on at most this many comments per click. */
export const BULK_LIMIT = 1000;

export interface DashboardDeps {
  db: Database;
  hub: LiveHub;
  logger: Logger;
  onModeratorDecision?: (commentId: string) => void | Promise<void>;
  /** Keep-alive and session re-check period of /events (default 25 s). */
  sseKeepAliveMs?: number;
}

const dateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined))
    .catch(undefined);

const filterSchema = z.object({
  q: text(200),
  label: z.enum(LABELS).optional().catch(undefined),
  min: z.coerce.number().min(0).max(1).optional().catch(undefined),
  lang: z.enum(['fr', 'en', 'other']).optional().catch(undefined),
  site: text(200),
  article: text(64),
  from: dateParam,
  to: dateParam,
  status: z.enum(STATUS_FILTERS).optional().catch(undefined),
});

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

export function parseQueueFilter(view: QueueView, query: Record<string, unknown>): { filter: QueueFilter; filterQuery: string } {
  const flat = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, first(v) === '' ? undefined : first(v)]));
  const f = filterSchema.parse(flat);
  const filter: QueueFilter = {
    view,
    q: f.q,
    label: f.label,
    minScore: f.label ? f.min : undefined,
    language: f.lang,
    site: f.site,
    articleId: f.article,
    from: f.from,
    // An inclusive "to" day: strictly before the next midnight.
    to: f.to ? new Date(Date.parse(f.to) + 86_400_000).toISOString().slice(0, 10) : undefined,
    status: f.status,
  };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(f)) if (value !== undefined) params.set(key, String(value));
  return { filter, filterQuery: params.toString() };
}

const wantsJson = (req: Request) => req.is('application/json') === 'application/json' || req.accepts(['html', 'json']) === 'json';

function flashText(req: Request): string | null {
  const raw = first(req.query.flash);
  if (typeof raw !== 'string') return null;
  const [action, n] = raw.split(':');
  const t = req.ctx.t;
  if (action === 'undo') return Number(n) > 0 ? t('action.undone', { n: Number(n) }) : t('action.nothingToUndo');
  if (!(MODERATOR_ACTIONS as readonly string[]).includes(action)) return null;
  return t('action.done', { n: Number(n) || 0, action: t(`action.${action}` as MessageKey) });
}

const withFlash = (back: string, flash: string) => {
  const url = new URL(back, 'http://x');
  url.searchParams.delete('flash');
  url.searchParams.set('flash', flash);
  return url.pathname + url.search;
};

export function dashboardRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 5000 });
  const json = express.json({ limit: '200kb' });

  const renderView = (view: QueueView) => async (req: Request, res: Response) => {
    const { filter, filterQuery } = parseQueueFilter(view, req.query as Record<string, unknown>);
    const after = decodeCursor(first(req.query.after));
    const [pageResult, facets] = await Promise.all([
      listModerationQueue(deps.db, filter, { limit: PAGE_SIZE, after }),
      listFacets(deps.db),
    ]);
    const presence = await deps.hub.presence.namesFor(pageResult.items.map((i) => i.id));
    sendHtml(
      res,
      renderQueuePage(pageContext(req, res), {
        view,
        filter,
        filterQuery,
        items: pageResult.items,
        next: pageResult.next,
        isFirstPage: !after,
        sites: facets.sites,
        articleTitle: filter.articleId ? await getArticleTitle(deps.db, filter.articleId) : null,
        presence,
        bulkLimit: BULK_LIMIT,
        flash: flashText(req),
      }),
    );
  };
  for (const view of QUEUE_VIEWS) router.get(VIEW_PATHS[view], requireAuth, renderView(view));

  router.get('/comments/:id', requireAuth, async (req, res) => {
    const context = await getCommentContext(deps.db, String(req.params.id));
    if (!context) throw notFound('No such comment');
    const presence = await deps.hub.presence.beat(context.item.id, req.ctx.user!.name);
    deps.hub.publish({ type: 'presence', commentId: context.item.id, names: presence });
    sendHtml(res, renderDetailPage(pageContext(req, res), context, { back: safeLocalPath(first(req.query.back)), presence }));
  });

  const actionSchema = z.object({
    op: z.string().max(100),
    ids: z.union([z.string(), z.array(z.string())]).optional(),
    reason: z.enum(REJECT_REASONS).optional().catch(undefined),
    filter: z.string().max(2000).optional(),
    view: z.enum(QUEUE_VIEWS).optional().catch(undefined),
    back: z.string().optional(),
  });

  router.post('/actions', requireAuth, form, json, verifyCsrf, async (req, res) => {
    const parsed = actionSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw badRequest('Invalid action');
    const body = parsed.data;
    const me = req.ctx.user!;
    const back = safeLocalPath(body.back);
    const [verb, target] = body.op.split(/:(.*)/s);
    let action: string;
    let changed: string[];
    if (verb === 'undo') {
      const undone = await undoLastAction(deps.db, me.name);
      action = 'undo';
      changed = undone?.changed ?? [];
    } else {
      if (!(MODERATOR_ACTIONS as readonly string[]).includes(verb)) throw badRequest('Unknown action');
      let ids: string[];
      if (target === 'all') {
        const view = body.view ?? 'review';
        ids = await listMatchingIds(deps.db, parseQueueFilter(view, Object.fromEntries(new URLSearchParams(body.filter ?? ''))).filter, BULK_LIMIT);
      } else if (target) ids = [target];
      else ids = body.ids === undefined ? [] : Array.isArray(body.ids) ? body.ids : [body.ids];
      ids = ids.filter((id) => /^[A-Za-z0-9-]{1,64}$/.test(id)).slice(0, BULK_LIMIT);
      if (ids.length === 0) throw badRequest('Nothing selected');
      const result = await applyModeratorAction(deps.db, {
        commentIds: ids,
        action: verb as ModeratorAction,
        reason: verb === 'reject' ? ((body.reason ?? 'other') as RejectReason) : undefined,
        moderator: me.name,
      });
      action = verb;
      changed = result.changed;
    }
    req.log.info({ user: me.name, action, comments: changed.length }, 'moderator action');
    if (changed.length) deps.hub.publish({ type: 'action', action, actor: me.name, ids: changed });
    if (deps.onModeratorDecision) {
      for (const id of changed) {
        try {
          await deps.onModeratorDecision(id);
        } catch (err) {
          req.log.error({ err, commentId: id }, 'moderator decision hook failed');
        }
      }
    }
    if (wantsJson(req)) return void res.json({ action, changed });
    res.redirect(303, withFlash(back, `${action}:${changed.length}`));
  });

  router.post('/presence/:id', requireAuth, form, json, verifyCsrf, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw badRequest('Bad id');
    const leaving = req.body?.leave === '1' || req.body?.leave === true;
    const names = leaving ? await deps.hub.presence.leave(id, req.ctx.user!.name) : await deps.hub.presence.beat(id, req.ctx.user!.name);
    deps.hub.publish({ type: 'presence', commentId: id, names });
    res.json({ names });
  });

  router.get('/events', requireAuth, (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const unsubscribe = deps.hub.subscribe(
      (event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
      () => res.end(),
    );
    // A logged-out or disabled account stops receiving comment text within one keep-alive.
    const sessionHash = req.ctx.sessionHash!;
    const keepAlive = setInterval(() => {
      findSession(deps.db, sessionHash).then(
        (session) => (session ? res.write(': keep-alive\n\n') : res.end()),
        () => res.end(),
      );
    }, deps.sseKeepAliveMs ?? 25_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  router.get('/audit', requireAuth, async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const str = (v: unknown, max: number) => (typeof first(v) === 'string' && first(v) && String(first(v)).length <= max ? String(first(v)) : undefined);
    const date = (v: unknown) => (typeof first(v) === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(String(first(v))) ? String(first(v)) : undefined);
    const filter: AuditFilter = {
      actor: str(q.actor, 100),
      action: str(q.action, 40),
      commentId: str(q.comment, 64),
      from: date(q.from),
      to: date(q.to),
    };
    const params = new URLSearchParams();
    for (const key of ['actor', 'action', 'comment', 'from', 'to']) {
      const v = str(q[key], 100);
      if (v) params.set(key, v);
    }
    const afterRaw = str(q.after, 200);
    const sep = afterRaw?.lastIndexOf('_') ?? -1;
    const after = afterRaw && sep > 0 && !Number.isNaN(Date.parse(afterRaw.slice(0, sep))) ? { at: afterRaw.slice(0, sep), id: afterRaw.slice(sep + 1) } : undefined;
    const queryFilter = { ...filter, to: filter.to ? new Date(Date.parse(filter.to) + 86_400_000).toISOString().slice(0, 10) : undefined };
    const [result, facets] = await Promise.all([listAuditPage(deps.db, queryFilter, { limit: 100, after }), listFacets(deps.db)]);
    sendHtml(res, renderAuditPage(pageContext(req, res), { filter, rows: result.rows, next: result.next, filterQuery: params.toString(), actors: facets.actors }));
  });

  router.get('/stats', requireAuth, async (req, res) => {
    sendHtml(res, renderStatsPage(pageContext(req, res), await loadStats(deps.db, LABELS)));
  });

  router.get('/users', requireRole('admin'), async (req, res) => {
    sendHtml(res, renderUsersPage(pageContext(req, res), await listUsers(deps.db), {}));
  });

  router.post('/users', requireRole('admin'), form, verifyCsrf, async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim() : '';
    const role = typeof req.body?.role === 'string' && isRole(req.body.role) ? req.body.role : null;
    const ctx = pageContext(req, res);
    if (!USER_NAME_PATTERN.test(name) || !role) {
      return sendHtml(res, renderUsersPage(ctx, await listUsers(deps.db), { error: ctx.t('users.invalid') }), 400);
    }
    const password = generatePassword();
    try {
      await createUser(deps.db, { name, role, passwordHash: await hashPassword(password) });
    } catch {
      return sendHtml(res, renderUsersPage(ctx, await listUsers(deps.db), { error: ctx.t('users.invalid') }), 409);
    }
    req.log.info({ user: req.ctx.user!.name, created: name, role }, 'user created');
    await appendAudit(deps.db, { actor: `moderator:${req.ctx.user!.name}`, action: 'user_add', details: { name, role } });
    sendHtml(res, renderUsersPage(ctx, await listUsers(deps.db), { created: { name, password } }), 201);
  });

  router.post('/users/:name/disable', requireRole('admin'), form, verifyCsrf, async (req, res) => {
    const name = String(req.params.name);
    if (name === req.ctx.user!.name) throw new AppError('forbidden', 403, 'You cannot disable yourself');
    if (!(await disableUser(deps.db, name))) throw notFound('No such user');
    await appendAudit(deps.db, { actor: `moderator:${req.ctx.user!.name}`, action: 'user_disable', details: { name } });
    res.redirect(303, '/users');
  });

  return router;
}
