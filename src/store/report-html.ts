import type { Usage } from '../extraction/usage';
import type { ReviewDocument, SlowDocument } from './report-tally';
import type { BatchSummary } from '../batch/summary';

/** What the page shows beyond summary.json: per-document detail the tally kept. */
export interface ReportDetails {
  /** When each document finished (epoch ms). */
  finishedAt: readonly number[];
  slowest: readonly SlowDocument[];
  review: readonly ReviewDocument[];
}

const throughputBuckets = 40;

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) that a
 * person opens from disk or an e-mail: throughput over time, failures by reason, documents that
 * need review, cost and tokens by model, field fill rates and the slowest documents.
 */
export function renderReportHtml(written: BatchSummary, details: ReportDetails): string {
  // Summaries written before these figures existed read as none.
  const summary = { ...written, needsReview: written.needsReview ?? 0, warningsByCheck: written.warningsByCheck ?? {}, fieldFillRates: written.fieldFillRates ?? {}, usageByModel: written.usageByModel ?? {} };
  const title = `docbatch report: ${summary.batchId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${styles}</style>
</head>
<body>
<header>
  <div>
    <h1>${escape(summary.batchId)} <span class="state state-${summary.state}">${summary.state}</span></h1>
    <p class="sub">${escape(schemaLine(summary))}${summary.mode ? ` · ${escape(modeLine(summary.mode))}` : ''} · started ${escape(formatTime(summary.startedAt))} · ${escape(formatDuration(summary.elapsedMs))} active${summary.pausedMs > 0 ? `, ${escape(formatDuration(summary.pausedMs))} paused` : ''}${summary.reason ? ` · ${escape(summary.reason)}` : ''}</p>
  </div>
</header>
<main>
<section class="cards">
  ${card('Documents', formatInt(summary.total), `${formatInt(summary.processed)} processed`)}
  ${card('Succeeded', formatInt(summary.succeeded), `${formatPercent(summary.successRate)} of processed`, 'good')}
  ${card('Failed', formatInt(summary.failed), `${Object.keys(summary.failuresByType).length} reason${Object.keys(summary.failuresByType).length === 1 ? '' : 's'}`, summary.failed > 0 ? 'bad' : '')}
  ${card('Needs review', formatInt(summary.needsReview), 'succeeded with warnings', summary.needsReview > 0 ? 'warn' : '')}
  ${card('Cached', formatInt(summary.cached), 'results reused')}
  ${card('Throughput', `${summary.documentsPerSecond.toFixed(2)}/s`, `${formatDuration(summary.meanDocumentMs)} per document`)}
  ${card('Cost', formatUsd(summary.usage.costUsd), `${formatInt(totalTokens(summary.usage))} tokens`)}
</section>
<section class="grid">
  <article class="wide">
    <h2>Throughput over time <small>documents finished per minute</small></h2>
    ${throughputChart(details.finishedAt, Date.parse(summary.startedAt), Date.parse(summary.finishedAt))}
  </article>
  <article>
    <h2>Failures by reason</h2>
    ${bars(Object.entries(summary.failuresByType), summary.failed, 'bad', 'No failed documents.')}
  </article>
  <article>
    <h2>Needs review, by check</h2>
    ${bars(Object.entries(summary.warningsByCheck), summary.needsReview, 'warn', 'No document needs review.')}
  </article>
  <article class="wide">
    <h2>Cost and tokens by model</h2>
    ${modelTable(summary)}
  </article>
  <article class="wide">
    <h2>Field fill rates${summary.schema ? ` <small>${escape(summary.schema.name)}</small>` : ''}</h2>
    ${fillRates(summary)}
  </article>
  <article class="wide">
    <h2>Documents needing review${details.review.length < summary.needsReview ? ` <small>first ${details.review.length} of ${formatInt(summary.needsReview)}, all in review.jsonl</small>` : ''}</h2>
    ${reviewTable(details.review)}
  </article>
  <article class="wide">
    <h2>Slowest documents</h2>
    ${slowestTable(details.slowest)}
  </article>
</section>
</main>
<footer>Written by docbatch at ${escape(formatTime(summary.finishedAt))} · files in ${escape(summary.outputDir)}</footer>
</body>
</html>
`;
}

function modeLine(mode: NonNullable<BatchSummary['mode']>): string {
  return mode === 'batch' ? 'batch mode (Message Batches)' : 'realtime mode';
}

function schemaLine(summary: BatchSummary): string {
  if (!summary.schema) return 'schema unknown';
  const source = summary.schema.source === 'built-in' ? 'built-in' : summary.schema.source;
  return `schema ${summary.schema.name} (${source}, ${summary.schema.fingerprint})`;
}

function card(label: string, value: string, note: string, tone = ''): string {
  return `<div class="card ${tone}"><div class="label">${escape(label)}</div><div class="value">${escape(value)}</div><div class="note">${escape(note)}</div></div>`;
}

/** Documents finished per minute, in equal time buckets from the batch's start to its end. */
function throughputChart(finishedAt: readonly number[], startedAt: number, endedAt: number): string {
  if (finishedAt.length === 0) return '<p class="empty">No document finished in this batch.</p>';
  const start = Math.min(startedAt, extreme(finishedAt, 'min'));
  const end = Math.max(endedAt, extreme(finishedAt, 'max'), start + 1000);
  const span = end - start;
  const counts = new Array<number>(throughputBuckets).fill(0);
  for (const at of finishedAt) counts[Math.min(throughputBuckets - 1, Math.floor(((at - start) / span) * throughputBuckets))]!++;
  const perMinute = counts.map((count) => (count / (span / throughputBuckets)) * 60_000);
  const peak = Math.max(...perMinute);
  const [width, height, left, bottom, top] = [760, 180, 40, 24, 8];
  const plotWidth = width - left - 8;
  const plotHeight = height - bottom - top;
  const barWidth = plotWidth / throughputBuckets;
  const yTicks = [0, 0.5, 1].map((share) => {
    const y = top + plotHeight * (1 - share);
    return `<line x1="${left}" x2="${width - 8}" y1="${y}" y2="${y}" class="gridline"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${formatRate(peak * share)}</text>`;
  });
  const rects = perMinute.map((rate, index) => {
    const barHeight = peak === 0 ? 0 : (rate / peak) * plotHeight;
    const x = left + index * barWidth;
    return `<rect x="${(x + 1).toFixed(1)}" y="${(top + plotHeight - barHeight).toFixed(1)}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" rx="2"><title>${formatRate(rate)} documents/min at +${formatDuration((index * span) / throughputBuckets)}</title></rect>`;
  });
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((share) => {
    const x = left + plotWidth * share;
    return `<text x="${x}" y="${height - 8}" text-anchor="${share === 0 ? 'start' : share === 1 ? 'end' : 'middle'}">${share === 0 ? 'start' : `+${formatDuration(span * share)}`}</text>`;
  });
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="documents finished per minute over the batch">${yTicks.join('')}<g class="bars">${rects.join('')}</g>${xTicks.join('')}</svg>`;
}

/** min/max over a large array without spreading all of it into arguments. */
function extreme(values: readonly number[], which: 'min' | 'max'): number {
  let result = values[0]!;
  for (const value of values) result = which === 'min' ? Math.min(result, value) : Math.max(result, value);
  return result;
}

function bars(entries: [string, number][], of: number, tone: string, empty: string): string {
  if (entries.length === 0) return `<p class="empty">${escape(empty)}</p>`;
  const sorted = [...entries].sort((a, b) => b[1] - a[1]);
  const peak = sorted[0]![1];
  return `<div class="bars-list">${sorted
    .map(
      ([label, count]) =>
        `<div class="bar-row"><span class="bar-label" title="${escape(label)}">${escape(label)}</span><span class="bar-track"><span class="bar ${tone}" style="width:${((count / Math.max(1, peak)) * 100).toFixed(1)}%"></span></span><span class="bar-value">${formatInt(count)}${of > 0 ? ` <small>${formatPercent(count / of)}</small>` : ''}</span></div>`,
    )
    .join('')}</div>`;
}

function modelTable(summary: BatchSummary & { usageByModel: NonNullable<BatchSummary['usageByModel']> }): string {
  const models = Object.keys(summary.models);
  if (models.length === 0) return '<p class="empty">No model was used.</p>';
  const peak = Math.max(...models.map((model) => summary.usageByModel[model]?.costUsd ?? 0));
  const rows = models.map((model) => {
    const usage: Usage | undefined = summary.usageByModel[model];
    const cost = usage?.costUsd ?? 0;
    return `<tr><td>${escape(model)}</td><td class="num">${formatInt(summary.models[model] ?? 0)}</td><td class="num">${formatInt(usage?.inputTokens ?? 0)}</td><td class="num">${formatInt(usage?.cacheReadTokens ?? 0)}</td><td class="num">${formatInt(usage?.cacheWriteTokens ?? 0)}</td><td class="num">${formatInt(usage?.outputTokens ?? 0)}</td><td class="num cost"><span class="inline-bar" style="width:${peak > 0 ? ((cost / peak) * 60).toFixed(0) : 0}px"></span>${formatUsd(cost)}</td></tr>`;
  });
  const total = summary.usage;
  return `<table><thead><tr><th>Model</th><th class="num">Documents</th><th class="num">Input tokens</th><th class="num">Cache read</th><th class="num">Cache write</th><th class="num">Output tokens</th><th class="num">Cost</th></tr></thead><tbody>${rows.join('')}</tbody><tfoot><tr><td>Total</td><td class="num">${formatInt(summary.processed)}</td><td class="num">${formatInt(total.inputTokens)}</td><td class="num">${formatInt(total.cacheReadTokens)}</td><td class="num">${formatInt(total.cacheWriteTokens)}</td><td class="num">${formatInt(total.outputTokens)}</td><td class="num">${formatUsd(total.costUsd)}</td></tr></tfoot></table>`;
}

function fillRates(summary: BatchSummary & { fieldFillRates: NonNullable<BatchSummary['fieldFillRates']> }): string {
  const entries = Object.entries(summary.fieldFillRates);
  if (entries.length === 0 || summary.succeeded === 0) return '<p class="empty">No succeeded document to measure.</p>';
  return `<div class="fill-grid">${entries
    .map(([field, rate]) => {
      const tone = rate >= 0.9 ? 'good' : rate >= 0.5 ? 'warn' : 'bad';
      return `<div class="bar-row"><span class="bar-label mono" title="${escape(field)}">${escape(field)}</span><span class="bar-track"><span class="bar ${tone}" style="width:${(rate * 100).toFixed(1)}%"></span></span><span class="bar-value">${formatPercent(rate)}</span></div>`;
    })
    .join('')}</div>`;
}

function reviewTable(review: readonly ReviewDocument[]): string {
  if (review.length === 0) return '<p class="empty">Every succeeded document passed the schema\'s consistency checks.</p>';
  return `<table><thead><tr><th class="num">#</th><th>Document</th><th>Why</th></tr></thead><tbody>${review
    .map((document) => `<tr><td class="num">${document.index + 1}</td><td class="path">${escape(document.path)}</td><td><ul>${document.warnings.map((warning) => `<li>${escape(warning)}</li>`).join('')}</ul></td></tr>`)
    .join('')}</tbody></table>`;
}

function slowestTable(slowest: readonly SlowDocument[]): string {
  if (slowest.length === 0) return '<p class="empty">No document was extracted in this batch (all cached or not processed).</p>';
  return `<table><thead><tr><th>Document</th><th>Model</th><th>Status</th><th class="num">Time</th></tr></thead><tbody>${slowest
    .map((document) => `<tr><td class="path">${escape(document.path)}</td><td>${escape(document.model ?? '—')}</td><td><span class="pill ${document.status}">${document.status}</span></td><td class="num">${escape(formatDuration(document.durationMs))}</td></tr>`)
    .join('')}</tbody></table>`;
}

function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

function formatInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}

function formatUsd(value: number): string {
  return value < 1 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function formatRate(value: number): string {
  if (value === 0) return '0';
  return value >= 100 ? formatInt(value) : value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const styles = `
:root { --ink:#1d2433; --muted:#667085; --line:#e4e7ec; --bg:#f6f7f9; --card:#fff; --good:#12a05c; --bad:#d92d20; --warn:#dc8a05; --accent:#3b5bdb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--ink); background:var(--bg); }
header { padding:24px 32px 8px; }
h1 { margin:0; font-size:22px; font-weight:650; display:flex; align-items:center; gap:10px; flex-wrap:wrap; }
h2 { margin:0 0 12px; font-size:15px; font-weight:600; }
h2 small, .sub { color:var(--muted); font-weight:400; }
.sub { margin:6px 0 0; font-size:13px; word-break:break-all; }
main { padding:8px 32px 24px; }
.state { font-size:12px; font-weight:600; padding:2px 10px; border-radius:999px; text-transform:uppercase; letter-spacing:.04em; }
.state-completed { background:#e3f6ec; color:#087443; } .state-failed { background:#fde8e7; color:#b42318; } .state-cancelled { background:#f2f4f7; color:#475467; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(140px, 1fr)); gap:12px; margin-bottom:16px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; border-top:3px solid var(--accent); }
.card.good { border-top-color:var(--good); } .card.bad { border-top-color:var(--bad); } .card.warn { border-top-color:var(--warn); }
.card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card .value { font-size:24px; font-weight:650; margin-top:2px; font-variant-numeric:tabular-nums; }
.card .note { color:var(--muted); font-size:12px; }
.grid { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
article { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; min-width:0; }
article.wide { grid-column:1 / -1; }
.chart { width:100%; height:auto; display:block; }
.chart text { font-size:11px; fill:var(--muted); font-variant-numeric:tabular-nums; }
.chart .gridline { stroke:var(--line); }
.chart .bars rect { fill:var(--accent); }
.bars-list, .fill-grid { display:grid; gap:6px; }
.fill-grid { grid-template-columns:repeat(auto-fill, minmax(330px, 1fr)); column-gap:28px; }
.bar-row { display:grid; grid-template-columns:minmax(90px, 170px) 1fr 80px; align-items:center; gap:10px; }
.fill-grid .bar-row { grid-template-columns:minmax(90px, 130px) 1fr 48px; }
.bar-label { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.mono, .path { font-family:ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size:12.5px; }
.bar-track { background:#eef0f4; border-radius:4px; height:12px; overflow:hidden; }
.bar { display:block; height:100%; background:var(--accent); border-radius:4px; }
.bar.good { background:var(--good); } .bar.bad { background:var(--bad); } .bar.warn { background:var(--warn); }
.bar-value { text-align:right; font-variant-numeric:tabular-nums; }
.bar-value small { color:var(--muted); }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th { text-align:left; color:var(--muted); font-weight:500; font-size:12px; border-bottom:1px solid var(--line); padding:6px 8px; }
td { border-bottom:1px solid var(--line); padding:7px 8px; vertical-align:top; }
tfoot td { font-weight:600; border-bottom:none; }
.num { text-align:right; white-space:nowrap; }
.path { word-break:break-all; }
td ul { margin:0; padding-left:18px; } td li { margin:1px 0; }
.inline-bar { display:inline-block; height:8px; background:var(--accent); opacity:.35; border-radius:3px; margin-right:8px; vertical-align:middle; }
.pill { font-size:12px; padding:1px 8px; border-radius:999px; background:#f2f4f7; }
.pill.succeeded { background:#e3f6ec; color:#087443; } .pill.failed { background:#fde8e7; color:#b42318; }
.empty { color:var(--muted); margin:4px 0; }
footer { color:var(--muted); font-size:12px; padding:0 32px 24px; word-break:break-all; }
@media (max-width: 800px) { .grid { grid-template-columns:1fr; } header, main, footer { padding-left:16px; padding-right:16px; } }
`;
