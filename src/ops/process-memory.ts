/**
 * Memory of a process *including its children*: a worker's Chromium runs as child processes (browser, GPU,
 * utility, one renderer per site), which process.memoryUsage() does not see. On Linux this walks /proc for every
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
function childrenByParent(): Map<number, number[]> {
  const procRoot = '/proc';
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
export function descendantPids(root: number): number[] {
  const children = childrenByParent();
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
export function measureProcessTree(opts: { pid?: number; measure?: MemoryMeasure } = {}): MemorySample {
  const pid = opts.pid ?? process.pid;
  const procRoot = '/proc';
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
    descendants = descendantPids(pid);
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
