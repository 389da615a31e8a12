import type { Request } from 'express';
import { LANGS, type Lang } from './messages';

export const LANG_COOKIE = 'vigie_lang';

/** The switch (cookie) wins, then Accept-Language, then French. */
export function pickLanguage(req: Request, cookies: Record<string, string>): Lang {
  const chosen = cookies[LANG_COOKIE];
  if (chosen && (LANGS as readonly string[]).includes(chosen)) return chosen as Lang;
  const accepted = req.acceptsLanguages(...LANGS);
  return typeof accepted === 'string' ? (accepted as Lang) : 'fr';
}
