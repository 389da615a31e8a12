import type { CommentContext, ModerationItem } from '../../store/moderation.repository';
import { csrfField, decisionBadge, formatDate, scoreBars } from './components';
import { highlightSpans } from './highlight';
import { html, safeHref, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import { reasonSelect } from './queue.view';

function mini(ctx: PageContext, item: ModerationItem): SafeHtml {
  return html`<li class="mini decision-${item.decision ?? 'none'}">
<div class="meta">${decisionBadge(ctx.t, item.decision, item.decidedBy)}<span class="author">${item.author ?? ctx.t('queue.anonymous')}</span><span class="date">${formatDate(item.publishedAt ?? item.createdAt, ctx.lang)}</span></div>
<a class="text" href="/comments/${encodeURIComponent(item.id)}">${item.text}</a></li>`;
}

export function renderDetailPage(ctx: PageContext, c: CommentContext, options: { back: string; presence: string[] }): SafeHtml {
  const { t } = ctx;
  const { item, current, machine } = c;
  const shown = current ?? machine;
  const spans = machine?.spans ?? shown?.spans ?? [];
  const others = options.presence.filter((n) => n !== ctx.user?.name);
  const body = html`<p><a href="${options.back}" class="back">${t('detail.back')}</a></p>
<article class="detail decision-${item.decision ?? 'none'}" data-id="${item.id}" id="detail">
<header class="meta">${decisionBadge(t, item.decision, item.decidedBy)}
<span class="author">${item.author ?? t('queue.anonymous')}</span>
<span class="date">${t('detail.published')} ${formatDate(item.publishedAt ?? item.createdAt, ctx.lang)}</span>
<span class="site">${item.siteId}</span></header>
<p class="presence warn" id="presence"${others.length ? '' : html` hidden`}>${others.length ? t('detail.alsoOpen', { names: others.join(', ') }) : ''}</p>
<h1 class="visually-hidden">${t('detail.title')}</h1>
<p class="text highlighted">${highlightSpans(item.text, spans)}</p>
<form method="post" action="/actions" class="detail-actions" id="detail-form">
${csrfField(ctx.csrf)}<input type="hidden" name="back" value="${options.back}">
<button type="submit" name="op" value="approve:${item.id}" class="approve">${t('action.approve')} <kbd>a</kbd></button>
<button type="submit" name="op" value="reject:${item.id}" class="reject">${t('action.reject')} <kbd>r</kbd></button>
${reasonSelect(ctx, 'detail-reason')}
<button type="submit" name="op" value="escalate:${item.id}">${t('action.escalate')} <kbd>e</kbd></button>
<button type="submit" name="op" value="undo" class="undo">${t('action.undo')} <kbd>u</kbd></button>
</form>
<div class="columns">
<section><h2>${t('detail.scores')}</h2>${scoreBars(shown?.scores ?? {})}</section>
<section><h2>${t('detail.reasons')}</h2>
<ul class="reasons">${(machine?.reasons ?? []).map((r) => html`<li><code>${r.code}</code> ${r.message}</li>`)}</ul>
<dl class="facts">
<dt>${t('detail.language')}</dt><dd>${item.language ?? shown?.language ?? '–'}</dd>
<dt>${t('detail.model')}</dt><dd><code>${machine?.modelVersion ?? '–'}</code></dd>
<dt>${t('detail.policy')}</dt><dd><code>${machine?.policyVersion ?? '–'}</code></dd>
<dt>${t('detail.decidedBy')}</dt><dd>${item.decidedBy ?? '–'}</dd>
<dt>${t('detail.article')}</dt><dd><a href="${safeHref(item.articleUrl)}" rel="noopener noreferrer" target="_blank">${item.articleTitle ?? item.articleUrl}</a>
 · <a href="/all?article=${encodeURIComponent(item.articleId)}">${t('nav.all')}</a></dd>
</dl></section>
</div>
<section class="thread"><h2>${t('detail.parent')}</h2>${c.parent ? html`<ul class="minis">${mini(ctx, c.parent)}</ul>` : html`<p class="empty">–</p>`}
<h2>${t('detail.replies')}</h2>${c.replies.length ? html`<ul class="minis">${c.replies.map((r) => mini(ctx, r))}</ul>` : html`<p class="empty">${t('detail.noReplies')}</p>`}</section>
${item.author ? html`<section><h2>${t('detail.author', { author: item.author })}</h2>${c.authorRecent.length ? html`<ul class="minis">${c.authorRecent.map((r) => mini(ctx, r))}</ul>` : html`<p class="empty">–</p>`}</section>` : ''}
<section><h2>${t('detail.history')}</h2><ol class="history">${c.decisions.map(
    (d) => html`<li${d.isCurrent ? html` class="current"` : ''}><span class="date">${formatDate(d.createdAt, ctx.lang)}</span> <code>${d.actor}</code> → ${decisionBadge(t, d.decision, null)} ${d.reasons.map((r) => html`<code>${r.code}</code> `)}</li>`,
  )}</ol></section>
</article>`;
  return page(ctx, { title: t('detail.title'), body, bodyClass: 'page-detail' });
}
