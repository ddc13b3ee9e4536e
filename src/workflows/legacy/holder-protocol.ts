/**
 * FROZEN: what rows before session leases exchanged with workers (legacy/row-run-holder-and-steps.ts):
 * a holder activity, its "session ready" signal, and one activity per step. Kept for replay only.
 */
import { defineSignal } from '@temporalio/workflow';
import type { JobConfig } from '../../config/job-config';
import type { RowValues, Step } from '../../recording/types';

/** Sent by holdSession once the browser context is open, naming the queue that reaches that worker. */
export interface SessionReady {
  attempt: number;
  sessionId: string;
  taskQueue: string;
  workerId: string;
}

export const sessionReadySignal = defineSignal<[SessionReady]>('sessionReady');

export interface HoldSessionInput {
  workflowId: string;
  runId: string;
  attempt: number;
  jobId: string;
  row: number;
  values: RowValues;
  defaults: Record<string, string>;
  browser: JobConfig['browser'];
  headless: boolean;
  viewport: JobConfig['viewport'];
  valuesMasked?: RowValues;
}

export interface StepRunInput {
  sessionId: string;
  sessionAttempt: number;
  jobId: string;
  row: number;
  stepIndex: number;
  step: Step;
  timeoutMs: number;
  thinkTimeMs: number;
  screenshots: JobConfig['screenshots'];
  closeSession?: 'whenDone' | 'onFinalFailure';
  mirror?: boolean;
}

export interface StepRunOutput {
  attempt: number;
  durationMs: number;
  released?: boolean;
  selectorUsed?: string;
  healed?: boolean;
  screenshot?: string;
}

export interface StepFailureDetails {
  attempt: number;
  durationMs: number;
  released?: boolean;
  screenshot?: string;
}

export interface HolderActivities {
  holdSession(input: HoldSessionInput): Promise<{ sessionId: string }>;
}

export interface StepActivities {
  runStep(input: StepRunInput): Promise<StepRunOutput>;
  releaseSession(input: { sessionId: string }): Promise<void>;
}
