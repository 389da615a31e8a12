import type { Span } from '../../domain/decision';
import { html, type SafeHtml } from './html';

/**
 * The comment text with its flagged spans marked. Spans index the ORIGINAL text and may overlap;
 * the text is cut at every span boundary and each segment is escaped on its own, so no span can
 * split or inject markup.
 */
export function highlightSpans(text: string, spans: readonly Span[]): SafeHtml {
  const valid = spans
    .map((s) => ({ ...s, start: Math.max(0, Math.floor(s.start)), end: Math.min(text.length, Math.floor(s.end)) }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start);
  if (valid.length === 0) return html`${text}`;
  const cuts = [...new Set([0, text.length, ...valid.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const parts: SafeHtml[] = [];
  for (let i = 0; i < cuts.length - 1; i++) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const segment = text.slice(from, to);
    const covering = valid.filter((s) => s.start <= from && s.end >= to);
    if (covering.length === 0) {
      parts.push(html`${segment}`);
      continue;
    }
    const labels = [...new Set(covering.map((s) => s.label))];
    const sources = [...new Set(covering.map((s) => s.source))];
    const title = `${labels.join(', ')} (${sources.join(', ')})`;
    parts.push(html`<mark class="hl hl-${labels[0].replace(/[^a-z_]/g, '')}" title="${title}">${segment}</mark>`);
  }
  return html`${parts}`;
}
