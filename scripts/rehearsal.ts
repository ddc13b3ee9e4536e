/**
 * Production rehearsal (`npm run rehearsal`): docker-compose.yml's topology as processes on this machine.
 * Temporal's own server (the version compose pins) on PostgreSQL with SQL visibility and its Web UI, three
 * worker processes from deploy/worker.env, the Runs API process (compose's api service, deploy/api.env), the
 * Supabase mirror into PostgreSQL through the PostgREST-compatible gateway (the one stand-in: PostgREST cannot
 * be installed here). Runs scenario.ts (kill, drain, server restart, a second job), checks every row once,
 * result = mirror = the Runs API's view, a run created through the API, nothing stuck, every process stopped,
 * evaluates the alert rules on the workers' scraped metrics, prints a report and exits 1 on any violation (2 on
 * a crash).
 *
 * Options: --keep (keep the work directory with every process's log and the scraped metrics).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { Pool } from 'pg';
import { ExecutionClient } from '../src/client/execution-client';
import { loadEnv } from '../src/config/env';
import { applyMigrations } from '../src/mirror/db/apply-migrations';
import { bundleWorkflows } from '../src/ops/bundle-workflows';
import { startStaticServer } from '../src/support/static-server';
import { PROJECT_ROOT, resolveToolPaths } from '../src/support/tools';
import { startPostgrestGateway } from '../test/support/postgrest-gateway';
import { createTestDatabase } from '../test/support/test-database';
import { evaluateAlertRules } from './rehearsal/alert-rules';
import { API_OWNER, RehearsalApi } from './rehearsal/api';
import { checkMirror, checkRowsOnce, runningWorkflows } from './rehearsal/checks';
import { Fleet } from './rehearsal/fleet';
import { killAllManaged, leftoverProcessGroups } from './rehearsal/processes';
import { JOB_A_CONCURRENCY, JOB_A_ROWS, PAGE, runScenario } from './rehearsal/scenario';
import { MetricsRecorder } from './rehearsal/metrics-recorder';
import { startTemporalCluster } from './rehearsal/temporal-cluster';
import { waitFor } from '../test/support/processes';

const NAMESPACE = 'default';
const SCRAPE_INTERVAL_MS = 5000;
const WORKERS = 3;
const log = (msg: string) => console.log(`[rehearsal +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const t0 = Date.now();

function requiredTools() {
  const tools = resolveToolPaths();
  const missing = (['temporal', 'temporalServer', 'temporalSql', 'temporalUiServer', 'promtool'] as const).filter((k) => !tools[k]);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`node scripts/setup.mjs --server\` (npm run rehearsal does)`);
  return tools as Required<typeof tools>;
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const tools = requiredTools();
  const workDir = mkdtempSync(join(tmpdir(), 'rehearsal-'));
  const cleanups: Array<[string, () => Promise<unknown>]> = [];
  const cleanup = async () => {
    for (const [what, fn] of cleanups.reverse()) await fn().catch((err) => console.error(`cleanup ${what}: ${(err as Error).message}`));
    cleanups.length = 0;
    killAllManaged();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      console.error(`${sig}: stopping everything`);
      killAllManaged();
      void cleanup().finally(() => process.exit(130));
    });

  const violations: string[] = [];
  try {
    const cluster = await startTemporalCluster({ tools, namespace: NAMESPACE, workDir });
    cleanups.push(['temporal', () => cluster.close()]);
    log(`Temporal server ${cluster.address} (databases ${cluster.databases.join(', ')}), Web UI ${cluster.uiUrl}`);
    const mirrorDb = await createTestDatabase('rehearsal_mirror');
    cleanups.push(['mirror database', () => mirrorDb.drop()]);
    await applyMigrations(mirrorDb.url);
    const gateway = await startPostgrestGateway({ databaseUrl: mirrorDb.url });
    cleanups.push(['gateway', () => gateway.close()]);
    const mirror = new Pool({ connectionString: mirrorDb.url });
    cleanups.push(['mirror pool', () => mirror.end()]);
    const siteDir = join(workDir, 'site');
    mkdirSync(siteDir);
    writeFileSync(join(siteDir, 'index.html'), PAGE);
    const site = await startStaticServer(siteDir);
    cleanups.push(['site', () => site.close()]);
    // The image's prebuilt bundle (npm run build): replicas start without webpack.
    const bundle = await bundleWorkflows(join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), join(workDir, 'workflow-bundle.js'), {
      logger: new DefaultLogger('WARN'),
    });
    const resultsDir = join(workDir, 'results');
    // As in production (compose's .env, the k8s Secret): one key shared by every worker and client, so
    // Temporal stores ciphertext; a replica without it would refuse to start.
    const payloadKey = randomBytes(32).toString('base64');
    // What the replicas and the API process share (compose: the same env files, .env and volume).
    const shared = {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_PAYLOAD_KEY: payloadKey,
      WORKFLOW_BUNDLE_PATH: bundle.outFile,
      RESULTS_DIR: resultsDir,
      SUPABASE_URL: gateway.url,
      SUPABASE_SERVICE_ROLE_KEY: 'rehearsal-service-role',
      // Job A's concurrency spread over the replicas (deploy/worker.env sizes one replica for 2).
      MAX_CONCURRENT_SESSIONS: String(JOB_A_CONCURRENCY / WORKERS),
      JOB_WATCH_INTERVAL_MS: String(SCRAPE_INTERVAL_MS),
      RUNNER_HEALTH_INTERVAL_MS: '5000',
    };
    const fleet = new Fleet({ workDir, shared });
    cleanups.push(['workers', () => fleet.stopAll()]);
    const [api] = await Promise.all([
      RehearsalApi.start({ workDir, shared }).then((started) => {
        cleanups.push(['api', () => started.stop()]);
        return started;
      }),
      ...Array.from({ length: WORKERS }, (_, i) => fleet.start(`rehearsal-w${i + 1}`)),
    ]);
    log(`${WORKERS} workers ready, Runs API at ${api.url}`);
    violations.push(...(await api.checkHealth()));
    const metrics = new MetricsRecorder(fleet, SCRAPE_INTERVAL_MS);
    cleanups.push(['metrics recorder', () => metrics.stop()]);
    const client = await ExecutionClient.connect(
      loadEnv({
        TEMPORAL_ADDRESS: cluster.address,
        TEMPORAL_NAMESPACE: NAMESPACE,
        TEMPORAL_PAYLOAD_KEY: payloadKey,
        RESULTS_DIR: resultsDir,
      }),
    );
    cleanups.push(['client', () => client.close()]);

    const outcome = await runScenario({
      client,
      cluster,
      fleet,
      mirror,
      baseUrl: site.url,
      scrapeIntervalMs: SCRAPE_INTERVAL_MS,
      log,
      ownerId: API_OWNER,
      onJobARunning: async (jobId) => void violations.push(...(await api.checkRunning('job A', jobId, JOB_A_ROWS))),
    });
    violations.push(...outcome.violations);
    for (const [label, job] of [
      ['job A', outcome.jobA],
      ['job B', outcome.jobB],
    ] as const) {
      violations.push(...checkRowsOnce(label, job.summary, job.results, job.rows));
      // The mirror workflow applies the job's last events after the job ends.
      await waitFor(
        `the mirror of ${label} to settle`,
        async () => (await checkMirror(mirror, label, job.summary, job.results)).length === 0,
        60_000,
        500,
      ).catch(() => undefined);
      violations.push(...(await checkMirror(mirror, label, job.summary, job.results)));
      violations.push(...(await api.checkFinished(label, job.summary)));
    }
    violations.push(...(await api.checkCreatedRun(site.url, Date.now().toString(36))));
    log(`Runs API: ${api.notes.join('; ')}`);
    let stuck: string[] = [];
    await waitFor('every workflow to close', async () => (stuck = await runningWorkflows(client.client)).length === 0, 90_000, 1000).catch(
      () => undefined,
    );
    if (stuck.length) violations.push(`workflows still running after both jobs ended: ${stuck.join(', ')}`);
    const described = await client.client.workflow.getHandle(`execution-${outcome.jobA.jobId}`).describe();
    if (described.memo?.jobDeadline === undefined)
      violations.push("job A's last run lost its jobDeadline memo (the job watch cannot see its timeout)");
    const ui = await fetch(`${cluster.uiUrl}/api/v1/namespaces/${NAMESPACE}/workflows/execution-${outcome.jobA.jobId}`).catch(
      () => undefined,
    );
    if (!ui?.ok) violations.push(`the Web UI did not show job A (HTTP ${ui?.status ?? 'no answer'})`);

    // The last scrape must see the namespace as it now is (nothing running): each replica's job watch looks
    // every JOB_WATCH_INTERVAL_MS, later when the machine is busy, so wait until every replica answers and has
    // looked since (bounded: a gauge stuck above 0 is then what the alert evaluation reports).
    await waitFor(
      'every replica to see no running job or mirror',
      async () => {
        // A replica that does not answer this poll may still hold an old count: all must answer.
        const expected = fleet.running().length;
        const texts = [...(await fleet.scrape()).values()];
        return (
          texts.length === expected && texts.every((t) => !/^recorder_(jobs_running|mirror_outbox_backlog)(\{[^}]*\})? [1-9]/m.test(t))
        );
      },
      12 * SCRAPE_INTERVAL_MS,
      1000,
    ).catch(() => undefined);
    await metrics.stop();
    await metrics.scrapeOnce();
    writeFileSync(join(workDir, 'metrics.json'), JSON.stringify(metrics.samples));
    const watched = metrics.samples.some((round) =>
      Object.entries(round.values).some(([k, v]) => k.startsWith('recorder_jobs_running{') && v >= 1),
    );
    if (!watched) violations.push('no worker ever reported a running job (recorder_jobs_running)');
    const restarts = [...outcome.jobA.results, ...outcome.jobB.results].reduce((n, r) => n + r.sessionRestarts, 0);
    const alerts = await evaluateAlertRules({
      samples: metrics.samples,
      sessionRestarts: restarts,
      intervalMs: SCRAPE_INTERVAL_MS,
      workDir,
      promtool: tools.promtool,
    });
    violations.push(...alerts.violations);

    const { jobA, jobB, killed, drained } = outcome;
    console.log('\n== rehearsal report');
    console.log(
      `server          Temporal ${tools.temporalServer.match(/v[\d.]+/)?.[0]} on PostgreSQL (SQL visibility), Web UI ${tools.temporalUiServer.match(/v[\d.]+/)?.[0]}`,
    );
    console.log(
      `job A           ${jobA.rows} rows, concurrency ${JOB_A_CONCURRENCY}: ${jobA.summary.status} in ${(jobA.wallMs / 1000).toFixed(1)} s = ${((jobA.rows / jobA.wallMs) * 60_000).toFixed(0)} rows/min`,
    );
    console.log(
      `job B           ${jobB.rows} rows, started after the kill: ${jobB.summary.status} in ${(jobB.wallMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `SIGKILL         ${killed.workerId} held ${killed.sessions} session(s), rows ${killed.rowsRestarted.join(', ')} restarted elsewhere; noticed after ${killed.noticeMs === undefined ? 'never' : `${(killed.noticeMs / 1000).toFixed(1)} s`} (SESSION_HEARTBEAT_TIMEOUT_MS in deploy/worker.env)`,
    );
    console.log(
      `SIGTERM         ${drained.workerId} held ${drained.sessions} session(s), drained rows ${drained.rowsHeld.join(', ') || '(none in the mirror yet)'} there and exited ${drained.exitCode} after ${(drained.drainMs / 1000).toFixed(1)} s`,
    );
    console.log(`server restart  ${(outcome.serverDownMs / 1000).toFixed(1)} s without a frontend`);
    console.log(`session restarts ${restarts} (rows restarted from their first step)`);
    console.log(`runs API        src/api.ts (deploy/api.env): ${api.notes.join('; ')}`);
    console.log(`alert rules     ${alerts.summary}`);
    console.log(`work directory  ${workDir}${keep ? '' : ' (removed; --keep keeps it)'}`);
  } finally {
    await cleanup();
    const left = await leftoverProcessGroups();
    if (left.length) violations.push(`processes still running after cleanup: ${left.join(', ')}`);
    killAllManaged();
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  }
  console.log(`wall time       ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (violations.length) {
    console.log(`\nVIOLATIONS (${violations.length}):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    return 1;
  }
  console.log('\nrehearsal: OK');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    killAllManaged();
    process.exit(2);
  },
);
