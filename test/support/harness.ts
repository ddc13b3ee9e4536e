import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { ExecutionClient } from '../../src/client/execution-client';
import { loadEnv, Env } from '../../src/config/env';
import { createLogger } from '../../src/logging/logger';
import { PROJECT_ROOT } from '../../src/support/tools';
import { startStaticServer, StaticServer } from '../../src/support/static-server';
import { startRunnerWorker, RunnerWorker } from '../../src/worker/runner-worker';

export interface TestState {
  address: string;
  pid: number;
  bundlePath: string;
}

export function testState(): TestState {
  const fromEnv = process.env.RECORDER_TEST_STATE;
  return JSON.parse(fromEnv ?? readFileSync(join(PROJECT_ROOT, '.cache', 'test-state.json'), 'utf8'));
}

export const FIXTURE_PAGES = join(PROJECT_ROOT, 'test', 'fixtures', 'pages');

export interface Harness {
  env: Env;
  client: ExecutionClient;
  workers: RunnerWorker[];
  site: StaticServer;
  startWorker(overrides?: Record<string, string>): Promise<RunnerWorker>;
  close(): Promise<void>;
}

/**
 * A real worker (real Chromium) on its own task queue against the shared dev server, a client, and a
 * static server for test pages: what one integration test file needs.
 */
export async function startHarness(opts: { env?: Record<string, string>; siteRoot?: string } = {}): Promise<Harness> {
  const state = testState();
  const env = loadEnv({
    TEMPORAL_ADDRESS: state.address,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SCREENSHOT_DIR: join(PROJECT_ROOT, 'artifacts', 'test-screenshots'),
    RESULTS_DIR: join(PROJECT_ROOT, 'artifacts', 'test-results'),
    SESSION_HEARTBEAT_TIMEOUT_MS: '5000',
    SHUTDOWN_GRACE_MS: '10000',
    // Encrypted, as every deployment is by default; a test that wants plaintext says TEMPORAL_PAYLOAD_ENCRYPTION=off.
    ...(opts.env?.TEMPORAL_PAYLOAD_ENCRYPTION === 'off' ? {} : { TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64') }),
    ...opts.env,
  });
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: false });
  const site = await startStaticServer(opts.siteRoot ?? FIXTURE_PAGES);
  const client = await ExecutionClient.connect(env);
  const workers: RunnerWorker[] = [];
  const startWorker = async (overrides: Record<string, string> = {}) => {
    const workerEnv = loadEnv({
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
      WORKER_ID: `w${workers.length + 1}-${randomUUID().slice(0, 6)}`,
      ...overrides,
    });
    const worker = await startRunnerWorker({
      env: workerEnv,
      address: state.address,
      logger,
      workflowBundle: { codePath: state.bundlePath },
    });
    workers.push(worker);
    return worker;
  };
  return {
    env,
    client,
    workers,
    site,
    startWorker,
    async close() {
      await Promise.all(workers.map((w) => w.shutdown()));
      await client.close();
      await site.close();
    },
  };
}

/**
 * Points CLI runs in this process (`main()` of src/client/cli.ts reads process.env) at the harness's server, queue
 * and payload key, plus `extra`; returns what puts process.env back.
 */
export function useHarnessEnvForCli(h: Harness, extra: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: h.env.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: h.env.TEMPORAL_TASK_QUEUE,
    TEMPORAL_PAYLOAD_KEY: h.env.TEMPORAL_PAYLOAD_KEY,
    ...extra,
  });
  return () => {
    process.env = saved;
  };
}

export const newJobId = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
