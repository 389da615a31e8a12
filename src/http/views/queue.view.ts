import { LABELS } from '../../domain/labels';
import {
  REJECT_REASONS,
  STATUS_FILTERS,
  type ModerationItem,
  type QueueFilter,
  type QueueView,
} from '../../store/moderation.repository';
import type { MessageKey } from '../i18n/messages';
import { csrfField, decisionBadge, formatDate } from './components';
import { html, safeHref, type SafeHtml } from './html';
import { page, type PageContext } from './layout';

export const VIEW_PATHS: Record<QueueView, string> = { review: '/', rejected: '/rejected', approved: '/approved', all: '/all' };
const VIEW_TITLES: Record<QueueView, MessageKey> = { review: 'nav.review', rejected: 'nav.rejected', approved: 'nav.approved', all: 'nav.all' };

export interface QueuePageModel {
  view: QueueView;
  filter: QueueFilter;
  /** The filter as a query string (no cursor), to keep it across pages and actions. */
  filterQuery: string;
  items: ModerationItem[];
  next: string | null;
  isFirstPage: boolean;
  sites: string[];
  articleTitle: string | null;
  presence: Record<string, string[]>;
  bulkLimit: number;
  flash: string | null;
}

function option(value: string, label: string, selected: string | undefined): SafeHtml {
  return html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
}

function filters(ctx: PageContext, m: QueuePageModel): SafeHtml {
  const { t } = ctx;
  const f = m.filter;
  return html`<form class="filters" method="get" action="${VIEW_PATHS[m.view]}" role="search">
<label>${t('filter.q')} <input type="search" name="q" id="q" value="${f.q ?? ''}" maxlength="200"></label>
<label>${t('filter.label')} <select name="label">${option('', t('filter.any'), f.label)}${LABELS.map((l) => option(l, l, f.label))}</select></label>
<label>${t('filter.minScore')} <input type="number" name="min" min="0" max="1" step="0.05" value="${f.minScore ?? ''}" class="narrow"></label>
<label>${t('filter.language')} <select name="lang">${option('', t('filter.any'), f.language)}${['fr', 'en', 'other'].map((l) => option(l, l, f.language))}</select></label>
<label>${t('filter.site')} <select name="site">${option('', t('filter.any'), f.site)}${m.sites.map((s) => option(s, s, f.site))}</select></label>
<label>${t('filter.status')} <select name="status">${option('', t('filter.any'), f.status)}${STATUS_FILTERS.map((s) => option(s, t(`status.${s}` as MessageKey), f.status))}</select></label>
<label>${t('filter.from')} <input type="date" name="from" value="${f.from?.slice(0, 10) ?? ''}"></label>
<label>${t('filter.to')} <input type="date" name="to" value="${f.to?.slice(0, 10) ?? ''}"></label>
${f.articleId ? html`<label class="chip">${t('filter.article')} <input type="hidden" name="article" value="${f.articleId}"><span class="article-title">${m.articleTitle ?? f.articleId}</span></label>` : ''}
<button type="submit">${t('filter.apply')}</button> <a href="${VIEW_PATHS[m.view]}">${t('filter.reset')}</a>
</form>`;
}

function row(ctx: PageContext, item: ModerationItem, presence: string[] | undefined, back: string): SafeHtml {
  const { t } = ctx;
  const topScore = item.topLabel ? item.scores[item.topLabel as keyof typeof item.scores] : undefined;
  return html`<li class="row decision-${item.decision ?? 'none'}" data-id="${item.id}" data-sort="${item.sortKey}" tabindex="-1">
<input type="checkbox" name="ids" value="${item.id}" class="pick" aria-label="${t('action.select')}">
<div class="row-body">
<div class="meta">${decisionBadge(t, item.decision, item.decidedBy)}
${item.topLabel ? html`<span class="top-label">${item.topLabel}${typeof topScore === 'number' ? html` ${Math.round(topScore * 100)}%` : ''}</span>` : ''}
<span class="severity" title="severity">${item.severity === null ? '–' : item.severity.toFixed(2)}</span>
<span class="lang-tag">${item.language ?? ''}</span>
<span class="author">${item.author ?? t('queue.anonymous')}</span>
<a class="article" href="${safeHref(item.articleUrl)}" rel="noopener noreferrer" target="_blank">${item.articleTitle ?? item.articleUrl}</a>
<span class="date">${formatDate(item.publishedAt ?? item.createdAt, ctx.lang)}</span>
<span class="presence"${presence?.length ? '' : html` hidden`}>${presence?.length ? t('queue.openedBy', { names: presence.join(', ') }) : ''}</span>
</div>
<a class="text open" href="/comments/${encodeURIComponent(item.id)}?back=${encodeURIComponent(back)}">${item.text}</a>
</div>
<div class="row-actions">
<button type="submit" name="op" value="approve:${item.id}" class="act approve">${t('action.approve')}</button>
<button type="submit" name="op" value="reject:${item.id}" class="act reject">${t('action.reject')}</button>
<button type="submit" name="op" value="escalate:${item.id}" class="act escalate">${t('action.escalate')}</button>
</div>
</li>`;
}

export function reasonSelect(ctx: PageContext, id = 'reason'): SafeHtml {
  return html`<label>${ctx.t('action.reason')} <select name="reason" id="${id}">${REJECT_REASONS.map(
    (r, i) => html`<option value="${r}"${i === 0 ? html` selected` : ''}>${i + 1}. ${ctx.t(`reason.${r}` as MessageKey)}</option>`,
  )}</select></label>`;
}

export function renderQueuePage(ctx: PageContext, m: QueuePageModel): SafeHtml {
  const { t } = ctx;
  const path = VIEW_PATHS[m.view];
  const back = m.filterQuery ? `${path}?${m.filterQuery}` : path;
  const body = html`<h1>${t(VIEW_TITLES[m.view])} <small class="count">${t('queue.count', { n: m.items.length })}</small></h1>
${filters(ctx, m)}
${m.flash ? html`<p class="flash" role="status">${m.flash}</p>` : ''}
<p id="live-banner" class="live-banner" hidden><a href="${back}"></a></p>
<form id="queue-form" method="post" action="/actions" data-view="${m.view}" data-filtered="${m.filterQuery ? '1' : '0'}">
${csrfField(ctx.csrf)}<input type="hidden" name="back" value="${back}"><input type="hidden" name="filter" value="${m.filterQuery}"><input type="hidden" name="view" value="${m.view}">
<div class="bulk" role="toolbar" aria-label="${t('action.selected')}">
<span>${t('action.selected')}</span>
<button type="submit" name="op" value="approve" class="approve">${t('action.approve')}</button>
<button type="submit" name="op" value="reject" class="reject">${t('action.reject')}</button>
<button type="submit" name="op" value="escalate">${t('action.escalate')}</button>
${reasonSelect(ctx)}
<button type="submit" name="op" value="approve:all" class="approve-all">${t('action.allMatching', { n: m.bulkLimit })}</button>
<button type="submit" name="op" value="undo" class="undo">${t('action.undo')}</button>
</div>
${m.items.length === 0 ? html`<p class="empty">${t('queue.empty')}</p>` : ''}
<ol class="queue" id="queue">${m.items.map((item) => row(ctx, item, m.presence[item.id]?.filter((name) => name !== ctx.user?.name), back))}</ol>
</form>
<nav class="pager">${m.isFirstPage ? '' : html`<a href="${back}">${t('queue.first')}</a>`}
${m.next ? html`<a href="${path}?${m.filterQuery ? `${m.filterQuery}&` : ''}after=${encodeURIComponent(m.next)}" rel="next">${t('queue.next')}</a>` : ''}</nav>`;
  return page(ctx, { title: t(VIEW_TITLES[m.view]), nav: m.view, body, bodyClass: 'page-queue' });
}
