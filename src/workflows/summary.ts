import type { JobSummary, RowResult } from './types';

/** Pure aggregation of row results into the job summary (also used by the client for display). */
export function summarize(args: {
  jobId: string;
  workflowId: string;
  results: RowResult[];
  stepsPerRow: number;
  stopReason?: string;
  durationMs: number;
}): JobSummary {
  const results = [...args.results].sort((a, b) => a.row - b.row);
  const rows = { total: results.length, passed: 0, failed: 0, cancelled: 0 };
  const steps = { total: results.length * args.stepsPerRow, passed: 0, failed: 0, skipped: 0 };
  for (const r of results) {
    rows[r.status]++;
    for (const s of r.steps) steps[s.status]++;
  }
  // Rows that reported fewer steps than the recording has (never started) count those as skipped.
  steps.skipped = steps.total - steps.passed - steps.failed;
  const status = args.stopReason ? 'cancelled' : rows.failed > 0 ? 'failed' : rows.cancelled > 0 ? 'cancelled' : 'passed';
  return {
    jobId: args.jobId,
    workflowId: args.workflowId,
    status,
    ...(args.stopReason ? { reason: args.stopReason } : {}),
    rows,
    steps,
    durationMs: args.durationMs,
    results,
  };
}
