import { ROLES } from '../../auth/roles';
import type { User } from '../../store/users.repository';
import type { MessageKey } from '../i18n/messages';
import { csrfField, formatDate } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';

export function renderUsersPage(ctx: PageContext, users: User[], options: { created?: { name: string; password: string }; error?: string }): SafeHtml {
  const { t } = ctx;
  const body = html`<h1>${t('users.title')}</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
${options.created ? html`<div class="flash" role="status"><p>${t('users.created', { name: options.created.name })}</p><p><code class="secret">${options.created.password}</code></p></div>` : ''}
<table class="grid"><thead><tr><th>${t('users.name')}</th><th>${t('users.role')}</th><th>${t('users.state')}</th><th></th><th></th></tr></thead><tbody>
${users.map(
  (u) => html`<tr><td>${u.name}</td><td>${t(`role.${u.role}` as MessageKey)}</td><td>${u.disabled ? t('users.disabled') : t('users.active')}</td><td>${formatDate(u.createdAt, ctx.lang)}</td>
<td>${u.disabled || u.id === ctx.user?.id ? '' : html`<form method="post" action="/users/${encodeURIComponent(u.name)}/disable">${csrfField(ctx.csrf)}<button type="submit">${t('users.disable')}</button></form>`}</td></tr>`,
)}</tbody></table>
<h2>${t('users.add')}</h2>
<form method="post" action="/users" class="inline">${csrfField(ctx.csrf)}
<label>${t('users.name')} <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}" maxlength="64"></label>
<label>${t('users.role')} <select name="role">${ROLES.map((r) => html`<option value="${r}">${t(`role.${r}` as MessageKey)}</option>`)}</select></label>
<button type="submit" class="primary">${t('users.add')}</button></form>`;
  return page(ctx, { title: t('users.title'), nav: 'users', body });
}
