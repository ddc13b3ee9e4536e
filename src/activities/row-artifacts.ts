import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { RowCapture, type CapturedFiles } from '../browser/row-capture';
import type { StepAttempt } from '../browser/run-row';
import type { BrowserSession } from '../browser/session';
import type { JobConfig } from '../config/job-config';
import type { Logger } from '../logging/logger';
import type { ArtifactRef } from '../results/types';

export interface RowArtifactDeps {
  store: ArtifactStore;
  /** Scratch space for traces and video frames while an attempt runs. */
  workDir: string;
  ffmpegPath?: string;
}

/** An attempt's trace and video, from the session's start to the verdict (config trace / video). */
export interface AttemptArtifacts {
  onAttempt(attempt: StepAttempt): void;
  /** Keeps what the config says for this outcome; never throws (artifacts are evidence, not the verdict). */
  finish(outcome: { failed: boolean }): Promise<ArtifactRef[]>;
  /** A cancelled or lost attempt: stops recording, keeps nothing. */
  discard(): Promise<void>;
}

const NONE: AttemptArtifacts = { onAttempt: () => undefined, finish: async () => [], discard: async () => undefined };

const DISCARD_WAIT_MS = 10_000;

const keeps = (mode: JobConfig['trace'], failed: boolean) => mode === 'on' || (mode === 'retain-on-failure' && failed);

export async function startAttemptArtifacts(
  deps: RowArtifactDeps | undefined,
  session: BrowserSession,
  attempt: { jobId: string; row: number; attempt: number; config: JobConfig; secretValues: string[] },
  log: Logger,
): Promise<AttemptArtifacts> {
  const { config } = attempt;
  if (!deps || (config.trace === 'off' && config.video === 'off')) return NONE;
  const workDir = join(deps.workDir, `${attempt.jobId}-row-${attempt.row}-attempt-${attempt.attempt}-${session.id}`);
  let capture: RowCapture;
  try {
    capture = await RowCapture.start(session, {
      trace: config.trace !== 'off',
      video: config.video !== 'off' && session.browserName === 'chromium',
      secretValues: attempt.secretValues,
      workDir,
      title: `job ${attempt.jobId}, row ${attempt.row}, session ${attempt.attempt + 1}`,
      viewport: config.viewport,
      ffmpegPath: deps.ffmpegPath,
    });
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'trace/video not recorded');
    await rm(workDir, { recursive: true, force: true });
    return NONE;
  }
  return {
    onAttempt(a) {
      if (a.event === 'started') capture.stepStarted(a.stepIndex, a.step.type, a.attempt);
      else capture.stepEnded();
    },
    async finish({ failed }) {
      const refs: ArtifactRef[] = [];
      try {
        const files: CapturedFiles = await capture.finish({ trace: keeps(config.trace, failed), video: keeps(config.video, failed) });
        for (const kind of ['trace', 'video'] as const) {
          const file = files[kind];
          if (file) refs.push(await deps.store.keep({ jobId: attempt.jobId, row: attempt.row, attempt: attempt.attempt }, kind, file));
        }
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'trace/video not kept');
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
      return refs;
    },
    async discard() {
      // The browser may be hung or gone (a lost session): cleanup must not wait on it for long.
      const stopped = capture.finish({ trace: false, video: false }).catch(() => undefined);
      await Promise.race([stopped, new Promise((ok) => setTimeout(ok, DISCARD_WAIT_MS).unref())]);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
