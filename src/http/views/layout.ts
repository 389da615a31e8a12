import type { Lang, MessageKey, Translate } from '../i18n/messages';
import { clientMessages } from '../i18n/messages';
import type { SessionUser } from '../middleware/auth';
import { html, SafeHtml } from './html';

/** What every page needs to render its frame. */
export interface PageContext {
  t: Translate;
  lang: Lang;
  user: SessionUser | null;
  csrf: string;
  /** Path + query of this page, for the language switch to return to. */
  here: string;
}

const NAV: { href: string; key: MessageKey; id: string; admin?: boolean }[] = [
  { href: '/', key: 'nav.review', id: 'review' },
  { href: '/rejected', key: 'nav.rejected', id: 'rejected' },
  { href: '/approved', key: 'nav.approved', id: 'approved' },
  { href: '/all', key: 'nav.all', id: 'all' },
  { href: '/audit', key: 'nav.audit', id: 'audit' },
  { href: '/stats', key: 'nav.stats', id: 'stats' },
  { href: '/users', key: 'nav.users', id: 'users', admin: true },
];

function languageSwitch(ctx: PageContext): SafeHtml {
  const other = ctx.lang === 'fr' ? 'en' : 'fr';
  return html`<form class="lang" method="post" action="/lang">
<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="lang" value="${other}"><input type="hidden" name="next" value="${ctx.here}">
<button type="submit" lang="${other}">${ctx.t('nav.language')}</button></form>`;
}

function helpDialog(t: Translate): SafeHtml {
  const keys: MessageKey[] = ['help.jk', 'help.a', 'help.r', 'help.e', 'help.x', 'help.o', 'help.u', 'help.slash', 'help.esc', 'help.q'];
  return html`<dialog id="help" aria-labelledby="help-title"><h2 id="help-title">${t('help.title')}</h2>
<ul class="keys">${keys.map((k) => html`<li>${t(k)}</li>`)}</ul>
<form method="dialog"><button type="submit" class="primary">${t('help.close')}</button></form></dialog>`;
}

export function page(ctx: PageContext, options: { title: string; nav?: string; body: SafeHtml; bodyClass?: string }): SafeHtml {
  const { t, user } = ctx;
  const nav = user
    ? html`<nav class="nav" aria-label="Vigie">${NAV.filter((n) => !n.admin || user.role === 'admin').map(
        (n) => html`<a href="${n.href}"${n.id === options.nav ? html` aria-current="page"` : ''}>${t(n.key)}</a>`,
      )}</nav>
<div class="who"><span class="me">${t('nav.signedInAs', { name: user.name })}</span>${languageSwitch(ctx)}
<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">${t('nav.logout')}</button></form></div>`
    : html`<div class="who">${languageSwitch(ctx)}</div>`;
  // Data for the script travels in a non-executable JSON block (CSP allows only /static scripts).
  const boot = JSON.stringify({ csrf: ctx.csrf, me: user?.name ?? null, messages: clientMessages(ctx.lang) }).replace(/</g, '\\u003c');
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · Vigie</title>
<link rel="stylesheet" href="/static/vigie.css">
<script src="/static/vigie.js" defer></script>
</head>
<body class="${options.bodyClass ?? ''}">
<a class="skip" href="#main">${t('app.skip')}</a>
<header class="top"><a class="brand" href="/">Vigie</a>${nav}</header>
<main id="main" tabindex="-1">${options.body}</main>
${user ? html`<p class="hint">${t('help.hint')}</p>${helpDialog(t)}` : ''}
<div id="toast" class="toast" role="status" aria-live="polite"></div>
<script type="application/json" id="vigie-boot">${new SafeHtml(boot)}</script>
</body>
</html>`;
}
