import type { AuditFilter, AuditRow } from '../../store/moderation.repository';
import { formatDate } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';

const ACTIONS = ['approve', 'reject', 'escalate', 'undo'];

function describe(state: unknown): string {
  if (!state || typeof state !== 'object') return '–';
  const s = state as { decision?: string | null; decidedBy?: string | null };
  return `${s.decision ?? '∅'}${s.decidedBy ? ` (${s.decidedBy})` : ''}`;
}

export function renderAuditPage(
  ctx: PageContext,
  m: { filter: AuditFilter; rows: AuditRow[]; next: string | null; filterQuery: string; actors: string[] },
): SafeHtml {
  const { t } = ctx;
  const f = m.filter;
  const body = html`<h1>${t('audit.title')}</h1>
<form class="filters" method="get" action="/audit">
<label>${t('audit.actor')} <select name="actor"><option value="">${t('filter.any')}</option>${m.actors.map((a) => html`<option value="${a}"${a === f.actor ? html` selected` : ''}>${a}</option>`)}</select></label>
<label>${t('audit.action')} <select name="action"><option value="">${t('filter.any')}</option>${ACTIONS.map((a) => html`<option value="${a}"${a === f.action ? html` selected` : ''}>${a}</option>`)}</select></label>
<label>${t('audit.commentId')} <input name="comment" value="${f.commentId ?? ''}" maxlength="64"></label>
<label>${t('filter.from')} <input type="date" name="from" value="${f.from?.slice(0, 10) ?? ''}"></label>
<label>${t('filter.to')} <input type="date" name="to" value="${f.to?.slice(0, 10) ?? ''}"></label>
<button type="submit">${t('filter.apply')}</button> <a href="/audit">${t('filter.reset')}</a></form>
<table class="grid audit"><thead><tr><th>${t('audit.at')}</th><th>${t('audit.actor')}</th><th>${t('audit.action')}</th><th>${t('audit.comment')}</th><th>${t('audit.change')}</th></tr></thead><tbody>
${m.rows.map((r) => {
  const details = (r.details ?? {}) as { reason?: string | null };
  return html`<tr><td>${formatDate(r.at, ctx.lang)}</td><td>${r.actor}</td><td><code>${r.action}</code>${details.reason ? html` <span class="reason">${details.reason}</span>` : ''}</td>
<td>${r.commentId ? html`<a href="/comments/${encodeURIComponent(r.commentId)}">${r.commentId.slice(0, 8)}</a>` : '–'}</td><td>${describe(r.before)} → ${describe(r.after)}</td></tr>`;
})}</tbody></table>
${m.rows.length === 0 ? html`<p class="empty">${t('queue.empty')}</p>` : ''}
<nav class="pager">${m.next ? html`<a rel="next" href="/audit?${m.filterQuery ? `${m.filterQuery}&` : ''}after=${encodeURIComponent(m.next)}">${t('queue.next')}</a>` : ''}</nav>`;
  return page(ctx, { title: t('audit.title'), nav: 'audit', body });
}
