import type { Request, Response } from 'express';
import { csrfTokenFor } from '../middleware/auth';
import type { PageContext } from '../views/layout';

export function pageContext(req: Request, res: Response): PageContext {
  return { t: req.ctx.t, lang: req.ctx.lang, user: req.ctx.user, csrf: csrfTokenFor(req, res), here: safeLocalPath(req.originalUrl) };
}

/** Only same-site paths are followed after login or an action (no open redirect). */
export function safeLocalPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f\\]/.test(value)) return fallback;
  return value;
}

export function sendHtml(res: Response, markup: { value: string }, status = 200): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store');
  res.send(markup.value);
}
