import { StepError } from './errors';

/**
 * Time and cancellation helpers shared by the selector engine and the step handlers.
 * Every wait in a step draws from one budget (ctx.timeoutMs), so a slow locate leaves
 * less time for the action instead of each phase getting a fresh timeout.
 */
export class Deadline {
  readonly at: number;

  constructor(readonly budgetMs: number) {
    this.at = Date.now() + Math.max(0, budgetMs);
  }

  /**
   * Milliseconds left, never below 1: Playwright treats `timeout: 0` as "wait forever",
   * so an exhausted budget must still be a (tiny) positive timeout.
   */
  remaining(): number {
    return Math.max(1, this.at - Date.now());
  }

  expired(): boolean {
    return Date.now() >= this.at;
  }
}

/** The error a cancelled wait rejects with; `cause` keeps the signal's reason for the caller. */
export function abortedError(signal: AbortSignal): StepError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  const err = new StepError('StepTimeout', `step cancelled: ${reason}`);
  (err as Error).cause = signal.reason;
  return err;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortedError(signal);
}

/**
 * Settles with `work` unless `signal` aborts first. Playwright calls cannot be cancelled, so the
 * losing promise keeps running until its own timeout; its late rejection is swallowed here so it
 * cannot surface as an unhandled rejection.
 */
export function raceAbort<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Like raceAbort, but also rejects with `onTimeout()` after `ms` (for calls with no timeout option, e.g. evaluate). */
export function raceTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return raceAbort(Promise.race([work, timeout]), signal).finally(() => clearTimeout(timer));
}

/** Abortable sleep used by polling loops. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return raceAbort(new Promise<void>((ok) => setTimeout(ok, ms)), signal);
}
