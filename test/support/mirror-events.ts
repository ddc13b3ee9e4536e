import type { LogEvent } from '../../src/mirror/events';

/** A step's log line as a worker emits it; `occurredAt` defaults to the step index so order is visible. */
export const logEvent = (jobId: string, stepIndex: number, overrides: Partial<LogEvent> = {}): LogEvent => ({
  kind: 'log',
  jobId,
  row: 1,
  sessionAttempt: 0,
  stepIndex,
  attempt: 1,
  stepType: 'click',
  event: 'passed',
  occurredAt: stepIndex,
  ...overrides,
});
