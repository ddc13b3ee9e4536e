/**
 * Fair sharing between owners, measured: owner A starts a 40-row job with a window of 40, owner B then starts
 * a 4-row job; one worker with two session slots. Reports when B's job finished (seconds after it started, and
 * how many of A's rows had finished by then), with Temporal's fairness on and off (first come, first served).
 * Each row holds its session 200 ms after loading the page; timing mode instant.
 *   npx tsx bench/fairness.ts [--reps N]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ExecutionClient } from '../src/client/execution-client';
import { loadEnv } from '../src/config/env';
import { createLogger } from '../src/logging/logger';
import { startStaticServer } from '../src/support/static-server';
import { PROJECT_ROOT } from '../src/support/tools';
import { startDevServer } from '../src/temporal/dev-server';
import { rowWorkflowId } from '../src/workflows/definitions';
import { startRunnerWorker } from '../src/worker/runner-worker';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' } } });
const REPS = Number(values.reps);
const hold = (ms: number) => ({
  title: 'hold the session',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/index.html' },
    { type: 'waitForExpression', expression: `new Promise((r) => setTimeout(() => r(true), ${ms}))` },
  ],
});
const csvOf = (rows: number) => 'n\n' + Array.from({ length: rows }, (_, i) => `${i + 1}\n`).join('');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function scenario(fairness: boolean, code: string) {
  const server = await startDevServer({ port: 18600 + Math.floor(Math.random() * 300), ui: false, fairness });
  const site = await startStaticServer(join(PROJECT_ROOT, 'examples', 'site'));
  const env = loadEnv({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: `fair-${randomUUID().slice(0, 6)}`,
    TEMPORAL_PAYLOAD_ENCRYPTION: 'off',
    LOG_LEVEL: 'error',
    MAX_CONCURRENT_SESSIONS: '2',
  });
  const worker = await startRunnerWorker({
    env,
    address: server.address,
    logger: createLogger({ level: 'error', pretty: false }),
    workflowBundle: { code },
  });
  const client = await ExecutionClient.connect(env);
  const config = (window: number) => ({ timingMode: 'instant' as const, maxConcurrentRows: window, defaults: { baseUrl: site.url } });
  const closeTimes = async (jobId: string, rows: number) =>
    Promise.all(
      Array.from({ length: rows }, (_, i) =>
        client.client.workflow
          .getHandle(rowWorkflowId(jobId, i + 1))
          .describe()
          .then((d) => d.closeTime!.getTime()),
      ),
    );
  const runs: { bDoneS: number; aRowsBeforeB: number; aDoneS: number }[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const a = `a-${randomUUID().slice(0, 6)}`;
    const b = `b-${randomUUID().slice(0, 6)}`;
    await client.startExecution({ jobId: a, recording: hold(200), csv: csvOf(40), config: config(40), origin: { ownerId: 'owner-a' } });
    while (worker.sessions.activeSessions < 2) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await client.startExecution({ jobId: b, recording: hold(200), csv: csvOf(4), config: config(4), origin: { ownerId: 'owner-b' } });
    await client.getResult(b);
    const bDone = Date.now();
    await client.getResult(a);
    const aDone = Date.now();
    const bLast = Math.max(...(await closeTimes(b, 4)));
    const aTimes = await closeTimes(a, 40);
    runs.push({ bDoneS: (bDone - t0) / 1000, aRowsBeforeB: aTimes.filter((t) => t < bLast).length, aDoneS: (aDone - t0) / 1000 });
  }
  await client.close();
  await worker.shutdown();
  await site.close();
  await server.stop();
  return runs;
}

async function main() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
  });
  for (const fairness of [true, false]) {
    const runs = await scenario(fairness, code);
    const label = fairness ? 'fairness on ' : 'fairness off';
    console.log(
      `${label}: B done after median ${median(runs.map((r) => r.bDoneS)).toFixed(1)} s, ${median(runs.map((r) => r.aRowsBeforeB))} of A's 40 rows finished before B's last; A done after ${median(runs.map((r) => r.aDoneS)).toFixed(1)} s  (runs: ${runs.map((r) => `${r.bDoneS.toFixed(1)}s/${r.aRowsBeforeB}`).join(', ')})`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
