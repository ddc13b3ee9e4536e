/**
 * `npm run bench` — starts its own Temporal dev server (in memory, headless, free port), bundles the workflows
 * once, serves bench/site, and runs in-process workers against it (one fresh worker per benchmark, sized for
 * it). Prints tables and writes bench/results/<ISO timestamp>.json. Options: bench/lib/options.ts (`--help`).
 *
 *   P1 pickup latency      bench/p1-pickup.ts
 *   P2 overhead           bench/p2-overhead.ts, bench/plain-playwright.ts
 *   vs @puppeteer/replay   bench/replay-reference.ts
 *   recorder suite         bench/recorder-suite.ts (per recording, both runners)
 *   P3 memory              bench/p3-memory.ts
 *   P4 throughput          bench/p4-throughput.ts
 *   cancel latency         bench/cancel-latency.ts
 *   mirror overhead        bench/mirror-overhead.ts
 *   browser flags          bench/browser-flags.ts
 *   trace / video cost     bench/artifacts-cost.ts
 *   Runs API               bench/api-bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/support/tools';
import { benchArtifacts } from './artifacts-cost';
import { benchApi } from './api-bench';
import { benchBrowserFlags } from './browser-flags';
import { benchCancel } from './cancel-latency';
import { parseOptions, type BenchName } from './lib/options';
import { report, targets, type BenchResults } from './lib/report';
import { cpuDelta, sampleCpu, waitForQuietMachine } from './lib/proc';
import { machineInfo, startBench, type BenchContext, type BenchWorker } from './lib/setup';
import { benchMirror } from './mirror-overhead';
import { benchPickup } from './p1-pickup';
import { benchOverhead } from './p2-overhead';
import { benchMemory } from './p3-memory';
import { benchThroughput } from './p4-throughput';
import { benchRecorderSuite } from './recorder-suite';
import { benchReplayReference } from './replay-reference';

type Runner = (ctx: BenchContext, bw: BenchWorker) => Promise<unknown>;
type NoWorkerRunner = (ctx: BenchContext) => Promise<unknown>;

/** Each benchmark gets a fresh worker with the session slots it needs (0: none); workers run one at a time. */
const PLAN: Record<BenchName, { title: string; sessions: (ctx: BenchContext) => number; run: Runner | NoWorkerRunner }> = {
  p1: { title: 'P1 pickup latency', sessions: () => 4, run: benchPickup },
  p2: { title: 'P2 overhead', sessions: (c) => c.opts.p2Concurrency, run: benchOverhead },
  replay: { title: 'vs @puppeteer/replay', sessions: () => 1, run: benchReplayReference },
  // Our engine directly, no worker: the per-recording comparison over the conformance suite.
  suite: { title: 'recorder suite vs @puppeteer/replay', sessions: () => 0, run: benchRecorderSuite },
  p4: { title: 'P4 throughput', sessions: (c) => Math.max(...c.opts.p4Levels), run: benchThroughput },
  p3: { title: 'P3 memory', sessions: (c) => Math.max(...c.opts.p3Levels), run: benchMemory },
  cancel: { title: 'cancel latency', sessions: (c) => c.opts.cancelSessions, run: benchCancel },
  // Starts its own two workers (mirror off and on).
  mirror: { title: 'mirror overhead', sessions: () => 0, run: benchMirror },
  flags: { title: 'browser flags', sessions: () => 0, run: benchBrowserFlags },
  artifacts: { title: 'trace / video cost', sessions: () => 1, run: benchArtifacts },
  api: { title: 'Runs API', sessions: () => 4, run: benchApi },
};
const ORDER: BenchName[] = ['p1', 'p2', 'replay', 'suite', 'p4', 'p3', 'cancel', 'mirror', 'flags', 'artifacts', 'api'];

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main(): Promise<number> {
  const opts = parseOptions();
  // No source-mapped stack traces unless --source-maps: tsx turns them on, and Playwright formats a stack on every
  // API call. The production image keeps them on (NODE_OPTIONS in the Dockerfile); in a CPU profile of a big job
  // they took ~4 % of the worker's main thread.
  if (!opts.sourceMaps) process.setSourceMapsEnabled(false);
  let startedAt = new Date();
  log(`${opts.quick ? 'quick' : 'full'} run: ${opts.only.join(', ')}`);
  if (opts.waitIdle > 0) {
    log(`waiting up to ${opts.waitIdle} s for a quiet machine`);
    const { busyCores, waitedS } = await waitForQuietMachine(opts.waitIdle);
    log(`machine: ${busyCores} cores busy after ${waitedS} s`);
    startedAt = new Date();
  }
  const ctx = await startBench(opts);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping workers and the dev server (again to force)');
    void ctx.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const machine = machineInfo(ctx.chromiumPath);
  log(`dev server ${ctx.server.address}${opts.serverConfig.length ? ` [extra config: ${opts.serverConfig.join(' ')}]` : ''} (${ctx.setupMs.devServer} ms), workflow bundle ${ctx.setupMs.bundle} ms, site ${ctx.site.url}`);
  log(`machine: ${machine.nproc} cores, ${machine.memTotalGiB} GiB, ${machine.chromium}, node ${machine.node}`);

  const results: BenchResults = {};
  const timings: Record<string, number> = {};
  /** Mean cores busy outside the bench during each benchmark: anything else running on the machine. */
  const otherLoad: Record<string, number> = {};
  const errors: Array<{ bench: string; error: string }> = [];
  const planned = ORDER.filter((b) => opts.only.includes(b));
  // A quick run shares one worker between the benchmarks (its numbers are a smoke test, not data).
  const sharedSlots = Math.max(0, ...planned.map((b) => PLAN[b].sessions(ctx)));
  const shared = opts.quick && sharedSlots > 0 ? await ctx.startWorker('quick', sharedSlots) : undefined;
  try {
    for (const name of planned) {
      const plan = PLAN[name];
      const t0 = Date.now();
      const cpu0 = sampleCpu(ctx.server.process.pid);
      const slots = plan.sessions(ctx);
      let bw: BenchWorker | undefined = slots > 0 ? shared : undefined;
      try {
        if (slots > 0 && !bw) {
          log(`${plan.title}: starting worker (${slots} session slots)`);
          bw = await ctx.startWorker(name, slots);
          log(`${plan.title}: worker up in ${Date.now() - t0} ms`);
        } else log(`${plan.title}: starting (${bw ? 'shared worker' : 'no worker'})`);
        (results as Record<string, unknown>)[name] = await plan.run(ctx, bw as BenchWorker);
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        errors.push({ bench: name, error: message });
        log(`${plan.title} FAILED: ${message}`);
      } finally {
        if (bw && bw !== shared) {
          const t1 = Date.now();
          await bw.stop();
          log(`${plan.title}: worker stopped in ${Date.now() - t1} ms`);
        }
      }
      timings[name] = Date.now() - t0;
      otherLoad[name] = cpuDelta(cpu0, sampleCpu(ctx.server.process.pid)).foreignCores;
      const busy =
        otherLoad[name] > 0.2 ? ` — WARNING: other processes kept ${otherLoad[name]} cores busy meanwhile; numbers are disturbed` : '';
      log(`${plan.title}: done in ${(timings[name] / 1000).toFixed(1)} s${busy}`);
    }
  } finally {
    await shared?.stop();
    await ctx.close();
  }

  const finishedAt = new Date();
  console.log('\n' + report(results) + '\n');
  const t = targets(results);
  const out = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    mode: opts.quick ? 'quick' : 'full',
    options: opts,
    machine,
    setupMs: ctx.setupMs,
    benchMs: timings,
    otherLoadCores: otherLoad,
    loadAvgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    results,
    targets: t,
    errors,
  };
  if (opts.write) {
    const dir = join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
    log(`results: ${file}`);
  }
  log(`finished in ${(out.durationMs / 1000).toFixed(1)} s${errors.length ? `, ${errors.length} benchmark(s) failed` : ''}`);
  if (errors.length) return 1;
  if (opts.strict && t.some((x) => !x.met)) return 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
