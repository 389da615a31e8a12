import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../lib/errors';
import { translator } from '../i18n/messages';
import { renderErrorPage } from '../views/login.view';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** The one place errors become responses. Unknown errors are logged once here and hidden. */
export function errorHandler() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appError = toAppError(err);
    if (appError.status >= 500) req.log?.error({ err }, 'request failed');
    else req.log?.debug({ code: appError.code }, 'request rejected');
    if (res.headersSent) return;
    // Browsers get a page (escaped, in their language); API clients get JSON.
    if (req.ctx && req.accepts(['json', 'html']) === 'html') {
      const t = req.ctx.t ?? translator('fr');
      const message = appError.status === 403 ? t('error.forbidden') : appError.status === 404 ? t('error.notFound') : appError.publicMessage;
      const ctx = { t, lang: req.ctx.lang, user: req.ctx.user, csrf: req.ctx.csrfToken ?? '', here: '/' };
      res.status(appError.status).type('html').send(renderErrorPage(ctx, appError.status, message).value);
      return;
    }
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.publicMessage, ...(appError.details ?? {}) },
    });
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const parserError = err as BodyParserError;
  if (parserError?.type === 'entity.too.large') {
    return new AppError('payload_too_large', 413, 'Request body is too large');
  }
  if (parserError?.type === 'entity.parse.failed') return new AppError('bad_request', 400, 'Body is not valid JSON');
  return new AppError('internal', 500, 'Internal error', { cause: err });
}
