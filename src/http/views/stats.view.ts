import type { Stats } from '../../store/moderation.repository';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';

const DECISIONS = ['approve', 'review', 'reject'] as const;
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Stacked bars, one per hour, coloured by decision through CSS classes (CSP forbids inline styles). */
function perHourChart(stats: Stats, title: string): SafeHtml {
  // A fixed 48-hour axis ending at the current hour, so quiet hours show as gaps.
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const hours = Array.from({ length: 48 }, (_, i) => new Date(end - (47 - i) * 3_600_000).toISOString());
  const W = 720;
  const H = 180;
  const max = Math.max(1, ...hours.map((h) => stats.perHour.filter((p) => p.hour === h).reduce((s, p) => s + p.n, 0)));
  const bw = (W - 40) / hours.length - 2;
  const bars = hours.flatMap((hour, i) => {
    let y = H - 20;
    return DECISIONS.map((d) => {
      const n = stats.perHour.find((p) => p.hour === hour && p.decision === d)?.n ?? 0;
      const h = ((H - 40) * n) / max;
      y -= h;
      return n ? html`<rect class="bar-${d}" x="${r1(30 + i * (bw + 2))}" y="${r1(y)}" width="${r1(bw)}" height="${r1(h)}"><title>${hour.slice(0, 13)}h ${d}: ${n}</title></rect>` : '';
    });
  });
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">
<line class="axis" x1="28" y1="${H - 20}" x2="${W}" y2="${H - 20}"></line>
<text x="0" y="20" class="tick">${max}</text><text x="0" y="${H - 22}" class="tick">0</text>
${bars}
<text x="30" y="${H - 4}" class="tick">${hours[0].slice(5, 13)}h</text><text x="${W - 90}" y="${H - 4}" class="tick">${hours.at(-1)!.slice(5, 13)}h</text>
</svg>
<p class="legend">${DECISIONS.map((d) => html`<span class="key key-${d}">${d}</span> `)}</p>`;
}

function histogram(label: string, buckets: number[]): SafeHtml {
  const W = 220;
  const H = 90;
  const max = Math.max(1, ...buckets);
  const total = buckets.reduce((a, b) => a + b, 0);
  return html`<figure class="hist"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">
${buckets.map((n, i) => {
  const h = ((H - 25) * n) / max;
  return html`<rect class="bar-hist${i >= 5 ? ' hot' : ''}" x="${i * 22}" y="${r1(H - 15 - h)}" width="20" height="${r1(h)}"><title>${i / 10}–${(i + 1) / 10}: ${n}</title></rect>`;
})}
<text x="0" y="${H - 2}" class="tick">0</text><text x="${W - 14}" y="${H - 2}" class="tick">1</text></svg>
<figcaption>${label} <small>(${total})</small></figcaption></figure>`;
}

function hbars(rows: { label: string; value: number; text: string }[], max: number): SafeHtml {
  const W = 520;
  const rowH = 22;
  return html`<svg class="chart hbars" viewBox="0 0 ${W} ${rows.length * rowH + 4}" role="img">
${rows.map((r, i) => html`<text x="0" y="${i * rowH + 15}" class="tick">${r.label}</text>
<rect class="bar-review" x="170" y="${i * rowH + 3}" width="${r1((260 * r.value) / Math.max(max, 1e-9))}" height="${rowH - 8}"></rect>
<text x="${440}" y="${i * rowH + 15}" class="tick">${r.text}</text>`)}
</svg>`;
}

export function renderStatsPage(ctx: PageContext, stats: Stats): SafeHtml {
  const { t } = ctx;
  const perActor = new Map<string, number>();
  for (const row of stats.throughput) perActor.set(row.actor, (perActor.get(row.actor) ?? 0) + row.n);
  const actors = [...perActor.entries()].sort((a, b) => b[1] - a[1]);
  const body = html`<h1>${t('stats.title')}</h1>
<section><h2>${t('stats.depth')}</h2><dl class="depth">
<div><dt>${t('stats.toReview')}</dt><dd id="depth-review">${stats.queueDepth.toReview}</dd></div>
<div><dt>${t('stats.pending')}</dt><dd>${stats.queueDepth.pending}</dd></div>
<div><dt>${t('stats.escalated')}</dt><dd>${stats.queueDepth.escalated}</dd></div></dl></section>
<section><h2>${t('stats.perHour')}</h2>${stats.perHour.length ? perHourChart(stats, t('stats.perHour')) : html`<p class="empty">${t('stats.none')}</p>`}</section>
<section><h2>${t('stats.histograms')}</h2><div class="hists">${Object.entries(stats.histograms).map(([label, buckets]) => histogram(label, buckets))}</div></section>
<section><h2>${t('stats.throughput')}</h2>${actors.length ? hbars(actors.map(([a, n]) => ({ label: a.replace(/^moderator:/, ''), value: n, text: String(n) })), actors[0][1]) : html`<p class="empty">${t('stats.none')}</p>`}</section>
<section><h2>${t('stats.agreement')}</h2>${stats.agreement.length ? hbars(stats.agreement.map((a) => ({ label: a.label, value: a.agree / a.n, text: `${Math.round((100 * a.agree) / a.n)}% (n=${a.n})` })), 1) : html`<p class="empty">${t('stats.none')}</p>`}</section>`;
  return page(ctx, { title: t('stats.title'), nav: 'stats', body });
}
