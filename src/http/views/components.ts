import { LABELS } from '../../domain/labels';
import type { Translate, MessageKey } from '../i18n/messages';
import { html, type SafeHtml } from './html';

export function decisionBadge(t: Translate, decision: string | null, decidedBy: string | null): SafeHtml {
  const key = (decision ? `decision.${decision}` : 'decision.none') as MessageKey;
  const human = decidedBy?.startsWith('moderator:');
  return html`<span class="badge decision-${decision ?? 'none'}">${t(key)}${human ? html` <span class="by">· ${decidedBy!.slice('moderator:'.length)}</span>` : ''}</span>`;
}

/** Every label the scorers reported, as accessible meters (no inline styles: CSP). */
export function scoreBars(scores: Record<string, number | undefined>): SafeHtml {
  const known = LABELS.filter((label) => typeof scores[label] === 'number');
  return html`<ul class="scores">${known.map((label) => {
    const pct = Math.round((scores[label] ?? 0) * 100);
    return html`<li class="score${pct >= 50 ? ' high' : ''}" data-label="${label}"><span class="label">${label}</span><meter min="0" max="100" low="35" high="50" optimum="0" value="${pct}">${pct}%</meter><span class="pct">${pct}%</span></li>`;
  })}</ul>`;
}

export const formatDate = (iso: string | null, lang: string): string =>
  iso ? new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '';

export const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;
