import type { StepAttempt } from '../browser/run-row';
import type { RunEvent } from '../results/run-events';

/** One step attempt on this worker, as it happens: the raw material of live views (the Runs API's event stream). */
export type StepAttemptNotice = Omit<StepAttempt, 'step' | 'screenshot'> & {
  jobId: string;
  row: number;
  /** Which session of the row: 0, then 1 after a restart... */
  sessionAttempt: number;
  stepType: string;
  at: number;
};

export type StepAttemptListener = (notice: StepAttemptNotice) => void;

/** Fans this worker's step attempts out to whoever listens; a failing listener never reaches the row. */
export class StepFeed {
  private readonly listeners = new Set<StepAttemptListener>();

  subscribe(listener: StepAttemptListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(notice: StepAttemptNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // a listener's problem is its own
      }
    }
  }
}

/** A step attempt as the job's live event file records it (src/results/run-events.ts). */
export function stepRunEvent(n: StepAttemptNotice): RunEvent {
  return {
    type: 'step',
    row: n.row,
    sessionAttempt: n.sessionAttempt,
    stepIndex: n.stepIndex,
    stepType: n.stepType,
    attempt: n.attempt,
    event: n.event,
    ...(n.durationMs !== undefined ? { durationMs: n.durationMs } : {}),
    ...(n.errorType ? { errorType: n.errorType } : {}),
    ...(n.message ? { message: n.message } : {}),
    at: n.at,
  };
}
