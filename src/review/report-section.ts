import type { ReviewStateFile } from './batch-outputs';

const start = '<!-- docbatch-review -->';
const end = '<!-- /docbatch-review -->';

/**
 * report.html with the review's progress: a section of its own between markers, replaced on every
 * write (or put before </main> the first time), in the page's own styles and still without script.
 */
export function withReviewSection(html: string, state: ReviewStateFile): string {
  const section = `${start}\n${renderReviewSection(state)}\n${end}`;
  const from = html.indexOf(start);
  const to = html.indexOf(end);
  if (from >= 0 && to > from) return html.slice(0, from) + section + html.slice(to + end.length);
  const main = html.lastIndexOf('</main>');
  if (main < 0) return html;
  return html.slice(0, main) + section + '\n' + html.slice(main);
}

export function renderReviewSection(state: ReviewStateFile): string {
  const { counts } = state;
  const decided = counts.total - counts.pending;
  const percent = counts.total === 0 ? 100 : Math.round((decided / counts.total) * 100);
  const bar = (label: string, value: number, tone: string) =>
    `<div class="bar-row"><span class="bar-label">${label}</span><span class="bar-track"><span class="bar ${tone}" style="width:${counts.total === 0 ? 0 : ((value / counts.total) * 100).toFixed(1)}%"></span></span><span class="bar-value">${value}</span></div>`;
  const recent = state.items
    .filter((item) => item.status !== 'pending' && item.at)
    .sort((a, b) => (a.at! < b.at! ? 1 : -1))
    .slice(0, 10)
    .map(
      (item) =>
        `<tr><td>${item.index}</td><td class="path">${escape(item.path)}</td><td>${item.status}</td><td>${escape(item.by ?? '')}</td><td>${escape(item.at ?? '')}</td><td>${escape((item.changedFields ?? []).join(', ') || item.reason || '')}</td></tr>`,
    )
    .join('');
  return `<section class="grid" id="review"><article class="wide">
  <h2>Review <small>${state.state}, ${decided} of ${counts.total} decided (${percent}%), updated ${escape(state.writtenAt)}; \`docbatch review ${escape(state.batchId)}\`, results.reviewed.jsonl</small></h2>
  <div class="bars-list">${bar('pending', counts.pending, 'warn')}${bar('approved', counts.approved, 'good')}${bar('corrected', counts.corrected, 'good')}${bar('rejected', counts.rejected, 'bad')}</div>
  ${recent ? `<table><thead><tr><th>#</th><th>document</th><th>decision</th><th>by</th><th>at</th><th>changed / reason</th></tr></thead><tbody>${recent}</tbody></table>` : '<p class="empty">No decision yet.</p>'}
</article></section>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
