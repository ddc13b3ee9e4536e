/**
 * `npm run demo`: the whole system on one machine. Starts the embedded Temporal dev server (Web UI
 * included) and a worker, serves examples/site on 127.0.0.1, runs the example recordings, prints their
 * summaries, writes each job's HTML report (artifacts/reports/<jobId>/report.html), and shuts everything down.
 * Exit 0 when every row ended as the demo designed it (signup row 4 has an invalid email and fails on
 * purpose, examples/README.md), 1 when anything else happened, 3 when the demo itself could not run.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExecutionClient } from '../client/execution-client';
import { formatSummary } from '../client/format-summary';
import { waitWithProgress } from '../client/wait-with-progress';
import { writeJobReports } from '../client/job-reports';
import { secretColumnMatcher } from '../recording/secrets';
import { loadEnv } from '../config/env';
import { createLogger } from '../logging/logger';
import { PROJECT_ROOT } from '../support/tools';
import { startStaticServer } from '../support/static-server';
import { startEmbeddedTemporal } from '../temporal/embedded-temporal';
import { startRunnerWorker } from '../worker/runner-worker';
import type { JobSummary } from '../workflows/types';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const read = (...parts: string[]) => readFileSync(join(EXAMPLES, ...parts), 'utf8');

const DEMO_JOBS = [
  { name: 'signup', recording: 'signup.json', csv: 'signup.csv', concurrency: 2, failsByDesign: [4] },
  { name: 'iframe-and-popup', recording: 'iframe-and-popup.json', csv: undefined, concurrency: 1, failsByDesign: [] },
];

/** What differs from the design: a row meant to fail that did not, any other row that did not pass. */
function surprises(summary: JobSummary, failsByDesign: number[]): string[] {
  const out: string[] = [];
  if (summary.results.length !== summary.rows.total) out.push(`${summary.jobId}: ${summary.rows.total - summary.results.length} row(s) without a result`);
  for (const r of summary.results) {
    const designed = failsByDesign.includes(r.row) ? 'failed' : 'passed';
    if (r.status !== designed) out.push(`${summary.jobId} row ${r.row}: ${r.status}, designed to have ${designed}`);
  }
  return out;
}

async function main(): Promise<number> {
  const loaded = loadEnv({ LOG_LEVEL: 'warn', ...process.env });
  // One dev server database, and so one payload key beside it, wherever the demo is started from.
  const env = { ...loaded, TEMPORAL_DEV_DB: resolve(PROJECT_ROOT, loaded.TEMPORAL_DEV_DB) };
  const logger = createLogger({ level: env.LOG_LEVEL });
  const devServer = env.TEMPORAL_ADDRESS ? undefined : await startEmbeddedTemporal(env);
  const address = env.TEMPORAL_ADDRESS ?? devServer!.address;
  const uiUrl = devServer?.uiUrl;
  console.log(`Temporal at ${address}${uiUrl ? `, Web UI at ${uiUrl}` : ''}`);
  const worker = await startRunnerWorker({ env, address, logger });
  const site = await startStaticServer(join(EXAMPLES, 'site'));
  console.log(`Example site at ${site.url}; worker ${worker.workerId} with ${env.MAX_CONCURRENT_SESSIONS} session slots\n`);
  // Without TEMPORAL_ADDRESS the client finds the embedded server (TEMPORAL_DEV_PORT) and its key by itself.
  const client = await ExecutionClient.connect(env);

  const summaries: JobSummary[] = [];
  const unexpected: string[] = [];
  try {
    for (const job of DEMO_JOBS) {
      const jobId = `demo-${job.name}-${Date.now()}`;
      const started = await client.startExecution({
        jobId,
        recording: read('recordings', job.recording),
        csv: job.csv ? read('data', job.csv) : undefined,
        config: {
          timingMode: (process.env.DEMO_TIMING as 'fast' | undefined) ?? 'fast',
          maxConcurrentRows: job.concurrency,
          defaults: { baseUrl: site.url },
        },
      });
      console.log(`▶ ${job.recording}${job.csv ? ` × ${job.csv}` : ''}: ${started.rows} row(s), job ${jobId}`);
      const summary = await waitWithProgress(client, jobId, process.stderr.isTTY === true);
      summaries.push(summary);
      unexpected.push(...surprises(summary, job.failsByDesign));
      console.log(formatSummary(summary));
      if (job.failsByDesign.length) console.log(`  (row ${job.failsByDesign.join(', ')} fails by design: examples/README.md)`);
      const steps = JSON.parse(read('recordings', job.recording)).steps;
      const isSecret = secretColumnMatcher(env.SECRET_COLUMNS);
      const csv = job.csv ? read('data', job.csv) : undefined;
      const [report] = await writeJobReports(client, jobId, ['html'], join(PROJECT_ROOT, 'artifacts', 'reports', jobId), {
        csv,
        isSecret,
        steps,
      });
      console.log(`  HTML report: ${report}`);
      if (uiUrl) console.log(`  Web UI: ${uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${started.workflowId}`);
      console.log('');
    }
  } finally {
    await client.close();
    await worker.shutdown();
    await site.close();
    await devServer?.stop();
  }
  const code = unexpected.length === 0 && summaries.length === DEMO_JOBS.length ? 0 : 1;
  console.log(`Demo finished: ${summaries.map((s) => `${s.jobId} ${s.status}`).join(', ')}`);
  console.log(code === 0 ? 'Every row ended as designed (exit 0).' : `Not as designed (exit 1):\n  ${unexpected.join('\n  ')}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    // The demo could not run to its end (no Chromium, a port taken, ...): anything but "as designed" is 1.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
