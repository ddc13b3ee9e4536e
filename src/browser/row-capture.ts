/**
 * What a row attempt records besides its results: a Playwright trace (one group per step attempt) and a video
 * of its main page. Both start with the session and end with finish(), which keeps them (files handed back) or
 * throws them away. Secret values never reach the files: the trace has no screencast frames and its text is
 * redacted (artifacts/redact-trace.ts); the video is painted with text fields as discs and shown text that holds
 * a secret covered (video-mask.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactTraceZip } from '../artifacts/redact-trace';
import type { BrowserSession } from './session';
import { ScreencastVideo } from './screencast-video';
import { videoMaskScript } from './video-mask';

export interface CaptureOptions {
  trace: boolean;
  video: boolean;
  secretValues: readonly string[];
  /** Scratch directory of this attempt (removed by finish). */
  workDir: string;
  title: string;
  viewport: { width: number; height: number };
  ffmpegPath?: string;
}

export interface CapturedFiles {
  trace?: string;
  video?: string;
}

export class RowCapture {
  private tracing = false;
  private video?: ScreencastVideo;

  private constructor(
    private readonly session: BrowserSession,
    private readonly options: CaptureOptions,
  ) {}

  static async start(session: BrowserSession, options: CaptureOptions): Promise<RowCapture> {
    const capture = new RowCapture(session, options);
    await mkdir(options.workDir, { recursive: true });
    if (options.video) {
      if (!options.ffmpegPath) throw new Error('video recording needs ffmpeg: run `npm run setup` or set FFMPEG_PATH');
      // Before the trace starts, so the trace does not record the script (it holds the secret values).
      if (options.secretValues.length > 0) await session.context.addInitScript({ content: videoMaskScript(options.secretValues) });
      const cdp = await session.cdpSession(session.mainPage);
      capture.video = await ScreencastVideo.start(cdp, join(options.workDir, 'frames'), options.viewport);
    }
    if (options.trace) {
      await session.context.tracing.start({ title: options.title, snapshots: true, screenshots: false, sources: false });
      capture.tracing = true;
    }
    return capture;
  }

  /** A trace group per step attempt; not awaited: the protocol keeps it ahead of the step's own calls. */
  stepStarted(stepIndex: number, type: string, attempt: number): void {
    if (!this.tracing) return;
    this.session.context.tracing.group(`step ${stepIndex} · ${type}${attempt > 1 ? ` (attempt ${attempt})` : ''}`).catch(() => undefined);
  }

  stepEnded(): void {
    if (this.tracing) this.session.context.tracing.groupEnd().catch(() => undefined);
  }

  /** Stops recording. Kept files are written into workDir and returned; the caller moves them to a store. */
  async finish(keep: { trace: boolean; video: boolean }): Promise<CapturedFiles> {
    const files: CapturedFiles = {};
    if (this.tracing) {
      this.tracing = false;
      if (keep.trace) {
        const raw = join(this.options.workDir, 'trace.raw.zip');
        await this.session.context.tracing.stop({ path: raw });
        files.trace = join(this.options.workDir, 'trace.zip');
        await writeFile(files.trace, redactTraceZip(await readFile(raw), this.options.secretValues));
        await rm(raw, { force: true });
      } else {
        await this.session.context.tracing.stop();
      }
    }
    if (this.video) {
      const output = join(this.options.workDir, 'video.webm');
      files.video = await this.video.finish({ keep: keep.video, output, ffmpegPath: this.options.ffmpegPath! });
      this.video = undefined;
    }
    return files;
  }
}
