import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobProgress, SessionReady } from './types';
import type { MirrorEvent } from '../mirror/events';

/** Live counters of a job; answered from workflow state, so it costs no history events. */
export const progressQuery = defineQuery<JobProgress>('progress');

/** holdSession → rowRun: the session is open on the worker behind `taskQueue`. */
export const sessionReadySignal = defineSignal<[SessionReady]>('sessionReady');

/** Rows, steps and the job → the job's mirror workflow (the Supabase outbox). */
export const mirrorEventsSignal = defineSignal<[MirrorEvent[]]>('mirrorEvents');
export const mirrorWorkflowId = (jobId: string): string => `mirror-${jobId}`;

export const executionWorkflowId = (jobId: string): string => `execution-${jobId}`;
export const rowWorkflowId = (jobId: string, row: number): string => `execution-${jobId}-row-${row}`;
