import type { JobReportInput } from './report-input';

/** The complete results as one document: the summary's counters and every row's result (not the capped list). */
export function buildJsonReport(input: JobReportInput): string {
  const { results: _detailedOnly, resultsTruncated: _t, failedRowsOmitted: _o, ...summary } = input.summary;
  const rows = input.rows.map((r) => {
    const key = input.rowKeys?.get(r.row);
    return key ? { ...r, key } : r;
  });
  return JSON.stringify({ ...summary, rows }, null, 2) + '\n';
}
