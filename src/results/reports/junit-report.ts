import type { RowResult } from '../types';
import { rowName, type JobReportInput } from './report-input';

/**
 * JUnit XML as CI servers read it (Jenkins' junit schema): one <testsuite> per job, one <testcase> per row,
 * a <failure> naming the failing step's index, type and message, a cancelled row as <skipped>. Times in seconds.
 */

const escapeXml = (s: string) =>
  // Characters XML 1.0 cannot carry at all are dropped; the rest escaped.
  s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function testcase(input: JobReportInput, r: RowResult, classname: string): string {
  const open = `    <testcase name="${escapeXml(rowName(input, r.row))}" classname="${escapeXml(classname)}" time="${seconds(r.durationMs)}"`;
  const body: string[] = [];
  if (r.status === 'failed' && r.error) {
    const step = r.steps[r.error.stepIndex];
    const where = `step ${r.error.stepIndex}${step ? ` (${step.type})` : ''}`;
    const detail = [`${where}: ${r.error.type}: ${r.error.message}`];
    if (r.screenshot) detail.push(`screenshot: ${r.screenshot}`);
    for (const a of r.artifacts ?? []) detail.push(`${a.kind}: ${a.location}`);
    body.push(
      `      <failure message="${escapeXml(`${where}: ${r.error.message}`)}" type="${escapeXml(r.error.type)}">${escapeXml(detail.join('\n'))}</failure>`,
    );
  } else if (r.status === 'cancelled') {
    body.push(`      <skipped message="${escapeXml(r.error?.message ?? 'row cancelled')}"/>`);
  }
  if (r.flaky)
    body.push(
      `      <system-out>${escapeXml('flaky: passed only after a retried step, a healed selector or a session restart')}</system-out>`,
    );
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}

export function buildJunitReport(input: JobReportInput): string {
  const { summary, rows } = input;
  const failures = rows.filter((r) => r.status === 'failed').length;
  const skipped = rows.filter((r) => r.status === 'cancelled').length;
  const time = seconds(summary.durationMs);
  const name = `job ${summary.jobId}`;
  const attrs = `tests="${rows.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="recorder-runner" ${attrs}>`,
    `  <testsuite name="${escapeXml(name)}" ${attrs} id="0" package="recorder-runner">`,
    ...rows.map((r) => testcase(input, r, name)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
