/**
 * What every benchmark runs against, started once per `npm run bench`: an in-memory Temporal dev server on a
 * free port (headless), one workflow bundle, a Temporal client, the bench site, and in-process workers built
 * like test/support/harness.ts does (startRunnerWorker with the prebuilt bundle, own task queue per worker).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, freemem, loadavg, release, totalmem, availableParallelism } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH, type ChromiumExecutables } from '../../src/browser/launch-options';
import { ExecutionClient } from '../../src/client/execution-client';
import { temporalDataConverter } from '../../src/temporal/payload-encryption';
import { loadEnv, type Env } from '../../src/config/env';
import { createLogger, type Logger } from '../../src/logging/logger';
import { PROJECT_ROOT, resolveToolPaths } from '../../src/support/tools';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import type { JobSummary } from '../../src/workflows/types';
import { startRunnerWorker, type RunnerWorker } from '../../src/worker/runner-worker';
import type { BenchOptions } from './options';
import { WorkerProbe } from './probe';

export interface BenchWorker {
  name: string;
  worker: RunnerWorker;
  probe: WorkerProbe;
  client: ExecutionClient;
  env: Env;
  stop(): Promise<void>;
}

export interface BenchContext {
  opts: BenchOptions;
  server: DevServer;
  site: StaticServer;
  temporal: Client;
  /** The browser headless sessions run (the headless shell when setup found one) and the full Chromium. */
  chromiumPath: string;
  chromiumBuilds: ChromiumExecutables;
  logger: Logger;
  setupMs: { devServer: number; bundle: number };
  /** A fresh in-process worker; `env` adds variables (e.g. SUPABASE_URL for the mirror benchmark). */
  startWorker(name: string, maxSessions: number, env?: Record<string, string>): Promise<BenchWorker>;
  close(): Promise<void>;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as never;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export const newJobId = (prefix: string): string => `bench-${prefix}-${randomUUID().slice(0, 8)}`;

export async function startBench(opts: BenchOptions): Promise<BenchContext> {
  const logger = createLogger({ level: opts.logLevel, pretty: false });
  const tools = resolveToolPaths();
  const chromiumBuilds: ChromiumExecutables = { chromium: tools.chromium ?? DEFAULT_CHROMIUM_PATH, headlessShell: tools.chromiumHeadlessShell };
  const chromiumPath = chromiumBuilds.headlessShell ?? chromiumBuilds.chromium!;
  let t = Date.now();
  let port = await freePort();
  while (port === 7233) port = await freePort();
  const server = await startDevServer({ port, ui: false, dynamicConfig: opts.serverConfig });
  const devServerMs = Date.now() - t;
  const cleanup: Array<() => Promise<void>> = [() => server.stop()];
  try {
    t = Date.now();
    const { code } = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), logger: quietLogger });
    const bundleMs = Date.now() - t;
    const site = await startStaticServer(join(PROJECT_ROOT, 'bench', 'site'));
    cleanup.unshift(() => site.close());
    const connection = await Connection.connect({ address: server.address });
    cleanup.unshift(() => connection.close());
    // Encrypted, as a deployment is by default; every worker and the client share the key.
    const payloadKey = randomBytes(32).toString('base64');
    const dataConverter = temporalDataConverter(loadEnv({ TEMPORAL_ADDRESS: server.address, TEMPORAL_PAYLOAD_KEY: payloadKey }));
    const temporal = new Client({ connection, namespace: 'default', dataConverter });
    const workers = new Set<BenchWorker>();

    const startWorker = async (name: string, maxSessions: number, extraEnv: Record<string, string> = {}): Promise<BenchWorker> => {
      const env = loadEnv({
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_PAYLOAD_KEY: payloadKey,
        TEMPORAL_TASK_QUEUE: `bench-${name}-${randomUUID().slice(0, 6)}`,
        WORKER_ID: `bench-${name}-${process.pid}`,
        MAX_CONCURRENT_SESSIONS: String(maxSessions),
        CHROMIUM_PATH: chromiumBuilds.chromium,
        ...(chromiumBuilds.headlessShell ? { CHROMIUM_HEADLESS_SHELL_PATH: chromiumBuilds.headlessShell } : {}),
        LOG_LEVEL: opts.logLevel,
        SCREENSHOT_DIR: join(PROJECT_ROOT, 'artifacts', 'bench-screenshots'),
        RESULTS_DIR: join(PROJECT_ROOT, 'artifacts', 'bench-results'),
        SHUTDOWN_GRACE_MS: '10000',
        ...extraEnv,
      });
      const worker = await startRunnerWorker({ env, address: server.address, logger, workflowBundle: { code } });
      const bw: BenchWorker = {
        name,
        worker,
        probe: new WorkerProbe(worker.sessions, worker.stepFeed),
        client: new ExecutionClient(temporal, env),
        env,
        stop: async () => {
          workers.delete(bw);
          await worker.shutdown();
        },
      };
      workers.add(bw);
      return bw;
    };

    return {
      opts,
      server,
      site,
      temporal,
      chromiumPath,
      chromiumBuilds,
      logger,
      setupMs: { devServer: devServerMs, bundle: bundleMs },
      startWorker,
      async close() {
        for (const w of [...workers]) await w.stop().catch(() => undefined);
        for (const step of cleanup) await step().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw err;
  }
}

export interface JobRun {
  jobId: string;
  /** Date.now() just before startExecution(). */
  startCalledAt: number;
  /** startExecution() resolved. */
  startReturnedAt: number;
  /** getResult() resolved. */
  doneAt: number;
  wallMs: number;
  summary: JobSummary;
}

/** Starts a job and waits for its summary; a job that does not pass is a broken bench, not a data point. */
export async function runJob(
  bw: BenchWorker,
  input: { jobId: string; recording: unknown; csv?: string; config?: Record<string, unknown> },
  opts: { expect?: 'passed' | 'any' } = {},
): Promise<JobRun> {
  const startCalledAt = Date.now();
  await bw.client.startExecution({ ...input, config: { timingMode: 'instant', ...input.config } });
  const startReturnedAt = Date.now();
  const summary = await bw.client.getResult(input.jobId);
  const doneAt = Date.now();
  if ((opts.expect ?? 'passed') === 'passed' && summary.status !== 'passed') {
    const firstError = summary.results.find((r) => r.error)?.error;
    throw new Error(
      `job ${input.jobId} ${summary.status}: ${JSON.stringify(summary.rows)} ${firstError ? JSON.stringify(firstError) : ''}`,
    );
  }
  return { jobId: input.jobId, startCalledAt, startReturnedAt, doneAt, wallMs: doneAt - startCalledAt, summary };
}

function tryExec(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
      .trim()
      .split('\n')[0];
  } catch {
    return undefined;
  }
}

/** The machine, read at run time. */
export function machineInfo(chromiumPath: string) {
  const temporal = resolveToolPaths().temporal;
  return {
    nproc: tryExec('nproc', []) ?? String(availableParallelism()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    memFreeGiBAtStart: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    kernel: release(),
    node: process.version,
    chromium: tryExec(chromiumPath, ['--version']) ?? 'unknown',
    chromiumPath,
    chromiumArgs: DEFAULT_CHROMIUM_ARGS,
    playwright: (require('playwright/package.json') as { version: string }).version,
    temporalSdk: (require('@temporalio/worker/package.json') as { version: string }).version,
    temporalCli: temporal ? (tryExec(temporal, ['--version']) ?? 'unknown') : 'not found',
  };
}
