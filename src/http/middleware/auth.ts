import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { hasRole, type Role } from '../../auth/roles';
import { randomToken, safeEqual, sha256 } from '../../auth/secrets';
import { AppError } from '../../lib/errors';
import type { Database } from '../../store/database';
import { findSession, touchSession } from '../../store/sessions.repository';
import { findApiToken } from '../../store/users.repository';
import { pickLanguage } from '../i18n/language';
import { translator, type Lang, type Translate } from '../i18n/messages';

export const SESSION_COOKIE = 'vigie_sid';
/** Anonymous CSRF token (double-submit) for the login and language forms, before any session exists. */
export const PRE_AUTH_COOKIE = 'vigie_pre';
export const SESSION_IDLE_MS = 12 * 3600_000;
const TOUCH_EVERY_MS = 60_000;

export interface SessionUser {
  id: string;
  name: string;
  role: Role;
}

export interface RequestContext {
  cookies: Record<string, string>;
  user: SessionUser | null;
  /** SHA-256 of the session cookie, when logged in. */
  sessionHash: string | null;
  /** The synchronizer token of the session; for anonymous requests, the pre-auth cookie's value. */
  csrfToken: string | null;
  lang: Lang;
  t: Translate;
  apiToken?: { id: string; name: string };
}

declare module 'express-serve-static-core' {
  interface Request {
    ctx: RequestContext;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

export function cookieOptions(req: Request, httpOnly = true) {
  return { httpOnly, sameSite: 'lax' as const, secure: req.secure, path: '/' };
}

/** Loads the session (if any), the UI language and the CSRF token into `req.ctx`. */
export function loadSession(db: Database): RequestHandler {
  return async (req, res, next) => {
    const cookies = parseCookies(req.headers.cookie);
    const lang = pickLanguage(req, cookies);
    req.ctx = { cookies, user: null, sessionHash: null, csrfToken: cookies[PRE_AUTH_COOKIE] ?? null, lang, t: translator(lang) };
    const sid = cookies[SESSION_COOKIE];
    if (!sid) return next();
    const idHash = sha256(sid);
    const session = await findSession(db, idHash);
    if (!session) {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      return next();
    }
    req.ctx.user = session.user;
    req.ctx.sessionHash = idHash;
    req.ctx.csrfToken = session.csrfToken;
    if (Date.now() - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) await touchSession(db, idHash, SESSION_IDLE_MS);
    next();
  };
}

/** The token to embed in forms; creates the anonymous one on first use. */
export function csrfTokenFor(req: Request, res: Response): string {
  if (req.ctx.csrfToken) return req.ctx.csrfToken;
  const token = randomToken(24);
  res.cookie(PRE_AUTH_COOKIE, token, cookieOptions(req));
  req.ctx.csrfToken = token;
  return token;
}

const wantsHtml = (req: Request) => req.method === 'GET' && req.accepts(['html', 'json']) === 'html' && !req.xhr;

function deny(req: Request, res: Response, next: NextFunction) {
  if (wantsHtml(req)) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next(new AppError('unauthorized', 401, 'Login required'));
}

/** Any logged-in user; HTML pages redirect to /login, everything else answers 401. */
export const requireAuth: RequestHandler = (req, res, next) => {
  if (!req.ctx?.user) return deny(req, res, next);
  next();
};

/** For the lead's /admin/queues and the users page: 401/redirect when logged out, 403 for a lower role. */
export function requireRole(role: Role): RequestHandler {
  return (req, res, next) => {
    const user = req.ctx?.user;
    if (!user) return deny(req, res, next);
    if (!hasRole(user.role, role)) return next(new AppError('forbidden', 403, 'Forbidden'));
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request carries the session's synchronizer token (form field `_csrf` or
 * header `X-CSRF-Token`); anonymous forms carry the pre-auth cookie's value. Run after body parsing.
 */
export const verifyCsrf: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const expected = req.ctx?.csrfToken;
  const body = req.body as Record<string, unknown> | undefined;
  const sent = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
  if (!expected || !sent || !safeEqual(sent, expected)) return next(new AppError('csrf', 403, 'Invalid or missing CSRF token'));
  next();
};

/** `Authorization: Bearer <token>` created by `vigie users token`; stored hashed. */
export function requireApiToken(db: Database): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(req.get('authorization') ?? '');
    const token = match ? await findApiToken(db, sha256(match[1])) : null;
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="vigie"');
      return next(new AppError('unauthorized', 401, 'A valid API token is required'));
    }
    req.ctx.apiToken = token;
    next();
  };
}
