import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger';
import { resolveToolPaths } from '../support/tools';
import { frontendAnswers } from './frontend-ready';
import { devServerSearchAttributeArgs } from './search-attribute-check';

export interface DevServerOptions {
  /** SQLite file to persist workflows across restarts; omit for an in-memory server (tests). */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  /** Set false to run without the Web UI (tests). */
  ui?: boolean;
  namespace?: string;
  /** The Web UI asks this remote codec endpoint to decrypt payloads (see codec-server.ts). */
  uiCodecEndpoint?: string;
  /** False: first come, first served between fairness keys (the fairness benchmark's baseline). */
  fairness?: boolean;
  /** Extra dynamic config, `key=value` (the benchmark's --server-config), after the defaults below. */
  dynamicConfig?: string[];
  logger?: Logger;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      ok(true);
    });
    socket.on('error', () => ok(false));
  });
}

async function waitForFrontend(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}`);
    if ((await portOpen(port)) && (await frontendAnswers(`127.0.0.1:${port}`))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`temporal dev server did not serve on ${port} within ${timeoutMs} ms`);
}

/**
 * The matcher that dispatches by priority and shares a queue between fairness keys by weight.
 */
export const PRIORITY_AND_FAIRNESS = [
  'matching.useNewMatcher=true',
  'matching.enableFairness=true',
  // Priority and fairness order tasks within a partition; across the default four, dispatch is nearly random.
  // One partition per queue carries a dev server's load easily.
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
];

/**
 * Starts `temporal server start-dev` (the pinned CLI that scripts/setup.mjs installs). Used when no
 * TEMPORAL_ADDRESS is configured, by the demo, the tests and the benchmarks.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const { temporal } = resolveToolPaths();
  if (!temporal) throw new Error('Temporal CLI not found: run `npm run setup` or set TEMPORAL_CLI_PATH.');
  const port = opts.port ?? 7233;
  if (await portOpen(port)) throw new Error(`port ${port} is already in use; set TEMPORAL_ADDRESS to use that server`);
  const uiPort = opts.uiPort ?? port + 1000;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  args.push('--namespace', opts.namespace ?? 'default');
  if (opts.ui === false) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (opts.ui !== false && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFilename) {
    mkdirSync(dirname(opts.dbFilename), { recursive: true });
    args.push('--db-filename', opts.dbFilename);
  }
  // Dynamic config for a local dev server. Eager activity execution hands an activity scheduled on the
  // workflow's own queue (writeResults, applyMirrorBatch) to the worker in the workflow task's response instead
  // of through matching: an activity queued + run 40 → 7 ms. Production servers: set it too.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  // Task-queue priority and fairness (config.priority, config.fairnessKey): off by default in Temporal 1.29.
  for (const kv of PRIORITY_AND_FAIRNESS) {
    if (opts.fairness === false && kv.startsWith('matching.enableFairness=')) continue;
    args.push('--dynamic-config-value', kv);
  }
  for (const kv of opts.dynamicConfig ?? []) args.push('--dynamic-config-value', kv);
  // The jobs' custom search attributes (RunStatus, RecordingId, ...): registered at every start, idempotently.
  args.push(...devServerSearchAttributeArgs());
  const child = spawn(temporal, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    await waitForFrontend(port, 30_000, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  const uiUrl = opts.ui === false ? undefined : `http://127.0.0.1:${uiPort}`;
  opts.logger?.info({ address: `127.0.0.1:${port}`, uiUrl }, 'Temporal dev server started');
  return {
    address: `127.0.0.1:${port}`,
    uiUrl,
    process: child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
