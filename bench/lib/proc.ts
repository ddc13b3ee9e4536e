/**
 * CPU time and memory of the processes a benchmark runs: this Node process (bench harness, client and the
 * in-process worker, workflow threads included), its Chromium children, and the Temporal dev server, which is
 * also our child but is the "server", not the worker, so it is reported apart and left out of worker memory.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { descendantPids, measureProcessTree } from '../../src/ops/process-memory';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  comm: string;
  ppid: number;
  /** own user+system time, ms */
  self: number;
  /** user+system time of reaped children, ms */
  children: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(f[i]) * 1000) / clockTicks();
  // fields after "(comm) ": state ppid ... utime(11) stime(12) cutime(13) cstime(14)
  return { comm, ppid: Number(f[1]), self: ms(11) + ms(12), children: ms(13) + ms(14) };
}

/** CPU busy time of the whole machine so far (all cores, /proc/stat), ms. */
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all − idle − iowait (steal counts as lost to us)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - f[3] - f[4]) * 1000) / clockTicks();
  } catch {
    return NaN;
  }
}

/** Waits until the whole machine is below `cores` busy over a 2 s window, or `timeoutS` passed. Returns the last reading. */
export async function waitForQuietMachine(timeoutS: number, cores = 0.3): Promise<{ busyCores: number; waitedS: number }> {
  const start = Date.now();
  for (;;) {
    const a = machineBusyMs();
    await new Promise((r) => setTimeout(r, 2000));
    const busyCores = Math.round(((machineBusyMs() - a) / 2000) * 100) / 100;
    const waitedS = Math.round((Date.now() - start) / 1000);
    if (!(busyCores >= cores) || waitedS >= timeoutS) return { busyCores, waitedS };
  }
}

export interface CpuSample {
  /** This process: harness + client + worker (activities, Playwright client, workflow threads), + reaped children. */
  node: number;
  /** Chromium processes below this one (browser, zygotes, renderers, GPU/utility), reaped children included. */
  chromium: number;
  temporal: number;
  other: number;
  /** Whole machine busy time, steal included. */
  machine: number;
  /** CPU ms so far of every process outside this bench, by pid (cpuDelta sums what they used in between). */
  outside: Map<number, number>;
  at: number;
}

/** CPU ms used so far, by group. Take two and subtract (cpuDelta); only deltas are meaningful. */
export function sampleCpu(serverPid?: number): CpuSample {
  const out: CpuSample = { node: 0, chromium: 0, temporal: 0, other: 0, machine: machineBusyMs(), outside: new Map(), at: Date.now() };
  const me = readStat(process.pid);
  // Reaped children included: a browser that exits moves its own CPU time here. Its helpers (zygote, renderers)
  // can outlive it and be reaped elsewhere, so a window in which a browser closes undercounts Chromium.
  if (me) out.node = me.self + me.children;
  const server = new Set<number>(serverPid ? [serverPid, ...descendantPids(serverPid)] : []);
  const ours = new Set<number>([process.pid]);
  for (const pid of descendantPids(process.pid)) {
    ours.add(pid);
    const s = readStat(pid);
    if (!s) continue;
    const total = s.self + s.children;
    if (server.has(pid)) out.temporal += total;
    else if (/chrom/i.test(s.comm)) out.chromium += total;
    else out.other += total;
  }
  // Everything else, process by process. Our ancestors and PID 1 adopt and reap our orphans (a closed browser's
  // renderers): their reaped children's time is ours, so only their own time counts as someone else's.
  const adopters = new Set<number>([1]);
  for (let pid = me?.ppid; pid && !adopters.has(pid); pid = readStat(pid)?.ppid) adopters.add(pid);
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || ours.has(pid)) continue;
    const s = readStat(pid);
    if (!s) continue;
    // A Chromium helper adopted by PID 1 or one of our ancestors is one of ours, orphaned as its browser closed.
    if (adopters.has(s.ppid) && /chrom/i.test(s.comm)) continue;
    out.outside.set(pid, adopters.has(pid) ? s.self : s.self + s.children);
  }
  return out;
}

export interface CpuDelta extends Omit<CpuSample, 'outside'> {
  wall: number;
  /** CPU ms used by processes outside this bench over the interval (≥ 0). */
  foreign: number;
  /** Cores busy on average outside this bench: > ~0.2 means the numbers are disturbed. */
  foreignCores: number;
}

/**
 * Other processes' CPU is summed per process rather than taken as the machine's busy time minus ours: a closed
 * browser's helpers leave our tree with all their CPU time, which the subtraction would call someone else's.
 */
export function cpuDelta(a: CpuSample, b: CpuSample): CpuDelta {
  const d = {
    node: b.node - a.node,
    chromium: b.chromium - a.chromium,
    temporal: b.temporal - a.temporal,
    other: b.other - a.other,
    machine: b.machine - a.machine,
  };
  const wall = b.at - a.at;
  let foreign = 0;
  for (const [pid, ms] of b.outside) foreign += Math.max(0, ms - (a.outside.get(pid) ?? 0));
  return { ...d, at: b.at, wall, foreign, foreignCores: wall > 0 ? Math.round((foreign / wall) * 100) / 100 : 0 };
}

export interface WorkerMemory {
  /** Worker process + its browsers (the Temporal dev server excluded), MB. */
  pssMb: number;
  rssMb: number;
  /** The Node process alone. */
  nodePssMb: number;
  /** The browsers alone. */
  browserPssMb: number;
  browserRssMb: number;
  processes: number;
}

/** measureProcessTree (src/ops/memory-guard) of this process, minus the dev server's subtree. */
export function workerMemory(serverPid?: number): WorkerMemory {
  const minus = (measure: 'pss' | 'rss') => {
    const all = measureProcessTree({ measure });
    const server = serverPid ? measureProcessTree({ pid: serverPid, measure }) : undefined;
    const serverMb = server && server.source === 'proc' ? server.totalMb : 0;
    return {
      total: all.totalMb - serverMb,
      self: all.selfMb,
      children: all.childrenMb - serverMb,
      processes: all.processes - (server?.processes ?? 0),
    };
  };
  const pss = minus('pss');
  const rss = minus('rss');
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    pssMb: r1(pss.total),
    rssMb: r1(rss.total),
    nodePssMb: r1(pss.self),
    browserPssMb: r1(pss.children),
    browserRssMb: r1(rss.children),
    processes: pss.processes,
  };
}

/** Chromium processes currently below this one, by --type (browser, renderer, webui-renderer, zygote, gpu-process, utility). */
export function chromiumProcessTypes(serverPid?: number): Record<string, number> {
  const server = new Set<number>(serverPid ? [serverPid, ...descendantPids(serverPid)] : []);
  const types: Record<string, number> = {};
  for (const pid of descendantPids(process.pid)) {
    if (server.has(pid)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!/chrom/i.test(cmd.split('\0')[0] ?? '')) continue;
    let type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
    // Browser UI (WebUI) renderers of the new headless mode, apart from the pages' renderers.
    if (type === 'renderer' && cmd.includes('--top-chrome-webui')) type = 'webui-renderer';
    types[type] = (types[type] ?? 0) + 1;
  }
  return types;
}

export const procAvailable = (): boolean => {
  try {
    return readdirSync('/proc').length > 0 && readStat(process.pid) !== undefined;
  } catch {
    return false;
  }
};
