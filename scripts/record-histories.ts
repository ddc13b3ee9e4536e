/**
 * Records the histories of representative executions (passed, failed, cancelled, session restart,
 * continue-as-new, Supabase mirror) into test/fixtures/histories/<generation>/. `npm test` replays every
 * generation against the current workflow code (test/replay), so a change that would break running jobs
 * fails CI.
 *
 * When workflow code changes what a new execution records (a new path, or one behind `patched()`), record a new
 * generation and keep the old ones: the old histories prove that jobs started before the change still replay,
 * the new one covers the new path.
 *   npx tsx scripts/record-histories.ts <generation, e.g. 03-what-changed>
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ExecutionClient } from '../src/client/execution-client';
import { JobSchedules } from '../src/client/schedules';
import { loadEnv } from '../src/config/env';
import { createLogger } from '../src/logging/logger';
import { applyMigrations } from '../src/mirror/db/apply-migrations';
import { PROJECT_ROOT, resolveToolPaths } from '../src/support/tools';
import { startStaticServer } from '../src/support/static-server';
import { startDevServer } from '../src/temporal/dev-server';
import { startRunnerWorker } from '../src/worker/runner-worker';
import { startPostgrestGateway } from '../test/support/postgrest-gateway';
import { createTestDatabase } from '../test/support/test-database';

const GENERATION = process.argv[2];
if (!GENERATION || !/^\d\d-[a-z0-9-]+$/.test(GENERATION)) {
  console.error('usage: npx tsx scripts/record-histories.ts <NN-what-changed>  (a new folder under test/fixtures/histories)');
  process.exit(2);
}
const OUT = join(PROJECT_ROOT, 'test', 'fixtures', 'histories', GENERATION);
const EXAMPLES = join(PROJECT_ROOT, 'examples');
const signup = JSON.parse(readFileSync(join(EXAMPLES, 'recordings', 'signup.json'), 'utf8'));
const signupCsv = readFileSync(join(EXAMPLES, 'data', 'signup.csv'), 'utf8').split('\n');
const slow = (ms: number) => ({
  title: 'slow',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/index.html' },
    { type: 'waitForExpression', expression: `new Promise((r) => setTimeout(() => r(true), ${ms}))`, timeout: 30000 },
  ],
});

async function main(): Promise<void> {
  const server = await startDevServer({ port: 17900 + Math.floor(Math.random() * 90), ui: false });
  const db = await createTestDatabase('histories');
  await applyMigrations(db.url);
  const gateway = await startPostgrestGateway({ databaseUrl: db.url });
  const env = loadEnv({
    TEMPORAL_ADDRESS: server.address,
    // Plaintext: the fixtures are read by people and replayed without a key.
    TEMPORAL_PAYLOAD_ENCRYPTION: 'off',
    TEMPORAL_TASK_QUEUE: 'record-histories',
    SESSION_HEARTBEAT_TIMEOUT_MS: '5000',
    SUPABASE_URL: gateway.url,
    SUPABASE_SERVICE_ROLE_KEY: 'record-histories',
    RESULTS_DIR: join(PROJECT_ROOT, 'artifacts', 'record-histories'),
    LOG_LEVEL: 'warn',
    NOTIFY_WEBHOOK_SECRET: 'record-histories-signing-secret',
  });
  const { code } = await bundleWorkflowCode({ workflowsPath: join(PROJECT_ROOT, 'src', 'workflows', 'index.ts') });
  const worker = await startRunnerWorker({
    env,
    address: server.address,
    logger: createLogger({ level: 'warn', pretty: false }),
    workflowBundle: { code },
  });
  const site = await startStaticServer(join(EXAMPLES, 'site'));
  const client = await ExecutionClient.connect(env);
  const defaults = { baseUrl: site.url };
  // Every job notifies (start, failed rows, end) a receiver that accepts everything.
  const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const notify = {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    events: ['started', 'rowFailed', 'ended'] as const,
  };
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  const save = async (name: string, jobId: string) => {
    const ids = [`execution-${jobId}`, `execution-${jobId}-row-1`, `mirror-${jobId}`, `notify-${jobId}-ended`];
    let n = 0;
    for (const workflowId of ids) {
      for await (const wf of client.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
        // The CLI writes the canonical proto JSON; the SDK's historyToJSON trips over its two protobufjs copies.
        const json = execFileSync(
          resolveToolPaths().temporal!,
          ['workflow', 'show', '--address', server.address, '-w', workflowId, '-r', wf.runId, '-o', 'json'],
          { maxBuffer: 64 << 20 },
        );
        writeFileSync(join(OUT, `${name}--${wf.type}--${wf.runId}.json`), json);
        // Replay needs the real id where the workflow reads it (a scheduled run's job id comes from it).
        appendFileSync(join(OUT, 'workflow-ids.txt'), `${name}--${wf.type}--${wf.runId}.json ${workflowId}\n`);
        n++;
      }
    }
    console.log(`${name}: ${n} histories`);
  };
  const run = async (name: string, input: Parameters<ExecutionClient['startExecution']>[0], during?: (jobId: string) => Promise<void>) => {
    // Not the default priority, an owner as fairness key, and a notify target: the histories show all three.
    await client.startExecution({
      ...input,
      config: { ...input.config, priority: 2, notify: { ...notify, events: [...notify.events] } },
      origin: { ownerId: 'histories', triggeredBy: 'cli' },
    });
    await during?.(input.jobId);
    await client.getResult(input.jobId);
    await client.client.workflow.getHandle(`mirror-${input.jobId}`).result();
    await client.client.workflow.getHandle(`notify-${input.jobId}-ended`).result();
    await save(name, input.jobId);
  };
  const untilSessions = async (n: number) => {
    while (worker.sessions.activeSessions < n) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1000));
  };

  const stamp = Date.now();
  await run('passed', {
    jobId: `passed-${stamp}`,
    recording: signup,
    csv: signupCsv.slice(0, 2).join('\n'),
    config: { timingMode: 'instant', defaults },
  });
  await run('failed', {
    jobId: `failed-${stamp}`,
    recording: signup,
    csv: [signupCsv[0], signupCsv[4]].join('\n'),
    config: { timingMode: 'instant', defaults },
  });
  await run(
    'cancelled',
    { jobId: `cancelled-${stamp}`, recording: slow(20000), csv: 'n\n1\n2\n3\n', config: { timingMode: 'instant', defaults } },
    async (jobId) => {
      await untilSessions(2);
      await client.cancelExecution(jobId);
    },
  );
  await run(
    'session-restart',
    { jobId: `restart-${stamp}`, recording: slow(3000), config: { timingMode: 'instant', defaults } },
    async () => {
      await untilSessions(1);
      // Kill the browser under the live worker: the row's session is lost and the row restarts.
      execFileSync('pkill', ['-KILL', '-P', String(process.pid), '-f', 'chromium']);
    },
  );
  await run('continue-as-new', {
    jobId: `can-${stamp}`,
    recording: slow(10),
    csv: 'n\n' + Array.from({ length: 12 }, (_, i) => i).join('\n'),
    config: { timingMode: 'instant', rowsPerRun: 10, maxConcurrentRows: 2, defaults },
  });

  // A scheduled run: its job id comes from the schedule's workflow id (executionJob's scheduled branch).
  const schedules = new JobSchedules(client.client, env);
  const scheduleId = `scheduled-${stamp}`;
  await schedules.create({
    scheduleId,
    recording: signup,
    csv: signupCsv.slice(0, 2).join('\n'),
    config: { timingMode: 'instant', priority: 2, defaults },
    ownerId: 'histories',
    every: ['24h'],
  });
  await schedules.trigger(scheduleId);
  let recent: { jobId: string }[] = [];
  while (recent.length === 0) {
    recent = (await schedules.describe(scheduleId)).recentRuns;
    if (recent.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  const scheduledJob = recent[0].jobId;
  await client.getResult(scheduledJob);
  await client.client.workflow.getHandle(`mirror-${scheduledJob}`).result();
  await save('scheduled', scheduledJob);
  await schedules.delete(scheduleId);

  await client.close();
  receiver.close();
  await worker.shutdown();
  await site.close();
  await gateway.close();
  await db.drop();
  await server.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
