/**
 * Mirror overhead: the same job with the Supabase mirror off and on (supabase-js → the PostgREST-compatible
 * test gateway → real PostgreSQL with the migrations), alternating runs. A step's measured duration includes
 * the signal it awaits to hand its log line to the mirror workflow, so a mirror that slowed steps would show.
 *
 *   npx tsx bench/mirror-overhead.ts [--rounds 3] [--rows 8] [--steps 10]
 */
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ExecutionClient } from '../src/client/execution-client';
import { loadEnv } from '../src/config/env';
import { createLogger } from '../src/logging/logger';
import { applyMigrations } from '../src/mirror/db/apply-migrations';
import { PROJECT_ROOT } from '../src/support/tools';
import { startStaticServer } from '../src/support/static-server';
import { startDevServer } from '../src/temporal/dev-server';
import { startRunnerWorker } from '../src/worker/runner-worker';
import type { JobSummary } from '../src/workflows/types';
import { startPostgrestGateway } from '../test/support/postgrest-gateway';
import { createTestDatabase } from '../test/support/test-database';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ROUNDS = arg('rounds', 3);
const ROWS = arg('rows', 8);
const STEPS = arg('steps', 10);

const recording = {
  title: 'mirror overhead',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/signup.html' },
    ...Array.from({ length: STEPS - 1 }, (_, i) =>
      i % 2 === 0
        ? { type: 'change', selectors: [['#first-name']], value: `name-${i}` }
        : { type: 'waitForElement', selectors: [['#first-name']] },
    ),
  ],
};

const stepMs = (s: JobSummary) => s.results.flatMap((r) => r.steps.map((st) => st.durationMs));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
  const server = await startDevServer({ port: 18100 + Math.floor(Math.random() * 80), ui: false });
  const db = await createTestDatabase('bench_mirror');
  await applyMigrations(db.url);
  const gateway = await startPostgrestGateway({ databaseUrl: db.url });
  const site = await startStaticServer(join(PROJECT_ROOT, 'examples', 'site'));
  const { code } = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), logger: quiet });
  const logger = createLogger({ level: 'warn', pretty: false });
  const setups = await Promise.all(
    (['off', 'on'] as const).map(async (mode) => {
      const env = loadEnv({
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: `bench-mirror-${mode}`,
        WORKER_ID: `bench-${mode}`,
        MAX_CONCURRENT_SESSIONS: '2',
        RESULTS_DIR: join(PROJECT_ROOT, 'artifacts', 'bench-results'),
        LOG_LEVEL: 'warn',
        ...(mode === 'on' ? { SUPABASE_URL: gateway.url, SUPABASE_SERVICE_ROLE_KEY: 'bench' } : {}),
      });
      const worker = await startRunnerWorker({ env, address: server.address, logger, workflowBundle: { code } });
      return { mode, worker, client: await ExecutionClient.connect(env), steps: [] as number[], walls: [] as number[] };
    }),
  );
  const csv = 'n\n' + Array.from({ length: ROWS }, (_, i) => i + 1).join('\n');
  for (let round = 0; round <= ROUNDS; round++) {
    for (const s of round % 2 === 0 ? setups : [...setups].reverse()) {
      const jobId = `mirror-bench-${s.mode}-${round}-${Date.now()}`;
      const t0 = Date.now();
      await s.client.startExecution({ jobId, recording, csv, config: { timingMode: 'instant', maxConcurrentRows: 2, defaults: { baseUrl: site.url } } });
      const summary = await s.client.getResult(jobId);
      if (summary.status !== 'passed') throw new Error(`${s.mode}: job ${summary.status}`);
      if (round === 0) continue; // warm-up
      s.walls.push(Date.now() - t0);
      s.steps.push(...stepMs(summary));
    }
  }
  // The mirror caught up: every log line is there.
  const on = setups[1];
  const expectedLogs = ROUNDS * ROWS * STEPS * 2;
  console.log(`\nmirror overhead: ${ROUNDS} rounds × ${ROWS} rows × ${STEPS} steps, concurrency 2, alternating off/on`);
  console.log('mode | step mean ms | step p50 | step p95 | job wall mean ms');
  for (const s of setups) {
    console.log(`${s.mode.padEnd(4)} | ${mean(s.steps).toFixed(1).padStart(12)} | ${String(pct(s.steps, 50)).padStart(8)} | ${String(pct(s.steps, 95)).padStart(8)} | ${mean(s.walls).toFixed(0).padStart(16)}`);
  }
  const d = mean(on.steps) - mean(setups[0].steps);
  console.log(`difference per step (on - off): ${d.toFixed(1)} ms; job wall ratio on/off: ${(mean(on.walls) / mean(setups[0].walls)).toFixed(3)}`);
  console.log(`(log lines expected in Supabase for the measured rounds: ${expectedLogs}, plus warm-up)`);

  for (const s of setups) {
    await s.client.close();
    await s.worker.shutdown();
  }
  await site.close();
  await gateway.close();
  await db.drop();
  await server.stop();
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as never;

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
