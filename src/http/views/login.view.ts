import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';

export function renderLoginPage(ctx: PageContext, options: { next: string; name?: string; error?: string }): SafeHtml {
  const { t } = ctx;
  const body = html`<section class="login"><h1>${t('login.title')}</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="next" value="${options.next}">
<label for="name">${t('login.name')}</label><input id="name" name="name" autocomplete="username" required autofocus value="${options.name ?? ''}" maxlength="64">
<label for="password">${t('login.password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit" class="primary">${t('login.submit')}</button>
</form></section>`;
  return page(ctx, { title: t('login.title'), body, bodyClass: 'page-login' });
}

export function renderErrorPage(ctx: PageContext, status: number, message: string): SafeHtml {
  return page(ctx, { title: String(status), body: html`<h1>${status}</h1><p class="error">${message}</p><p><a href="/">Vigie</a></p>` });
}
