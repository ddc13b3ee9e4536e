/**
 * A run's rows and their per-step results: the results files (RESULTS_DIR/<run id>, written by the job in
 * batches) for rows that ended, and the live event file for rows still running.
 */
import { join, resolve } from 'node:path';
import { readRowResults } from '../results/files';
import { readRunEvents, runEventsFile } from '../results/run-events';
import type { RowResult } from '../workflows/types';

export interface RowView {
  row: number;
  status: string;
  durationMs?: number;
  sessionRestarts?: number;
  error?: RowResult['error'];
  screenshot?: boolean;
}

export async function rowResults(resultsDir: string, runId: string, fromSummary: RowResult[] = []): Promise<RowResult[]> {
  const fromFiles = await readRowResults(join(resolve(resultsDir), runId)).catch(() => [] as RowResult[]);
  const byRow = new Map<number, RowResult>();
  for (const r of [...fromSummary, ...fromFiles]) byRow.set(r.row, r);
  return [...byRow.values()].sort((a, b) => a.row - b.row);
}

export async function rowViews(resultsDir: string, runId: string, fromSummary: RowResult[] = []): Promise<RowView[]> {
  const finished = await rowResults(resultsDir, runId, fromSummary);
  const views = new Map<number, RowView>(
    finished.map((r) => [
      r.row,
      {
        row: r.row,
        status: r.status,
        durationMs: r.durationMs,
        sessionRestarts: r.sessionRestarts,
        ...(r.error ? { error: r.error } : {}),
      },
    ]),
  );
  // Rows not yet in the results files: their latest state from the live events.
  const { events } = await readRunEvents(runEventsFile(resultsDir, runId), 0);
  for (const e of events) {
    if (e.type !== 'row' || (views.has(e.row) && finished.some((r) => r.row === e.row))) continue;
    views.set(e.row, { row: e.row, status: e.status === 'restarting' ? 'running' : e.status, sessionRestarts: e.sessionAttempt });
  }
  return [...views.values()].sort((a, b) => a.row - b.row);
}
