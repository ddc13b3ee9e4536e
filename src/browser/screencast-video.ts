/**
 * A video of a page from Chromium's own screencast (CDP Page.startScreencast): JPEG frames as the page paints,
 * written to a directory with their timestamps, then encoded to WebM (VP8) by ffmpeg. Playwright's recordVideo
 * needs its own ffmpeg build, downloaded at install time; this needs only Debian's ffmpeg (scripts/setup.mjs).
 * Frames are not encoded at all when the video is not kept (finish({ keep: false })).
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CDPSession } from 'playwright';

interface Frame {
  file: string;
  /** Seconds, the compositor's clock. */
  at: number;
}

export class ScreencastVideo {
  private readonly frames: Frame[] = [];
  private writes: Promise<unknown> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly cdp: CDPSession,
    private readonly frameDir: string,
    private readonly size: { width: number; height: number },
  ) {}

  static async start(cdp: CDPSession, frameDir: string, size: { width: number; height: number }): Promise<ScreencastVideo> {
    await mkdir(frameDir, { recursive: true });
    const video = new ScreencastVideo(cdp, frameDir, size);
    cdp.on('Page.screencastFrame', (frame) => video.onFrame(frame));
    await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 70, maxWidth: size.width, maxHeight: size.height });
    return video;
  }

  private onFrame(frame: { data: string; sessionId: number; metadata: { timestamp?: number } }): void {
    // Acknowledged at once: Chromium sends the next frame only after the ack.
    this.cdp.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => undefined);
    if (this.stopped) return;
    const file = join(this.frameDir, `frame-${String(this.frames.length).padStart(6, '0')}.jpg`);
    this.frames.push({ file, at: frame.metadata.timestamp ?? Date.now() / 1000 });
    this.writes = this.writes.then(() => writeFile(file, Buffer.from(frame.data, 'base64'))).catch(() => undefined);
  }

  /** Stops the screencast; with `keep`, encodes the frames to `output` (WebM) and returns it. Frames are deleted. */
  async finish(opts: { keep: boolean; output: string; ffmpegPath: string }): Promise<string | undefined> {
    this.stopped = true;
    await this.cdp.send('Page.stopScreencast').catch(() => undefined);
    await this.writes;
    try {
      if (!opts.keep || this.frames.length === 0) return undefined;
      const end = Date.now() / 1000;
      // The concat demuxer's list: each frame lasts until the next one; the last is listed twice (its duration counts).
      const lines: string[] = [];
      this.frames.forEach((f, i) => {
        const next = this.frames[i + 1]?.at ?? Math.max(f.at + 0.5, Math.min(end, f.at + 5));
        lines.push(`file '${f.file}'`, `duration ${Math.max(0.04, next - f.at).toFixed(3)}`);
      });
      lines.push(`file '${this.frames[this.frames.length - 1].file}'`);
      const list = join(this.frameDir, 'frames.txt');
      await writeFile(list, lines.join('\n') + '\n');
      const even = (n: number) => Math.max(2, n - (n % 2));
      await runFfmpeg(opts.ffmpegPath, [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list],
        ...[
          '-vf',
          `scale=${even(this.size.width)}:${even(this.size.height)}:force_original_aspect_ratio=decrease,pad=${even(this.size.width)}:${even(this.size.height)},format=yuv420p`,
        ],
        ...['-r', '10', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k', opts.output],
      ]);
      return opts.output;
    } finally {
      await rm(this.frameDir, { recursive: true, force: true });
    }
  }
}

function runFfmpeg(path: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
    child.on('error', (err) => reject(new Error(`ffmpeg (${path}) could not start: ${err.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`))));
  });
}
