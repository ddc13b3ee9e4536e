/**
 * Memory of this worker *including its browsers*: Chromium runs as child processes (browser, GPU, utility,
 * one renderer per site), which process.memoryUsage() does not see. On Linux the guard walks /proc for every
 * descendant of this process (ppid links in /proc/<pid>/stat) and sums their memory; elsewhere it falls back
 * to this process's own RSS.
 *
 * Two measures:
 * - 'pss' (default): proportional set size from /proc/<pid>/smaps_rollup, shared pages split between the
 *   processes sharing them, so the sum is close to what the container's memory limit sees. Falls back to
 *   VmRSS for any process whose smaps_rollup cannot be read.
 * - 'rss': VmRSS from /proc/<pid>/status. Chromium's processes share most of their pages, so summed RSS
 *   over-counts heavily: measured here, one session read 1066 MB RSS vs 490 MB PSS, and each further session
 *   +300 MB RSS vs +67 MB PSS. A watermark on summed RSS trips far too early.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface MemorySample {
  /** This process plus all its descendants, MB. */
  totalMb: number;
  selfMb: number;
  /** Descendants only (browsers), MB. */
  childrenMb: number;
  /** Processes counted, this one included. */
  processes: number;
  source: 'proc' | 'process.memoryUsage';
  measure: MemoryMeasure;
  at: number;
}

export type MemoryMeasure = 'rss' | 'pss';

export interface MemoryGuardOptions {
  /** At or above this many MB (process tree), isHigh() is true and waitUntilBelow() waits. 0 or Infinity disables. */
  highWatermarkMb: number;
  /** Sampling period while started or while someone waits. Default 2000 ms. */
  sampleMs?: number;
  /** Default 'pss' (see the file header). */
  measure?: MemoryMeasure;
  /** Root of the tree; default this process. */
  pid?: number;
  /** Default /proc (tests may point elsewhere). */
  procRoot?: string;
}

const MB = 1024 * 1024;
const round1 = (mb: number) => Math.round(mb * 10) / 10;

function readKb(file: string, field: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  // A zombie or kernel thread has no VmRSS line: it holds no user memory.
  return match ? Number(match[1]) : 0;
}

/** ppid of every process, from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold spaces and parens). */
function childrenByParent(procRoot: string): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${procRoot}/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid);
    if (list) list.push(Number(name));
    else children.set(ppid, [Number(name)]);
  }
  return children;
}

/** Every descendant pid of `root` (not root itself). */
export function descendantPids(root: number, procRoot = '/proc'): number[] {
  const children = childrenByParent(procRoot);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  const seen = new Set<number>([root]);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** One measurement of a process tree; never throws. */
export function measureProcessTree(opts: { pid?: number; procRoot?: string; measure?: MemoryMeasure } = {}): MemorySample {
  const pid = opts.pid ?? process.pid;
  const procRoot = opts.procRoot ?? '/proc';
  const at = Date.now();
  const measure = opts.measure ?? 'pss';
  const kbOf = (p: number): number | undefined =>
    measure === 'pss'
      ? (readKb(`${procRoot}/${p}/smaps_rollup`, 'Pss') ?? readKb(`${procRoot}/${p}/status`, 'VmRSS'))
      : readKb(`${procRoot}/${p}/status`, 'VmRSS');
  const selfKb = kbOf(pid);
  if (selfKb === undefined || selfKb === 0) {
    // Not Linux (or /proc hidden): only this process is visible.
    const selfMb = pid === process.pid ? process.memoryUsage().rss / MB : 0;
    return {
      totalMb: round1(selfMb),
      selfMb: round1(selfMb),
      childrenMb: 0,
      processes: 1,
      source: 'process.memoryUsage',
      measure: 'rss',
      at,
    };
  }
  let childrenKb = 0;
  let processes = 1;
  let descendants: number[] = [];
  try {
    descendants = descendantPids(pid, procRoot);
  } catch {
    descendants = [];
  }
  for (const child of descendants) {
    const kb = kbOf(child);
    if (kb === undefined) continue;
    childrenKb += kb;
    processes++;
  }
  return {
    totalMb: round1((selfKb + childrenKb) / 1024),
    selfMb: round1(selfKb / 1024),
    childrenMb: round1(childrenKb / 1024),
    processes,
    source: 'proc',
    measure,
    at,
  };
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Samples the process tree every `sampleMs` and answers "may this worker take another browser session?".
 * Meant for a Temporal custom slot supplier: `await guard.waitUntilBelow(abortSignal)` before granting a
 * session slot, so a worker above the watermark takes no new rows and other replicas get them.
 */
export class MemoryGuard {
  private watermarkMb: number;
  private readonly sampleMs: number;
  private readonly measureOpts: { pid?: number; procRoot?: string; measure?: MemoryMeasure };
  private last?: MemorySample;
  private started = false;
  private timer?: NodeJS.Timeout;
  private readonly waiters = new Set<Waiter>();

  constructor(opts: MemoryGuardOptions) {
    this.watermarkMb = MemoryGuard.checkWatermark(opts.highWatermarkMb);
    this.sampleMs = Math.max(50, opts.sampleMs ?? 2000);
    this.measureOpts = { pid: opts.pid, procRoot: opts.procRoot, measure: opts.measure };
  }

  private static checkWatermark(mb: number): number {
    if (!(mb >= 0)) throw new RangeError(`highWatermarkMb must be a number >= 0 (got ${mb})`);
    return mb;
  }

  get highWatermarkMb(): number {
    return this.watermarkMb;
  }

  /** Settable at run time; waiters are re-checked at once against the last sample. */
  set highWatermarkMb(mb: number) {
    this.watermarkMb = MemoryGuard.checkWatermark(mb);
    this.settleWaiters();
  }

  get enabled(): boolean {
    return this.watermarkMb > 0 && Number.isFinite(this.watermarkMb);
  }

  /** The last measured process-tree memory in MB (measures now if nothing was measured yet). */
  get lastSampleMb(): number {
    return (this.last ?? this.sample()).totalMb;
  }

  get lastSample(): MemorySample | undefined {
    return this.last;
  }

  /** Callers currently waiting in waitUntilBelow(). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Measures now, stores the sample and wakes waiters if it is below the watermark. */
  sample(): MemorySample {
    this.last = measureProcessTree(this.measureOpts);
    this.settleWaiters();
    return this.last;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.sample();
    this.ensureTimer();
  }

  /** Stops periodic sampling (waiters, if any, keep their own sampling until they settle). */
  stop(): void {
    this.started = false;
    this.ensureTimer();
  }

  isHigh(): boolean {
    if (!this.enabled) return false;
    const stale = !this.last || (!this.timer && Date.now() - this.last.at >= this.sampleMs);
    const sample = stale ? this.sample() : this.last!;
    return sample.totalMb >= this.watermarkMb;
  }

  /** Resolves at once when below the watermark, else on the first sample (or watermark change) below it. Rejects with the signal's reason on abort. */
  waitUntilBelow(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!this.isHigh()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          this.removeWaiter(waiter);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.add(waiter);
      this.ensureTimer();
    });
  }

  private removeWaiter(waiter: Waiter): void {
    this.waiters.delete(waiter);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    this.ensureTimer();
  }

  private settleWaiters(): void {
    if (this.waiters.size === 0) return;
    const high = this.enabled && (this.last?.totalMb ?? 0) >= this.watermarkMb;
    if (high) return;
    for (const waiter of [...this.waiters]) {
      this.removeWaiter(waiter);
      waiter.resolve();
    }
  }

  /** The timer runs while started or while anyone waits; unref'd so it never keeps the process alive. */
  private ensureTimer(): void {
    const wanted = this.started || this.waiters.size > 0;
    if (wanted && !this.timer) {
      this.timer = setInterval(() => this.sample(), this.sampleMs);
      this.timer.unref();
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
