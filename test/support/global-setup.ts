import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../src/temporal/dev-server';
import { PROJECT_ROOT } from '../../src/support/tools';

export const TEST_STATE_FILE = join(PROJECT_ROOT, '.cache', 'test-state.json');

/** One real Temporal dev server (in memory) and one workflow bundle for the whole test run. */
export default async function globalSetup(): Promise<void> {
  const port = 17233 + Math.floor(Math.random() * 500);
  const server = await startDevServer({ port, ui: false });
  const { code } = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), logger: quietLogger });
  mkdirSync(join(PROJECT_ROOT, '.cache'), { recursive: true });
  const bundlePath = join(PROJECT_ROOT, '.cache', 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  const state = JSON.stringify({ address: server.address, pid: server.process.pid, bundlePath });
  // The environment reaches this run's test workers and nobody else's (a file could be overwritten by a
  // concurrent jest run on the same checkout); the file is for tools started outside jest.
  process.env.RECORDER_TEST_STATE = state;
  writeFileSync(TEST_STATE_FILE, state);
  (globalThis as Record<string, unknown>).__TEMPORAL_DEV_SERVER__ = server;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as never;
