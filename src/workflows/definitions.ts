import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobProgress } from './types';
import type { MirrorEvent } from '../mirror/events';

/** Live counters of a job; answered from workflow state, so it costs no history events. */
export const progressQuery = defineQuery<JobProgress>('progress');

/** Rows, steps and the job → the job's mirror workflow (the Supabase outbox). */
export const mirrorEventsSignal = defineSignal<[MirrorEvent[]]>('mirrorEvents');
/** The Runs API soft-deleted this job: it marks itself Deleted (search attribute) and is cancelled. */
export const markDeletedSignal = defineSignal('markDeleted');

export const mirrorWorkflowId = (jobId: string): string => `mirror-${jobId}`;

export const executionWorkflowId = (jobId: string): string => `execution-${jobId}`;
/**
 * A scheduled run's jobId: its workflow id (the schedule's plus the scheduled time, appended by the server)
 * without the prefix, so every run has its own rows, results and mirror.
 */
export const scheduledRunJobId = (workflowId: string): string => workflowId.slice(executionWorkflowId('').length);
export const rowWorkflowId = (jobId: string, row: number): string => `execution-${jobId}-row-${row}`;
