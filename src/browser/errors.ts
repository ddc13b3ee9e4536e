/**
 * Why a step failed, and what that means: this table is the one place that decides how often a step is
 * attempted and which failure ends the row's session instead of the step. Every failure the engine raises
 * is classified into one of these types rather than thrown raw.
 */
export const STEP_ERROR_RULES = {
  /** No selector alternative matched in time: the page may still be rendering, so try twice more. */
  ElementNotFound: { attempts: 3 },
  /** Page load or network failure: network blips pass, and the backoff spaces the attempts out. */
  NavigationError: { attempts: 3 },
  /** The page did not reach the expected state in time (not clickable, never loaded). */
  StepTimeout: { attempts: 2 },
  /** The page answered, and the answer contradicts the recording: retrying could only hide a bug. */
  AssertionFailed: { attempts: 1 },
  /** The navigation policy refused a URL or request (url-policy.ts): it would refuse it again. */
  NavigationBlocked: { attempts: 1 },
  /** The step cannot be executed as written (unknown custom step, bad frame path, malformed selector). */
  InvalidStep: { attempts: 1 },
  /** The page, context or browser is gone: the row restarts on a new session instead. */
  SessionLost: { attempts: 1, endsSession: true },
} as const satisfies Record<string, { attempts: number; endsSession?: true }>;

export type StepErrorType = keyof typeof STEP_ERROR_RULES;

export const STEP_ERROR_TYPES = Object.keys(STEP_ERROR_RULES) as StepErrorType[];

export function isStepErrorType(type: unknown): type is StepErrorType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(STEP_ERROR_RULES, type);
}

/** Total attempts a step gets when it keeps failing with this type. */
export function attemptsFor(type: StepErrorType): number {
  return STEP_ERROR_RULES[type].attempts;
}

/** The failure is the session's, not the step's: the row restarts on another session. */
export function endsSession(type: StepErrorType): boolean {
  return 'endsSession' in STEP_ERROR_RULES[type];
}

/** The most attempts any type allows: a step's worst-case share of a row's time budget. */
export const MAX_STEP_ATTEMPTS = Math.max(...STEP_ERROR_TYPES.map(attemptsFor));

/** Pause before attempt `attempt + 1` (attempt ≥ 1): 300 ms, doubling, at most 5 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(300 * 2 ** (attempt - 1), 5_000);
}

export class StepError extends Error {
  constructor(
    readonly type: StepErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}
