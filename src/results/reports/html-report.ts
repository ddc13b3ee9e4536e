import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactRef, RowResult } from '../types';
import { recordedSelectors, rowName, type JobReportInput } from './report-input';

/**
 * One HTML file that opens offline: counters, a rows table that filters to failures, and for each failed row
 * the failing step, its message, the selectors it tried, its screenshot inline and links to its trace and video.
 * Every value is escaped; the screenshot is a data: URL; the only script is the filter.
 */

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function inlinePng(path: string | undefined): string | undefined {
  if (!path || !existsSync(path)) return undefined;
  return `data:image/png;base64,${readFileSync(path).toString('base64')}`;
}

function artifactHref(input: JobReportInput, a: ArtifactRef): string {
  return input.linkBase ? relative(input.linkBase, a.location).split('\\').join('/') : pathToFileURL(a.location).href;
}

function artifactLinks(input: JobReportInput, r: RowResult): string {
  const links = (r.artifacts ?? []).map(
    (a) =>
      `<a class="artifact ${a.kind}" href="${esc(artifactHref(input, a))}">${a.kind === 'trace' ? 'Trace' : 'Video'} (session ${a.attempt + 1}, ${(a.bytes / 1024).toFixed(0)} KB)</a>`,
  );
  return links.length
    ? `<p class="artifacts">${links.join(' · ')}${links.some((l) => l.includes('trace')) ? ' <span class="hint">open a trace with <code>npx playwright show-trace &lt;file&gt;</code></span>' : ''}</p>`
    : '';
}

function healedList(r: RowResult): string {
  const healed = r.steps.filter((s) => s.healed);
  if (!healed.length) return '';
  return `<ul class="healed">${healed.map((s) => `<li><span class="badge healed">healed</span> step ${s.index} (${esc(s.type)}) matched <code>${esc(s.selectorUsed ?? '')}</code></li>`).join('')}</ul>`;
}

function failureSection(input: JobReportInput, r: RowResult): string {
  const error = r.error!;
  const step = r.steps[error.stepIndex];
  const tried = recordedSelectors(input.steps?.[error.stepIndex]);
  const shot = inlinePng(r.screenshot ?? step?.screenshot);
  return `<section class="failure" id="row-${r.row}" data-row="${r.row}">
  <h3>${esc(rowName(input, r.row))} <span class="badge failed">failed</span></h3>
  <p class="failing-step">Step ${error.stepIndex}${step ? ` · <code>${esc(step.type)}</code>` : ''} · <strong>${esc(error.type)}</strong> after ${step?.attempts ?? 0} attempt(s)</p>
  <pre class="message">${esc(error.message)}</pre>
  ${tried.length ? `<p>Selectors tried:</p><ul class="selectors">${tried.map((s) => `<li><code>${esc(s)}</code></li>`).join('')}</ul>` : ''}
  ${step?.selectorUsed ? `<p>Selector matched: <code>${esc(step.selectorUsed)}</code></p>` : ''}
  ${healedList(r)}
  ${shot ? `<img class="screenshot" alt="screenshot of ${esc(rowName(input, r.row))} at step ${error.stepIndex}" src="${shot}">` : '<p class="no-screenshot">No screenshot.</p>'}
  ${artifactLinks(input, r)}
</section>`;
}

function rowLine(input: JobReportInput, r: RowResult): string {
  const healed = r.steps.filter((s) => s.healed).length;
  const failed = r.status !== 'passed';
  return `<tr class="row ${r.status}" data-status="${r.status}">
  <td>${failed && r.error ? `<a href="#row-${r.row}">${esc(rowName(input, r.row))}</a>` : esc(rowName(input, r.row))}</td>
  <td><span class="badge ${r.status}">${r.status}</span></td><td>${secs(r.durationMs)}</td><td>${r.sessionRestarts}</td>
  <td>${r.flaky ? '<span class="badge flaky">flaky</span>' : ''}</td><td>${healed ? `<span class="badge healed">${healed} healed</span>` : ''}</td>
  <td>${r.error ? `step ${r.error.stepIndex}: ${esc(r.error.type)}` : ''}</td></tr>`;
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}.badge{border-radius:3px;padding:0 .4rem;color:#fff}
.passed{background:#2e7d32}.failed{background:#c62828}.cancelled{background:#757575}.flaky{background:#ef6c00}.healed{background:#6a1b9a}
tr.row .badge{display:inline-block}.counters span{margin-right:1.2rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}
img.screenshot{max-width:100%;border:1px solid #ccc}section.failure{border-top:2px solid #c62828;margin-top:1.5rem}.hint{color:#666}`;

const FILTER_SCRIPT = `document.getElementById('failures-only').addEventListener('change', function (e) {
  document.querySelectorAll('tr.row').forEach(function (tr) { tr.hidden = e.target.checked && tr.dataset.status === 'passed'; });
});`;

export function buildHtmlReport(input: JobReportInput): string {
  const { summary: s, rows } = input;
  const c = s.rows;
  const failures = rows.filter((r) => r.status === 'failed' && r.error);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Job ${esc(s.jobId)}: ${s.status}</title><style>${STYLE}</style></head>
<body>
<h1>Job <code>${esc(s.jobId)}</code> <span class="badge ${s.status}" id="job-status">${s.status}</span></h1>
${s.reason ? `<p class="reason">${esc(s.reason)}</p>` : ''}
<p class="counters" id="counters"><span>Rows: <b data-count="total">${c.total}</b></span><span>passed: <b data-count="passed">${c.passed}</b></span><span>failed: <b data-count="failed">${c.failed}</b></span><span>cancelled: <b data-count="cancelled">${c.cancelled}</b></span><span>flaky: <b data-count="flaky">${c.flaky ?? 0}</b></span><span>Steps: ${s.steps.passed}/${s.steps.total} passed, ${s.steps.failed} failed, ${s.steps.skipped} skipped</span><span>Duration: ${secs(s.durationMs)}</span></p>
<h2>Rows</h2>
<label><input type="checkbox" id="failures-only"> Failures only</label>
<table id="rows"><thead><tr><th>Row</th><th>Status</th><th>Duration</th><th>Restarts</th><th>Flaky</th><th>Healed</th><th>Error</th></tr></thead>
<tbody>
${rows.map((r) => rowLine(input, r)).join('\n')}
</tbody></table>
${failures.length ? `<h2>Failures</h2>\n${failures.map((r) => failureSection(input, r)).join('\n')}` : '<p id="no-failures">No row failed.</p>'}
<script>${FILTER_SCRIPT}</script>
</body></html>
`;
}
