/**
 * A run as the API shows it (seed 003's shape), built from what Temporal knows: the execution's search
 * attributes and memo, and its live progress (query) or summary (result).
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { JobProgress, JobSummary } from '../workflows/types';
import * as attribute from '../workflows/search-attributes';
import type { RunStatus } from '../workflows/search-attributes';
import { rowArtifacts } from './run-artifacts';
import type { RunOptions } from './schemas';

/** What the API keeps in the execution's memo. */
export interface RunMemo {
  options?: RunOptions;
  retryOf?: string;
}
export const RUN_MEMO = 'runsApi';

export const JOB_ID_PREFIX = 'execution-';
export const runIdOf = (workflowId: string): string => workflowId.slice(JOB_ID_PREFIX.length);

export function statusOf(info: Pick<WorkflowExecutionInfo, 'status' | 'typedSearchAttributes'>): RunStatus {
  const closed = info.status.name;
  if (closed === 'CANCELLED') return 'cancelled';
  if (closed === 'FAILED' || closed === 'TERMINATED' || closed === 'TIMED_OUT') return 'failed';
  return (info.typedSearchAttributes.get(attribute.RUN_STATUS) as RunStatus | undefined) ?? (closed === 'RUNNING' ? 'running' : 'passed');
}

const iso = (d?: Date) => (d ? d.toISOString() : undefined);

export interface RunDetail {
  progress?: JobProgress;
  summary?: JobSummary;
  failure?: string;
}

export function runView(info: Omit<WorkflowExecutionInfo, 'raw'>, detail: RunDetail = {}) {
  const id = runIdOf(info.workflowId);
  const sa = info.typedSearchAttributes;
  const memo = (info.memo?.[RUN_MEMO] ?? {}) as RunMemo;
  const status = statusOf(info);
  const { summary, progress } = detail;
  // Before its first workflow task a job's progress says 0 rows: the start's RowsTotal knows better.
  const total = summary?.rows.total ?? Math.max(progress?.rows.total ?? 0, sa.get(attribute.ROWS_TOTAL) ?? 0);
  const rows = summary
    ? { ...summary.rows, running: 0 }
    : progress
      ? {
          total,
          passed: progress.rows.passed,
          failed: progress.rows.failed,
          cancelled: progress.rows.cancelled,
          running: progress.rows.running,
        }
      : { total, passed: 0, failed: sa.get(attribute.ROWS_FAILED) ?? 0, cancelled: 0, running: 0 };
  const actions = summary
    ? { ...summary.steps }
    : { total: 0, passed: progress?.steps.passed ?? 0, failed: progress?.steps.failed ?? 0, skipped: progress?.steps.skipped ?? 0 };
  const firstFailure = summary?.results.find((r) => r.status === 'failed' && r.error);
  const errorMessage =
    detail.failure ??
    summary?.reason ??
    (summary && summary.rows.failed > 0 ? `${summary.rows.failed} of ${summary.rows.total} row(s) failed` : undefined);
  const base = `/api/v1/runs/${id}`;
  return {
    id,
    status,
    recordingId: sa.get(attribute.RECORDING_ID),
    recordingName: sa.get(attribute.RECORDING_TITLE),
    triggeredBy: sa.get(attribute.TRIGGERED_BY),
    options: memo.options,
    rows,
    actions,
    createdAt: info.startTime.toISOString(),
    startedAt: status === 'queued' ? undefined : iso(info.executionTime ?? info.startTime),
    completedAt: iso(info.closeTime),
    durationMs: summary?.durationMs ?? (info.closeTime ? info.closeTime.getTime() - info.startTime.getTime() : undefined),
    error: errorMessage
      ? {
          message: errorMessage,
          ...(firstFailure ? { row: firstFailure.row, stepIndex: firstFailure.error!.stepIndex, type: firstFailure.error!.type } : {}),
        }
      : undefined,
    retryOf: memo.retryOf,
    // A finished run's files: its reports, and each row's screenshot, traces and videos (rows in the summary).
    artifacts: summary ? summary.results.flatMap((r) => rowArtifacts(id, r)).map(({ location: _, ...a }) => a) : undefined,
    links: {
      self: base,
      rows: `${base}/rows`,
      events: `${base}/events`,
      cancel: `${base}/cancel`,
      retry: `${base}/retry`,
      ...(summary ? { report: `${base}/report.html`, junit: `${base}/junit.xml`, results: `${base}/results.json` } : {}),
    },
  };
}
export type RunView = ReturnType<typeof runView>;
