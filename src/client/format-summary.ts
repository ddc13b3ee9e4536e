import type { JobProgress, JobSummary } from '../workflows/types';

const ICON = { passed: '✔', failed: '✘', cancelled: '■', skipped: '·' } as const;

/** A progress line that redraws in place on a TTY. */
export function progressLine(p: JobProgress, width = 30): string {
  const done = p.rows.passed + p.rows.failed + p.rows.cancelled;
  const total = Math.max(p.rows.total, 1);
  const filled = Math.round((done / total) * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `${bar} ${done}/${p.rows.total} rows  ✔ ${p.rows.passed}  ✘ ${p.rows.failed}  ▶ ${p.rows.running}  steps ✔ ${p.steps.passed}`;
}

/** The human summary printed after --wait and by `result`. */
export function formatSummary(s: JobSummary): string {
  const lines: string[] = [];
  lines.push(`Job ${s.jobId} ${s.status.toUpperCase()} in ${(s.durationMs / 1000).toFixed(1)} s${s.reason ? ` (${s.reason})` : ''}`);
  lines.push(
    `  rows:  ${s.rows.total} total, ${s.rows.passed} passed, ${s.rows.failed} failed, ${s.rows.cancelled} cancelled${s.rows.flaky ? `, ${s.rows.flaky} flaky` : ''}`,
    `  steps: ${s.steps.total} total, ${s.steps.passed} passed, ${s.steps.failed} failed, ${s.steps.skipped} skipped`,
  );
  if (s.rerunOf) lines.push(`  rerun of job ${s.rerunOf.jobId}, its row(s) ${s.rerunOf.rows.join(', ')} (row n here is the n-th of them)`);
  for (const link of s.reruns ?? []) lines.push(`  rerun as job ${link.jobId}: row(s) ${link.rows.join(', ')}`);
  for (const r of s.results) {
    const healed = r.steps.filter((st) => st.healed).length;
    const extra = [
      r.flaky ? 'flaky' : '',
      r.sessionRestarts ? `${r.sessionRestarts} session restart(s)` : '',
      healed ? `${healed} healed selector(s)` : '',
    ].filter(Boolean);
    lines.push(
      `  ${ICON[r.status]} row ${r.row}: ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s${extra.length ? ` [${extra.join(', ')}]` : ''}`,
    );
    if (r.error) lines.push(`      step ${r.error.stepIndex} ${r.error.type}: ${r.error.message}`);
    if (r.screenshot) lines.push(`      screenshot: ${r.screenshot}`);
    for (const a of r.artifacts ?? []) lines.push(`      ${a.kind}: ${a.location}`);
  }
  return lines.join('\n');
}
