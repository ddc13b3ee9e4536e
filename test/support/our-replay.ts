/**
 * Our engine replaying one recording directly (no Temporal): a session leased from a SessionRegistry the
 * way a worker leases one (context shaped by the recording's opening setViewport), the row runner with its
 * retry rules, timing `instant`, no screenshots. The counterpart of reference-replay.ts for the conformance
 * suite and the recorder-suite benchmark.
 */
import { contextOptionsFor } from '../../src/browser/device-emulation';
import type { StepErrorType } from '../../src/browser/errors';
import { runRow } from '../../src/browser/run-row';
import { SessionRegistry } from '../../src/browser/session-registry';
import { parseRecording } from '../../src/recording/parse-recording';

export interface OurOutcome {
  passed: boolean;
  failedStep?: number;
  errorType?: StepErrorType;
  message?: string;
  durationMs: number;
}

export interface OurRunner {
  replay(recording: unknown): Promise<OurOutcome>;
  close(): Promise<void>;
}

export function openOurRunner(options: { chromiumHeadlessShell?: string } = {}): OurRunner {
  const registry = new SessionRegistry(
    options.chromiumHeadlessShell ? { chromiumBuilds: { headlessShell: options.chromiumHeadlessShell } } : {},
  );
  let holderRow = 0;
  return {
    async replay(recording) {
      const started = Date.now();
      // The schema first, as every job does: a field it refuses or drops would show here.
      const flow = parseRecording(recording);
      const lease = await registry.lease({
        browser: 'chromium',
        headless: true,
        ...contextOptionsFor(flow.steps),
        holder: { jobId: 'conformance', row: ++holderRow, attempt: 0 },
      });
      try {
        const outcome = await runRow(
          lease.session,
          {
            steps: flow.steps,
            values: {},
            secretValues: [],
            defaults: {},
            timeouts: { flowTimeoutMs: flow.timeout },
            timing: { mode: 'instant', speedMultiplier: 1 },
            screenshots: 'off',
            screenshotPath: () => '/dev/null',
          },
          { signal: lease.signal },
        );
        const error = outcome.error;
        return error
          ? { passed: false, failedStep: error.stepIndex, errorType: error.type, message: error.message, durationMs: Date.now() - started }
          : { passed: true, durationMs: Date.now() - started };
      } finally {
        await lease.release();
      }
    },
    close: () => registry.closeAll(),
  };
}

/** A recording with `{{BASE}}` replaced by the fixture server's origin (the Recorder writes literal URLs). */
export function atOrigin<T>(recording: T, origin: string): T {
  return JSON.parse(JSON.stringify(recording).split('{{BASE}}').join(origin)) as T;
}
