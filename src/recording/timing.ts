/**
 * Think time before each step. Pure (no timers, no Node built-ins) so workflow code can call it
 * and sleep deterministically.
 */
import { InputError } from './input-error';
import type { Step } from './types';

/** realistic: replay the recorded pauses; fast: just enough for UIs that debounce input; instant: none. */
export type TimingMode = 'realistic' | 'fast' | 'instant';

/** Used in realistic mode when a step has no recorded delay (Chrome exports never do). */
export const DEFAULT_THINK_TIME_MS = 500;
export const FAST_DELAY_MS = 50;

export function thinkTimeMs(step: Step, mode: TimingMode, speedMultiplier = 1): number {
  // Zero, negative or NaN would give Infinity/negative sleeps; catch it here rather than hang a row.
  if (!(speedMultiplier > 0) || !Number.isFinite(speedMultiplier)) {
    throw new InputError(`speedMultiplier must be a finite number > 0, got ${speedMultiplier}`);
  }
  let base: number;
  switch (mode) {
    case 'realistic':
      base = step.delayMs ?? DEFAULT_THINK_TIME_MS;
      break;
    case 'fast':
      base = FAST_DELAY_MS;
      break;
    case 'instant':
      base = 0;
      break;
    default: {
      const never: never = mode;
      throw new InputError(`unknown timing mode ${JSON.stringify(never)} (expected realistic, fast or instant)`);
    }
  }
  return Math.round(base / speedMultiplier);
}

/** A step's budget when neither the step, the recording nor the job sets one. */
export const DEFAULT_STEP_TIMEOUT_MS = 5000;

/** Where a step's budget comes from, most specific first: the step's own, the recording's, the job's. */
export interface StepTimeoutSources {
  flowTimeoutMs?: number;
  jobStepTimeoutMs?: number;
}

export function stepTimeoutMs(step: Step, sources: StepTimeoutSources): number {
  return step.timeout ?? sources.flowTimeoutMs ?? sources.jobStepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
}
