/**
 * `npm run demo`: the whole system on one machine. Starts the embedded Temporal dev server (Web UI
 * included) and a worker, serves examples/site on 127.0.0.1, runs the example recordings, prints their
 * summaries, and shuts everything down. Exit code follows the summaries (the signup CSV has a row designed
 * to fail, so expect 1).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExecutionClient } from '../client/execution-client';
import { exitCodeFor } from '../client/cli';
import { formatSummary } from '../client/format-summary';
import { waitWithProgress } from '../client/wait-with-progress';
import { loadEnv } from '../config/env';
import { createLogger } from '../logging/logger';
import { PROJECT_ROOT } from '../support/tools';
import { startStaticServer } from '../support/static-server';
import { startDevServer } from '../temporal/dev-server';
import { startRunnerWorker } from '../worker/runner-worker';
import type { JobSummary } from '../workflows/types';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const read = (...parts: string[]) => readFileSync(join(EXAMPLES, ...parts), 'utf8');

const DEMO_JOBS = [
  { name: 'signup', recording: 'signup.json', csv: 'signup.csv', concurrency: 2 },
  { name: 'iframe-and-popup', recording: 'iframe-and-popup.json', csv: undefined, concurrency: 1 },
];

async function main(): Promise<number> {
  const env = loadEnv({ LOG_LEVEL: 'warn', ...process.env });
  const logger = createLogger({ level: env.LOG_LEVEL });
  const devServer = env.TEMPORAL_ADDRESS
    ? undefined
    : await startDevServer({
        dbFilename: resolve(PROJECT_ROOT, env.TEMPORAL_DEV_DB),
        port: env.TEMPORAL_DEV_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
      });
  const address = env.TEMPORAL_ADDRESS ?? devServer!.address;
  const uiUrl = devServer?.uiUrl;
  console.log(`Temporal at ${address}${uiUrl ? `, Web UI at ${uiUrl}` : ''}`);
  const worker = await startRunnerWorker({ env, address, logger });
  const site = await startStaticServer(join(EXAMPLES, 'site'));
  console.log(`Example site at ${site.url}; worker ${worker.workerId} with ${env.MAX_CONCURRENT_SESSIONS} session slots\n`);
  const client = await ExecutionClient.connect({ ...env, TEMPORAL_ADDRESS: address });

  const summaries: JobSummary[] = [];
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
      console.log(formatSummary(summary));
      if (uiUrl) console.log(`  Web UI: ${uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${started.workflowId}`);
      console.log('');
    }
  } finally {
    await client.close();
    await worker.shutdown();
    await site.close();
    await devServer?.stop();
  }
  const worst = Math.max(...summaries.map(exitCodeFor));
  console.log(`Demo finished: ${summaries.map((s) => `${s.jobId} ${s.status}`).join(', ')} (exit ${worst})`);
  return worst;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(3);
  },
);
