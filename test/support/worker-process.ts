import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';

export interface LogLine {
  msg?: string;
  jobId?: string;
  row?: number;
  [key: string]: unknown;
}

/**
 * A worker as its own OS process (`tsx src/worker.ts`), in its own process group so that a SIGKILL takes its
 * Chromium with it, the way a machine or container loss would.
 */
export class WorkerProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    readonly workerId: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'src', 'worker.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, WORKER_ID: workerId, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let buffer = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          this.logs.push({ msg: line });
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => this.logs.push({ msg: chunk.toString(), stderr: true }));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(
          `worker ${this.workerId}: log not seen; last lines:\n${this.logs
            .slice(-10)
            .map((l) => JSON.stringify(l))
            .join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  ready(): Promise<LogLine> {
    return this.waitForLog((l) => l.msg === 'worker started');
  }

  /** SIGKILL the whole process group: worker and its browser vanish at once. */
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  terminate(): void {
    this.child.kill('SIGTERM');
  }
}
