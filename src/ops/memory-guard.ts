import { measureProcessTree, type MemoryMeasure, type MemorySample } from './process-memory';

export interface MemoryGuardOptions {
  /** At or above this many MB (worker + browsers), isHigh() is true. 0 disables the guard. */
  highWatermarkMb: number;
  /** Sampling period once started. Default 2000 ms. */
  sampleMs?: number;
  /** Default 'pss' (see process-memory.ts). */
  measure?: MemoryMeasure;
}

/**
 * Answers "may this worker take another browser session?" from the memory of its process tree, sampled every
 * `sampleMs`. The session slot supplier asks it before granting a slot, so a worker above the watermark takes
 * no new rows and other replicas get them.
 */
export class MemoryGuard {
  readonly highWatermarkMb: number;
  private readonly sampleMs: number;
  private readonly measure?: MemoryMeasure;
  private last?: MemorySample;
  private timer?: NodeJS.Timeout;

  constructor(opts: MemoryGuardOptions) {
    if (!(opts.highWatermarkMb >= 0) || !Number.isFinite(opts.highWatermarkMb)) {
      throw new RangeError(`highWatermarkMb must be a finite number >= 0 (got ${opts.highWatermarkMb})`);
    }
    this.highWatermarkMb = opts.highWatermarkMb;
    this.sampleMs = Math.max(50, opts.sampleMs ?? 2000);
    this.measure = opts.measure;
  }

  get enabled(): boolean {
    return this.highWatermarkMb > 0;
  }

  get lastSample(): MemorySample | undefined {
    return this.last;
  }

  /** Measures now and keeps the sample. */
  sample(): MemorySample {
    this.last = measureProcessTree({ measure: this.measure });
    return this.last;
  }

  /** Samples every `sampleMs` until stop(); unref'd, so it never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  isHigh(): boolean {
    if (!this.enabled) return false;
    // Not started (or stopped): a sample older than one period is stale, so measure now.
    const stale = !this.last || (!this.timer && Date.now() - this.last.at >= this.sampleMs);
    return (stale ? this.sample() : this.last!).totalMb >= this.highWatermarkMb;
  }
}
