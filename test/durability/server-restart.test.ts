import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { ExecutionClient } from '../../src/client/execution-client';
import { loadEnv } from '../../src/config/env';
import { createLogger } from '../../src/logging/logger';
import { PROJECT_ROOT } from '../../src/support/tools';
import { startStaticServer, StaticServer } from '../../src/support/static-server';
import { startDevServer, DevServer } from '../../src/temporal/dev-server';
import { startRunnerWorker, RunnerWorker } from '../../src/worker/runner-worker';
import { rowWorkflowId } from '../../src/workflows/definitions';
import { newJobId, testState } from '../support/harness';
import { runsOf } from '../support/history';
import { freePort, waitFor } from '../support/processes';

/** Each row spends ~2 s in one step, so the outage lands while rows are mid-step. */
const recording = {
  title: 'two-second row',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/index.html' },
    { type: 'waitForExpression', expression: 'new Promise((r) => setTimeout(() => r(true), 2000))', timeout: 10000 },
    { type: 'waitForElement', selectors: [['#get-started']] },
  ],
};

/** SIGTERM and wait for the exit; SIGKILL only if it hangs (reported, since a clean stop is what we test). */
async function stopGracefully(server: DevServer, timeoutMs = 20_000): Promise<{ ms: number; killed: boolean; code: number | null; signal: NodeJS.Signals | null }> {
  const child = server.process;
  const started = Date.now();
  if (child.exitCode !== null || child.signalCode !== null) return { ms: 0, killed: false, code: child.exitCode, signal: child.signalCode };
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
  return { ms: Date.now() - started, killed, code: child.exitCode, signal: child.signalCode };
}

describe('Temporal server restart (SQLite persistence) mid-job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recorder-server-restart-'));
  const dbFilename = join(dir, 'temporal.db');
  let port: number;
  let server: DevServer | undefined;
  let worker: RunnerWorker | undefined;
  let workerError: unknown;
  let client: ExecutionClient | undefined;
  let site: StaticServer;

  beforeAll(async () => {
    port = await freePort();
    server = await startDevServer({ port, dbFilename, ui: false });
    const env = loadEnv({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      TEMPORAL_TASK_QUEUE: `restart-${randomUUID().slice(0, 8)}`,
      WORKER_ID: `restart-w-${randomUUID().slice(0, 6)}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      SCREENSHOT_DIR: join(PROJECT_ROOT, 'artifacts', 'test-screenshots'),
      RESULTS_DIR: join(dir, 'results'),
      MAX_CONCURRENT_SESSIONS: '2',
      SHUTDOWN_GRACE_MS: '10000',
    });
    const logger = createLogger({ level: env.LOG_LEVEL, pretty: false });
    site = await startStaticServer(join(PROJECT_ROOT, 'examples', 'site'));
    worker = await startRunnerWorker({ env, address: server.address, logger, workflowBundle: { codePath: testState().bundlePath } });
    worker.done.catch((err) => (workerError = err));
    client = await ExecutionClient.connect(env);
  });

  afterAll(async () => {
    // The worker needs the server to drain; stop it first, then the server.
    const shutdownStarted = Date.now();
    await Promise.race([worker?.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000).unref())]);
    console.log(`worker shut down in ${Date.now() - shutdownStarted} ms`);
    await client?.close();
    await site?.close();
    if (server) await stopGracefully(server, 5000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stop (SIGTERM) and restart on the same port and file: the job completes, every row passed and reported once', async () => {
    const jobId = newJobId('restart');
    await client!.startExecution({
      jobId,
      recording,
      csv: 'n\n1\n2\n3\n4\n',
      config: { timingMode: 'instant', maxConcurrentRows: 2, defaults: { baseUrl: site.url } },
    });

    // Rows 1-2 done, rows 3-4 mid-step: then the server goes away.
    await waitFor('rows 1-2 to finish', async () => {
      const p = await client!.getProgress(jobId).catch(() => undefined);
      return (p?.rows.passed ?? 0) + (p?.rows.failed ?? 0) >= 2;
    }, 60_000, 100);
    await waitFor('rows 3-4 to hold a session', () => worker!.sessions.activeSessions === 2, 30_000);
    await new Promise((r) => setTimeout(r, 700));
    const before = await client!.getProgress(jobId);
    expect(before.rows).toMatchObject({ total: 4, started: 4, running: 2 });

    const stopped = await stopGracefully(server!);
    console.log(`server stopped in ${stopped.ms} ms (code ${stopped.code}, signal ${stopped.signal}${stopped.killed ? ', needed SIGKILL' : ''}); db ${statSync(dbFilename).size} bytes`);
    expect(stopped.killed).toBe(false);
    await new Promise((r) => setTimeout(r, 3000));
    const restartAt = Date.now();
    server = await startDevServer({ port, dbFilename, ui: false });
    console.log(`server restarted in ${Date.now() - restartAt} ms on ${server.address}`);

    // Same client and worker objects as before the outage: they must have reconnected on their own.
    const result = await client!.getResult(jobId);
    console.log(`job done ${Date.now() - restartAt} ms after restart; restarts ${result.results.map((r) => `row ${r.row}: ${r.sessionRestarts}`).join(', ')}`);
    expect(workerError).toBeUndefined();
    expect(worker!.draining).toBe(false);

    expect(result.status).toBe('passed');
    expect(result.rows).toMatchObject({ total: 4, passed: 4, failed: 0, cancelled: 0 });
    // A row that passed only after a session restart is flaky.
    expect(result.rows.flaky).toBe(result.results.filter((r) => r.sessionRestarts > 0 || r.steps.some((s) => s.attempts > 1)).length);
    for (const r of result.results) expect(r.flaky ?? false).toBe(r.sessionRestarts > 0 || r.steps.some((s) => s.attempts > 1));
    expect(result.steps).toEqual({ total: 12, passed: 12, failed: 0, skipped: 0 });
    expect(result.results.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    for (const row of result.results) expect(row.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
    // The results files hold each row once (no duplicate from a retried batch write or a replayed child).
    const all = await client!.getAllRowResults(jobId);
    expect(all.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    // Each row ran as exactly one child workflow execution, and the job as one run.
    expect(await runsOf(client!.client, `execution-${jobId}`)).toHaveLength(1);
    for (const row of [1, 2, 3, 4]) expect(await runsOf(client!.client, rowWorkflowId(jobId, row))).toHaveLength(1);

    // The worker still serves new work after the outage.
    const after = newJobId('after-restart');
    await client!.startExecution({ jobId: after, recording: { title: 'quick', steps: [recording.steps[0]] }, csv: 'n\n1\n', config: { timingMode: 'instant', defaults: { baseUrl: site.url } } });
    expect((await client!.getResult(after)).rows.passed).toBe(1);
  });
});
