import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobProgress, SessionReady } from './types';

/** Live counters of a job; answered from workflow state, so it costs no history events. */
export const progressQuery = defineQuery<JobProgress>('progress');

/** holdSession → rowRun: the session is open on the worker behind `taskQueue`. */
export const sessionReadySignal = defineSignal<[SessionReady]>('sessionReady');

export const executionWorkflowId = (jobId: string): string => `execution-${jobId}`;
export const rowWorkflowId = (jobId: string, row: number): string => `execution-${jobId}-row-${row}`;
