/**
 * Worker replicas as compose runs them, but as processes: `node --import tsx src/worker.ts` (what `npm start` runs) with
 * deploy/worker.env (the compose worker's env file) plus, per process, only what a container gets from its own
 * service definition: address, ids, ports and paths.
 */
import { join } from 'node:path';
import { readEnvFile } from '../../src/config/env-file';
import { PROJECT_ROOT } from '../../src/support/tools';
import { freePort, waitFor } from '../../test/support/processes';
import { spawnProgram, type ManagedProcess } from './processes';

export const WORKER_ENV_FILE = join(PROJECT_ROOT, 'deploy', 'worker.env');

export interface FleetWorker {
  workerId: string;
  healthUrl: string;
  process: ManagedProcess;
}

export interface FleetOptions {
  /** What every replica shares: Temporal address, mirror URL, bundle, results volume, session slots. */
  shared: Record<string, string>;
  workDir: string;
}

export class Fleet {
  readonly workers: FleetWorker[] = [];
  private readonly fileEnv = readEnvFile(WORKER_ENV_FILE);
  constructor(private readonly opts: FleetOptions) {}

  /** Starts one replica and resolves once its /ready answers 200. */
  async start(workerId: string): Promise<FleetWorker> {
    const healthPort = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...this.fileEnv,
      ...this.opts.shared,
      WORKER_ID: workerId,
      HEALTH_PORT: String(healthPort),
      HEALTH_HOST: '127.0.0.1',
      TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
      SCREENSHOT_DIR: join(this.opts.workDir, 'screenshots', workerId),
    };
    const child = spawnProgram(workerId, join(PROJECT_ROOT, 'src', 'worker.ts'), {
      cwd: PROJECT_ROOT,
      env,
      logFile: join(this.opts.workDir, `${workerId}.log`),
    });
    const worker = { workerId, healthUrl: `http://127.0.0.1:${healthPort}`, process: child };
    this.workers.push(worker);
    await waitFor(
      `worker ${workerId} to be ready`,
      async () => {
        if (!child.running) throw new Error(`worker ${workerId} exited while starting; see ${child.logFile}`);
        return (await fetch(`${worker.healthUrl}/ready`).catch(() => undefined))?.status === 200;
      },
      120_000,
      250,
    );
    return worker;
  }

  running(): FleetWorker[] {
    return this.workers.filter((w) => w.process.running);
  }

  /** Every running replica's /metrics text, by worker id (a replica that does not answer is left out). */
  async scrape(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await Promise.all(
      this.running().map(async (w) => {
        const res = await fetch(`${w.healthUrl}/metrics`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
        if (res?.ok) out.set(w.workerId, await res.text());
      }),
    );
    return out;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((w) => w.process.stop(30_000)));
  }
}
