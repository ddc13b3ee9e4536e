import { errors } from 'playwright';
import { StepError, type StepErrorType } from './errors';

/**
 * Classifies a raw Playwright/Node error into a StepError, because the retry policy keys off
 * StepError.type and executeStep promises never to throw anything else.
 */

const CLOSED =
  /has been closed|Target closed|Browser closed|browser has disconnected|Connection closed|Page crashed|Target crashed|context or browser has been closed/i;
const NETWORK = /net::ERR_|NS_ERROR_|NS_BINDING_|Could not connect|SSL_ERROR|WebKit encountered an internal error/i;
/** The page changed under us mid-call; the same step may well succeed on a retry. */
const TRANSIENT =
  /Execution context was destroyed|Frame was detached|frame got detached|Cannot find context with specified id|Element is not attached to the DOM/i;

export function isTimeoutError(err: unknown): boolean {
  return err instanceof errors.TimeoutError || (err instanceof Error && err.name === 'TimeoutError');
}

export function isClosedError(err: unknown): boolean {
  return err instanceof Error && CLOSED.test(err.message);
}

export function isTransientError(err: unknown): boolean {
  return err instanceof Error && TRANSIENT.test(err.message);
}

/** First line of a Playwright message: the rest is a multi-line call log that would bloat reports. */
export function shortMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].trim();
}

export interface MappingHints {
  /** What a Playwright TimeoutError means at this point (locating → ElementNotFound, acting → StepTimeout). */
  timeoutType?: StepErrorType;
  /** Prefix naming the operation, e.g. 'click #submit'. */
  what?: string;
}

/**
 * Unknown errors default to InvalidStep: they are deterministic in practice (unknown key name,
 * fill() on a non-input, malformed selector), and a non-retryable default cannot loop forever.
 */
export function toStepError(err: unknown, hints: MappingHints = {}): StepError {
  if (err instanceof StepError) return err;
  const prefix = hints.what ? `${hints.what}: ` : '';
  const msg = `${prefix}${shortMessage(err)}`;
  let type: StepErrorType;
  if (isClosedError(err)) type = 'SessionLost';
  else if (isTimeoutError(err)) type = hints.timeoutType ?? 'StepTimeout';
  else if (err instanceof Error && NETWORK.test(err.message)) type = 'NavigationError';
  else if (isTransientError(err)) type = 'StepTimeout';
  else type = 'InvalidStep';
  const mapped = new StepError(type, msg);
  (mapped as Error).cause = err;
  return mapped;
}
