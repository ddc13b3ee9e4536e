/**
 * Temporal's own cost per step for each way a row could drive its steps (docs/row-pipeline.md), and for the
 * shape as built (rows as child workflows of one job, with and without a `patched()` check per row): R rows × S
 * no-op steps at concurrency C, each variant on a fresh task queue against one in-memory dev server, with wall
 * time and CPU time (this process = worker + client; the dev server) per step.
 *   npx tsx bench/levers/run.ts [rows=20] [steps=25] [concurrency=4]
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startDevServer } from '../../src/temporal/dev-server';
import { cpuDelta, sampleCpu } from '../lib/proc';
import { round, table } from '../lib/stats';
import * as activities from './activities';

const [rows, steps, concurrency] = [Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 25), Number(process.argv[4] ?? 4)];
/** Rows as child workflows of one job workflow (the others: each row its own workflow, started by the client). */
const UNDER_JOB: readonly string[] = ['childRowsUnderJob', 'patchedChildRowsUnderJob'];
const VARIANTS = ['activityPerStep', 'localActivityPerStep', 'oneActivityPerRow', ...UNDER_JOB];

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const server = await startDevServer({ port: 20000 + Math.floor(Math.random() * 5000), ui: false });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const connection = await NativeConnection.connect({ address: server.address });
  const results: Array<[string, number, number, number, number, number]> = [];
  try {
    for (const rep of [0, 1]) {
      for (const variant of VARIANTS) {
        const taskQueue = `levers-${randomUUID().slice(0, 8)}`;
        const worker = await Worker.create({
          connection,
          taskQueue,
          workflowsPath: require.resolve('./workflows'),
          activities,
          maxHeartbeatThrottleInterval: '1s',
        });
        await worker.runUntil(async () => {
          const run = async (n: number) => {
            if (UNDER_JOB.includes(variant)) {
              await client.workflow.execute(variant, {
                taskQueue,
                workflowId: `${variant}-${randomUUID()}`,
                args: [n, concurrency, steps],
              });
              return;
            }
            let next = 0;
            const lane = async () => {
              while (next < n) {
                next++;
                await client.workflow.execute(variant, { taskQueue, workflowId: `${variant}-${randomUUID()}`, args: [steps] });
              }
            };
            await Promise.all(Array.from({ length: concurrency }, lane));
          };
          await run(concurrency); // warm: workflow code loaded, pollers in place
          const before = sampleCpu(server.process.pid);
          const t0 = Date.now();
          await run(rows);
          const wall = Date.now() - t0;
          const cpu = cpuDelta(before, sampleCpu(server.process.pid));
          const per = (ms: number) => round(ms / (rows * steps), 2);
          if (rep === 1)
            results.push([variant, per(wall), per(cpu.node), per(cpu.temporal), per(cpu.node + cpu.temporal), cpu.foreignCores]);
        });
      }
    }
  } finally {
    await connection.close();
    await server.stop();
  }
  console.log(`${rows} rows × ${steps} no-op steps, concurrency ${concurrency} (second of two passes)`);
  console.log(table(['variant', 'wall ms/step', 'CPU ms/step: worker', 'server', 'total', 'other load (cores)'], results));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
