/** Public surface of the browser layer: registry → lease → session → runRow / executeStep. */
export { BrowserPool } from './browser-pool';
export type { BrowserPoolOptions, BrowserPoolStats } from './browser-pool';
export { DEFAULT_CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from './launch-options';
export { SessionRegistry } from './session-registry';
export type { SessionLease, LeaseRequest, SessionRegistryStats } from './session-registry';
export { BrowserSession } from './session';
export type { SessionEnd } from './session';
export { runRow } from './run-row';
export type { RowPlan, RowRunOutcome, StepAttempt } from './run-row';
export { executeStep, STEP_HANDLERS } from './step-engine';
export { selectorToLocator, parseSelectorPart, describeSelector } from './selectors';
export { locateFirst } from './locate';
export type { LocateResult, LocateOptions } from './locate';
export { StepError, STEP_ERROR_RULES } from './errors';
export type { StepErrorType } from './errors';
export type { StepOutcome, StepContext, BrowserName, ContextOptions } from './types';
