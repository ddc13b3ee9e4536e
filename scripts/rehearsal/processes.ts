/**
 * Child processes of the rehearsal, each in its own process group (so a kill takes its children, Chromium
 * included) with its output in a log file; and the registry that stops every one of them, whatever happens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Exit code (or null when killed by a signal), once exited. */
  readonly exited: Promise<number | null>;
  readonly running: boolean;
  /** SIGKILL the whole group: the process and its children (Chromium) vanish at once, like a lost container. */
  kill(): void;
  /** SIGTERM the process alone, as `docker stop` signals a container's node process. */
  terminate(): void;
  /** terminate(), then kill() after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<number | null>;
}

const live = new Set<ManagedProcess>();
const spawned: ManagedProcess[] = [];

export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string; onLine?: (line: string) => void },
): ManagedProcess {
  const child: ChildProcess = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (!opts.onLine) return;
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(opts.onLine);
  });
  child.stderr!.pipe(log, { end: false });
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      live.delete(managed);
      log.end();
      resolve(code);
    }),
  );
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  const kill = () => signal(-child.pid!, 'SIGKILL');
  const terminate = () => signal(child.pid!, 'SIGTERM');
  const managed: ManagedProcess = {
    name,
    pid: child.pid!,
    logFile: opts.logFile,
    exited,
    get running() {
      return running;
    },
    kill,
    terminate,
    async stop(graceMs = 10_000) {
      if (!running) return exited;
      terminate();
      const timer = setTimeout(kill, graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  live.add(managed);
  spawned.push(managed);
  return managed;
}

/**
 * A TypeScript entry point of the project (src/worker.ts, src/api.ts) run by node with tsx's loader, not by the
 * tsx CLI: a signal then reaches the program itself, as in the image where node runs it directly (the CLI's
 * relay SIGKILLs its child when the child takes over 30 ms to acknowledge a SIGTERM: a busy worker under load
 * exited 143 instead of draining).
 */
export function spawnProgram(name: string, script: string, opts: Parameters<typeof spawnManaged>[3]): ManagedProcess {
  return spawnManaged(name, process.execPath, ['--import', 'tsx', script], opts);
}

/** SIGKILLs every process group still running (the last resort of cleanup and of signal handlers). */
export function killAllManaged(): void {
  for (const p of live) p.kill();
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every process the rehearsal started whose process group still has a member (its own children included)
 * `graceMs` after cleanup: Chromium's helper processes exit just after the browser they belong to, so a
 * group is given that long to empty before it counts as left behind.
 */
export async function leftoverProcessGroups(graceMs = 5000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  let alive = spawned.filter((p) => groupAlive(p.pid));
  while (alive.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = alive.filter((p) => groupAlive(p.pid));
  }
  return alive.map((p) => `${p.name} (group ${p.pid}: ${membersOf(p.pid)})`);
}

/** What is left in a group, for the report: `ps` names, or nothing when ps is unavailable. */
function membersOf(pgid: number): string {
  const r = spawnSync('ps', ['-o', 'comm=', '-g', String(pgid)], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').join(', ') : 'members unknown';
}
