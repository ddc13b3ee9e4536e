import { setCurrentDetails } from '@temporalio/workflow';
import type { RowResult, StepResult } from '../results/types';
import { runOnSessionLease, type LeaseOutcome } from './session-lease';
import type { RowRunInput } from './types';

/**
 * One CSV row: lease a browser session on whichever worker has one free, run every step there, and report.
 * A lost session (its worker or browser died) restarts the row from its first step on another session, at
 * most `maxSessionRestarts` times.
 */
export async function csvRow(input: RowRunInput): Promise<RowResult> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const outcome = await runOnSessionLease(input, attempt);
    if (outcome.ended === 'lost' && attempt < input.config.maxSessionRestarts) continue;
    const result = rowResult(input, outcome, { sessionRestarts: attempt, durationMs: Date.now() - started });
    setCurrentDetails(describeRow(result, input));
    return result;
  }
}

const skipped = (input: RowRunInput): StepResult[] =>
  input.steps.map((s, index) => ({ index, type: s.type, status: 'skipped', durationMs: 0, attempts: 0 }));

function rowResult(input: RowRunInput, outcome: LeaseOutcome, base: { sessionRestarts: number; durationMs: number }): RowResult {
  const row = { row: input.row, ...base };
  switch (outcome.ended) {
    case 'finished': {
      const { result } = outcome;
      return {
        ...row,
        status: result.error ? 'failed' : 'passed',
        workerId: result.workerId,
        ...(result.error ? { error: result.error } : {}),
        ...(result.screenshot ? { screenshot: result.screenshot } : {}),
        steps: result.steps,
        ...(result.artifacts?.length ? { artifacts: result.artifacts } : {}),
        ...(!result.error && isFlaky(result.steps, base.sessionRestarts) ? { flaky: true } : {}),
      };
    }
    case 'cancelled':
      return {
        ...row,
        status: 'cancelled',
        ...(outcome.result ? { workerId: outcome.result.workerId } : {}),
        error: { stepIndex: outcome.result?.cancelledAt ?? 0, type: 'Cancelled', message: 'row cancelled' },
        steps: outcome.result?.steps ?? skipped(input),
      };
    case 'lost':
      return {
        ...row,
        status: 'failed',
        error: {
          stepIndex: outcome.stepIndex,
          type: 'SessionRestartsExhausted',
          message: `session lost ${base.sessionRestarts + 1} time(s), restart limit ${input.config.maxSessionRestarts} reached: ${outcome.message}`,
        },
        steps: skipped(input),
      };
    case 'error':
      return { ...row, status: 'failed', error: { stepIndex: 0, type: 'InternalError', message: outcome.message }, steps: skipped(input) };
    default: {
      const never: never = outcome;
      throw new Error(`unknown lease outcome ${JSON.stringify(never)}`);
    }
  }
}

/** Passed only after a retried step, a healed selector or a session restart. */
export function isFlaky(steps: StepResult[], sessionRestarts: number): boolean {
  return sessionRestarts > 0 || steps.some((s) => s.attempts > 1 || s.healed === true);
}

/** The row's outcome in one line, for the Web UI (the workflow's current details). */
function describeRow(result: RowResult, input: RowRunInput): string {
  const passed = result.steps.filter((s) => s.status === 'passed').length;
  const head = `row ${result.row} ${result.status}: ${passed}/${input.steps.length} steps passed`;
  if (!result.error) return head;
  const step = input.steps[result.error.stepIndex];
  return `${head}; step ${result.error.stepIndex}${step ? ` (${step.type})` : ''}: ${result.error.type}: ${result.error.message}`;
}
