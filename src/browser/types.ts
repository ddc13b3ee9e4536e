export interface StepOutcome {
  /** The selector alternative that matched, as written in the (templated) recording. */
  selectorUsed?: string;
  /** True when the matching alternative was not the first one. */
  healed?: boolean;
}

export interface StepContext {
  /** Budget for the whole step, in ms. */
  timeoutMs: number;
  /** Aborted when the activity is cancelled; long waits must stop promptly. */
  signal?: AbortSignal;
  /** Called periodically during long waits so Temporal sees the step is alive. */
  heartbeat?: () => void;
}

export type BrowserName = 'chromium' | 'firefox' | 'webkit';

export interface SessionOptions {
  viewport?: { width: number; height: number };
}
