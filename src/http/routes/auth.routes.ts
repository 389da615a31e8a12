import express, { Router, type Request } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { DUMMY_HASH, verifyPassword } from '../../auth/password';
import { randomToken, sha256 } from '../../auth/secrets';
import type { Database } from '../../store/database';
import { createSession, deleteExpiredSessions, deleteSession } from '../../store/sessions.repository';
import { findUserForLogin } from '../../store/users.repository';
import { LANG_COOKIE } from '../i18n/language';
import { LANGS, translator, type Lang } from '../i18n/messages';
import { cookieOptions, PRE_AUTH_COOKIE, SESSION_COOKIE, SESSION_IDLE_MS, verifyCsrf } from '../middleware/auth';
import { renderLoginPage } from '../views/login.view';
import { pageContext, safeLocalPath, sendHtml } from './context';

export interface LoginLimits {
  /** Attempts per IP + user name per window (default 5 per 15 minutes). */
  perUser?: number;
  /** Attempts per IP per window, whatever the name (default 50). */
  perIp?: number;
  windowMs?: number;
}

const nameOf = (req: Request): string => (typeof req.body?.name === 'string' ? req.body.name.trim().slice(0, 64) : '');

export function authRoutes(deps: { db: Database; loginLimits?: LoginLimits }): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const windowMs = deps.loginLimits?.windowMs ?? 15 * 60_000;
  const tooMany = (req: Request, res: express.Response) => {
    const ctx = pageContext(req, res);
    sendHtml(res, renderLoginPage(ctx, { next: safeLocalPath(req.body?.next), name: nameOf(req), error: ctx.t('login.tooMany') }), 429);
  };
  const perUser = rateLimit({
    windowMs,
    limit: deps.loginLimits?.perUser ?? 5,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${nameOf(req).toLowerCase()}`,
    handler: tooMany,
  });
  const perIp = rateLimit({
    windowMs,
    limit: deps.loginLimits?.perIp ?? 50,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    handler: tooMany,
  });

  router.get('/login', (req, res) => {
    if (req.ctx.user) return res.redirect(303, safeLocalPath(req.query.next));
    sendHtml(res, renderLoginPage(pageContext(req, res), { next: safeLocalPath(req.query.next) }));
  });

  router.post('/login', form, verifyCsrf, perIp, perUser, async (req, res) => {
    const name = nameOf(req);
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 200) : '';
    const next = safeLocalPath(req.body?.next);
    const user = name ? await findUserForLogin(deps.db, name) : null;
    // Same work for unknown names and wrong passwords: response time does not reveal accounts.
    const ok = (await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)) && !!user && !user.disabled;
    if (!ok || !user) {
      req.log.info({ user: name, outcome: 'failed' }, 'login');
      const ctx = pageContext(req, res);
      return sendHtml(res, renderLoginPage(ctx, { next, name, error: ctx.t('login.failed') }), 401);
    }
    // Rotation: whatever session id the browser had is dropped; a fresh one is issued.
    if (req.ctx.sessionHash) await deleteSession(deps.db, req.ctx.sessionHash);
    // Housekeeping where it costs nothing noticeable: logins are rare.
    await deleteExpiredSessions(deps.db);
    const sid = randomToken(32);
    await createSession(deps.db, { idHash: sha256(sid), userId: user.id, csrfToken: randomToken(24), ttlMs: SESSION_IDLE_MS });
    res.cookie(SESSION_COOKIE, sid, cookieOptions(req));
    res.clearCookie(PRE_AUTH_COOKIE, cookieOptions(req));
    req.log.info({ user: user.name, outcome: 'ok' }, 'login');
    res.redirect(303, next);
  });

  router.post('/logout', form, verifyCsrf, async (req, res) => {
    if (req.ctx.sessionHash) await deleteSession(deps.db, req.ctx.sessionHash);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.redirect(303, '/login');
  });

  router.post('/lang', form, verifyCsrf, (req, res) => {
    const lang = (LANGS as readonly string[]).includes(req.body?.lang) ? (req.body.lang as Lang) : 'fr';
    res.cookie(LANG_COOKIE, lang, { ...cookieOptions(req), maxAge: 365 * 24 * 3600_000 });
    req.ctx.lang = lang;
    req.ctx.t = translator(lang);
    res.redirect(303, safeLocalPath(req.body?.next));
  });
  return router;
}
