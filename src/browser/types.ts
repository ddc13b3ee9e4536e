export interface StepOutcome {
  /** The selector alternative that matched, as written in the (templated) recording. */
  selectorUsed?: string;
  /** True when the matching alternative was not the first one. */
  healed?: boolean;
}

export interface StepContext {
  /** Budget for the whole step, in ms. */
  timeoutMs: number;
  /** Aborted when the row stops (cancelled, session lost): long waits must stop promptly. */
  signal?: AbortSignal;
}

export type BrowserName = 'chromium' | 'firefox' | 'webkit';

/** What a BrowserContext is created with; sessions with equal options can share a spare context. */
export interface ContextOptions {
  viewport?: { width: number; height: number };
  /** From the recording's opening setViewport (device-emulation.ts); absent: a desktop context. */
  device?: DeviceEmulation;
}

/** The setViewport fields a browser context fixes when it is created. */
export interface DeviceEmulation {
  deviceScaleFactor: number;
  isMobile: boolean;
  hasTouch: boolean;
  isLandscape: boolean;
}
