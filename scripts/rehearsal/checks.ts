/**
 * The rehearsal's verdicts, each returning the violations it found (empty = held): every row reported exactly
 * once, the job's result and the Supabase mirror tables agree, nothing left running in Temporal.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { JobSummary, RowResult } from '../../src/workflows/types';

/** The summary and the per-row results of one job: every row 1..N exactly once, all with the expected status. */
export function checkRowsOnce(label: string, summary: JobSummary, results: RowResult[], rows: number): string[] {
  const problems: string[] = [];
  if (summary.status !== 'passed') problems.push(`${label}: job ended ${summary.status}${summary.reason ? ` (${summary.reason})` : ''}`);
  if (summary.rows.total !== rows) problems.push(`${label}: summary counts ${summary.rows.total} rows, the CSV has ${rows}`);
  const seen = new Map<number, number>();
  for (const r of results) seen.set(r.row, (seen.get(r.row) ?? 0) + 1);
  const missing = Array.from({ length: rows }, (_, i) => i + 1).filter((row) => !seen.has(row));
  const twice = [...seen].filter(([, n]) => n > 1).map(([row]) => row);
  const extra = [...seen.keys()].filter((row) => row < 1 || row > rows);
  if (missing.length) problems.push(`${label}: rows never reported: ${missing.slice(0, 20).join(', ')}`);
  if (twice.length) problems.push(`${label}: rows reported more than once: ${twice.slice(0, 20).join(', ')}`);
  if (extra.length) problems.push(`${label}: rows that do not exist: ${extra.slice(0, 20).join(', ')}`);
  const failed = results.filter((r) => r.status !== 'passed');
  if (failed.length)
    problems.push(
      `${label}: ${failed.length} row(s) not passed, e.g. row ${failed[0].row}: ${failed[0].status} ${failed[0].error?.message ?? ''}`,
    );
  const counted = summary.rows.passed + summary.rows.failed + summary.rows.cancelled;
  if (counted !== results.length) problems.push(`${label}: summary counters add up to ${counted}, results list ${results.length}`);
  return problems;
}

/** execution_jobs and execution_rows say what the job's result says. */
export async function checkMirror(pool: Pool, label: string, summary: JobSummary, results: RowResult[]): Promise<string[]> {
  const problems: string[] = [];
  const { rows: jobs } = await pool.query('select status, rows_total, rows_passed, rows_failed from execution_jobs where id = $1', [
    summary.jobId,
  ]);
  if (jobs.length !== 1) return [`${label}: execution_jobs has ${jobs.length} row(s) for the job`];
  const job = jobs[0];
  const expected = {
    status: summary.status,
    rows_total: summary.rows.total,
    rows_passed: summary.rows.passed,
    rows_failed: summary.rows.failed,
  };
  for (const [key, value] of Object.entries(expected))
    if (job[key] !== value) problems.push(`${label}: execution_jobs.${key} is ${job[key]}, the job's result says ${value}`);
  const { rows } = await pool.query('select row_index, status from execution_rows where job_id = $1', [summary.jobId]);
  const mirrored = new Map<number, string>();
  for (const r of rows) {
    if (mirrored.has(r.row_index)) problems.push(`${label}: execution_rows holds row ${r.row_index} twice`);
    mirrored.set(r.row_index, r.status);
  }
  if (mirrored.size !== results.length) problems.push(`${label}: execution_rows has ${mirrored.size} rows, the result ${results.length}`);
  const differing = results.filter((r) => mirrored.get(r.row) !== r.status);
  if (differing.length)
    problems.push(
      `${label}: ${differing.length} row(s) mirrored with another status, e.g. row ${differing[0].row}: ` +
        `${mirrored.get(differing[0].row)} vs ${differing[0].status}`,
    );
  return problems;
}

/** Workflows still running in the namespace (visibility): none may remain once the jobs and their mirrors end. */
export async function runningWorkflows(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) ids.push(`${wf.type}:${wf.workflowId}`);
  return ids;
}
