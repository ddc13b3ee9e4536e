/** Public surface of the browser layer: pool → session → executeStep. */
export { BrowserPool, DEFAULT_CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from './browser-pool';
export type { BrowserPoolOptions, BrowserDisconnectedInfo } from './browser-pool';
export { BrowserSession } from './session';
export { executeStep, STEP_HANDLERS } from './step-engine';
export { locateFirst, selectorToLocator, parseSelectorPart, describeSelector } from './selectors';
export type { LocateResult, LocateOptions } from './selectors';
export { StepError } from './errors';
export type { StepErrorType } from './errors';
export type { StepOutcome, StepContext, BrowserName, SessionOptions } from './types';
