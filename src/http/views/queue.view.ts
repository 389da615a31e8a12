import { LABELS } from '../../domain/labels';
import type { QueueItem } from '../../store/comments.repository';
import { html, safeHref, type SafeHtml } from './html';
import { layout } from './layout';

function scoreBars(scores: Record<string, number>): SafeHtml {
  const known = LABELS.filter((label) => scores[label] !== undefined);
  return html`<ul class="scores">${known.map((label) => {
    const pct = Math.round((scores[label] ?? 0) * 100);
    return html`<li class="score" data-label="${label}"><span class="label">${label}</span><meter min="0" max="100" value="${pct}"></meter><span class="pct">${pct}%</span></li>`;
  })}</ul>`;
}

export function renderQueuePage(items: QueueItem[], nextCursor: string | null): SafeHtml {
  const rows = items.map(
    (item) => html`<article class="comment decision-${item.decision}" data-id="${item.id}">
  <header>
    <span class="decision">${item.decision}</span>
    <span class="severity">${item.severity.toFixed(2)}</span>
    <span class="top-label">${item.topLabel ?? ''}</span>
    <span class="author">${item.author ?? 'anonyme'}</span>
    <a class="article" href="${safeHref(item.articleUrl)}" rel="noopener noreferrer">${item.articleTitle ?? item.articleUrl}</a>
  </header>
  <p class="text">${item.text}</p>
  ${scoreBars(item.scores)}
</article>`,
  );
  const body = html`<h1>À modérer <small>(${items.length})</small></h1>
${items.length === 0 ? html`<p class="empty">Rien à modérer pour l'instant.</p>` : rows}
${nextCursor ? html`<nav class="pager"><a href="/?after=${encodeURIComponent(nextCursor)}">Suivants →</a></nav>` : ''}`;
  return layout('À modérer', body);
}
