import type { CustomStep } from '../../recording/types';
import { StepError } from '../errors';
import type { StepOutcome } from '../types';

/**
 * customStep: recordings may carry extension steps the recorder's own replay knows nothing
 * about. None are supported yet, so every custom step is rejected as InvalidStep (non-retryable)
 * rather than silently skipped, which would make a run look greener than it is.
 */
export async function customStep(step: CustomStep): Promise<StepOutcome> {
  throw new StepError('InvalidStep', `unknown custom step "${step.name}"`);
}
