/** Turns the results into the tables `npm run bench` prints. */
import type { FlagsResult } from '../browser-flags';
import type { CancelResult } from '../cancel-latency';
import type { MirrorResult } from '../mirror-overhead';
import type { P1Result } from '../p1-pickup';
import { P1_SEGMENTS } from '../p1-pickup';
import type { P2Result } from '../p2-overhead';
import type { P3Result } from '../p3-memory';
import type { P4Result } from '../p4-throughput';
import type { RecorderSuiteResult } from '../recorder-suite';
import type { ReplayResult } from '../replay-reference';
import type { ApiBenchResult } from '../api-bench';
import { table, type Summary } from './stats';

export interface BenchResults {
  p1?: P1Result;
  p2?: P2Result;
  replay?: ReplayResult;
  suite?: RecorderSuiteResult;
  p3?: P3Result;
  p4?: P4Result;
  cancel?: CancelResult;
  mirror?: MirrorResult;
  flags?: FlagsResult;
  api?: ApiBenchResult;
}

export interface Target {
  name: string;
  target: string;
  value: number;
  unit: string;
  met: boolean;
}

export function targets(r: BenchResults): Target[] {
  const out: Target[] = [];
  if (r.p1) out.push({ name: 'P1 pickup latency p50', target: '≤ 250 ms', value: r.p1.pickupMs.p50, unit: 'ms', met: r.p1.pickupMs.p50 <= 250 });
  if (r.p2) {
    out.push({ name: 'P2 system ÷ plain Playwright wall time', target: '≤ 1.25× (goal 1.15×)', value: r.p2.ratio, unit: '×', met: r.p2.ratio <= 1.25 });
    const cpu = Math.round((r.p2.cpuMsPerStep.system.total / r.p2.cpuMsPerStep.playwright.total) * 100) / 100;
    out.push({ name: 'P2 system ÷ plain Playwright CPU per step', target: '≤ 1.3×', value: cpu, unit: '×', met: cpu <= 1.3 });
  }
  if (r.replay) {
    out.push({ name: 'Recorder signup row: system ÷ @puppeteer/replay', target: '≤ 1×', value: r.replay.ratio, unit: '×', met: r.replay.ratio <= 1 });
  }
  if (r.suite) {
    const v = r.suite.ratio;
    out.push({ name: 'Recorder suite: our median ÷ @puppeteer/replay median per recording', target: '≤ 1×', value: v, unit: '×', met: v <= 1 });
  }
  if (r.p3 && Number.isFinite(r.p3.pssMbPerSession)) {
    out.push({ name: 'P3 MB per additional session (PSS)', target: '≤ 80 MB', value: r.p3.pssMbPerSession, unit: 'MB', met: r.p3.pssMbPerSession <= 80 });
  }
  if (r.mirror) {
    const d = r.mirror.engineDiff;
    out.push({
      name: 'Mirror: step time on − off (95% CI)',
      target: 'contains 0',
      value: d.meanDiffMs,
      unit: `ms [${d.ci95Ms[0]}, ${d.ci95Ms[1]}]`,
      met: !d.measurable,
    });
    const { found, expected } = r.mirror.logRows;
    out.push({ name: 'Mirror: log lines in PostgreSQL', target: `all ${expected}`, value: found, unit: 'rows', met: found === expected });
    const visible = r.mirror.logVisibleMs?.p95;
    if (visible !== undefined) {
      out.push({ name: 'Mirror: step end → log line stored, p95', target: '≤ 1000 ms', value: visible, unit: 'ms', met: visible <= 1000 });
    }
  }
  return out;
}

const stat = (label: string, s: Summary): Array<string | number> => [label, s.p50, s.p95, s.mean, s.min, s.max];
const STAT_HEAD = ['', 'p50', 'p95', 'mean', 'min', 'max'];

export function report(r: BenchResults): string {
  const parts: string[] = [];
  if (r.api) {
    const a = r.api;
    parts.push(
      `Runs API\n` +
        `  ${a.creates.concurrent} concurrent creates: ${a.creates.accepted} × 201, ${a.creates.refused429} × 429, ${a.creates.other} other; ` +
        `${a.creates.distinctIds} distinct ids, ${a.creates.startedInTemporal} started in Temporal (${a.creates.wallMs} ms)\n` +
        `  list at ${a.list.ratePerS} req/s (${a.list.requests} requests): p50 ${a.list.ms.p50} ms, p95 ${a.list.ms.p95} ms, p99 ${a.list.ms.p99} ms\n` +
        `  ${a.sse.clients} SSE clients × ${a.sse.stepEvents} step events (all received: ${a.sse.everyClientGotAll}): ` +
        `step end → client p50 ${a.sse.latencyMs.p50} ms, p99 ${a.sse.latencyMs.p99} ms, max ${a.sse.latencyMs.max} ms`,
    );
  }
  if (r.p1) {
    const p = r.p1;
    parts.push(
      `P1 pickup latency — warm worker, ${p.samples} sequential 1-row jobs (ms)\n` +
        table(STAT_HEAD, [
          stat('startExecution() → first step begins on worker', p.pickupMs),
          stat('  (startExecution() call itself)', p.startCallMs),
          ...P1_SEGMENTS.map(([k, label]) => stat(`  ${label}`, p.segments[k])),
          stat('check: probe − history ActivityTaskStarted', p.probeMinusHistoryStartedMs),
        ]),
    );
  }
  if (r.p2) {
    const p = r.p2;
    const c = p.cpuMsPerStep;
    parts.push(
      `P2 overhead — ${p.rows} rows × ${p.steps} steps, concurrency ${p.concurrency}, timing instant, ${p.reps} rep(s)\n` +
        table(
          ['', 'wall ms (median)', 'all reps', 'ms/step wall', 'CPU ms/step node', 'chromium', 'temporal', 'total', 'other load (cores)'],
          (['system', 'playwright', 'engine'] as const).map((v) => [
            v === 'system' ? 'system (Temporal + worker)' : v === 'playwright' ? 'plain Playwright script' : 'step engine, no Temporal',
            p.medianWallMs[v],
            p.wallMs[v].join(' / '),
            c[v].wallMsPerStep,
            c[v].node,
            c[v].chromium,
            c[v].temporal,
            c[v].total,
            p.foreignCores[v],
          ]),
        ) +
        `\nratio system ÷ plain Playwright: ${p.ratio}× (target ≤ 1.25×) · system ÷ engine: ${p.ratioVsEngine}×`,
    );
    parts.push(
      'per step index, mean ms\n' +
        table(
          ['#', 'type', 'plain PW', 'engine', 'engine in worker', 'worker − plain'],
          p.perStep.map((st) => [String(st.index), st.type, st.playwright, st.engine, st.system, Math.round((st.system - st.playwright) * 10) / 10]),
        ) +
        '\n\nper row (ms)\n' +
        table(STAT_HEAD, [
          stat('system: whole row workflow', p.rowMs.systemRow),
          stat('  waiting for a session (attempt scheduled → started)', p.rowMs.systemQueue),
          stat('  attempt on the worker (lease, steps, close)', p.rowMs.systemAttempt),
          stat('  the rest (workflow tasks, child start/close)', p.rowMs.systemOther),
          stat('plain Playwright: whole row', p.rowMs.playwrightRow),
          stat('engine, no Temporal: whole row', p.rowMs.engineRow),
        ]),
    );
  }
  if (r.replay) {
    const p = r.replay;
    parts.push(
      `vs @puppeteer/replay — Recorder-style signup recording (8 steps), ${p.rows} CSV rows, concurrency 1, ${p.reps} alternating rep(s) (ms per row)\n` +
        table(STAT_HEAD, [stat('system: row workflow (durationMs)', p.systemRowMs), stat('@puppeteer/replay: one replay', p.referenceRowMs)]) +
        `\nsystem wall per row (job wall ÷ rows), per rep: ${p.systemWallPerRowMs.join(' / ')} · ratio (medians) ${p.ratio}× (target ≤ 1×)` +
        ` · failed rows: system ${p.failures.system}, reference ${p.failures.reference}`,
    );
  }
  if (r.suite) {
    const p = r.suite;
    parts.push(
      `recorder suite vs @puppeteer/replay — ${p.recordings} conformance recordings both pass, ${p.reps} rep(s) each, alternating (ms per recording, median of its replays)\n` +
        table(STAT_HEAD, [stat('ours (engine, no Temporal)', p.ours), stat('@puppeteer/replay', p.reference)]) +
        `\nmedian ours ${p.oursMedianMs} ms vs reference ${p.referenceMedianMs} ms: ${p.ratio}× (target ≤ 1×) · median per-recording ratio ${p.perRecordingRatioMedian}×` +
        ` · unexpected outcomes ${p.unexpected}\nhighest ratios: ${p.slowest.map((s) => `${s.name} ${s.oursMs}/${s.referenceMs}`).join('; ')}`,
    );
  }
  if (r.p3) {
    const p = r.p3;
    parts.push(
      `P3 memory — worker process + browsers, sessions held open (MB)\n` +
        table(
          ['sessions', 'PSS total', 'RSS total', 'node PSS', 'browser PSS', 'browser RSS', 'processes', 'chromium types'],
          [
            ['0 (idle, no browser)', p.idle.pssMb, p.idle.rssMb, p.idle.nodePssMb, p.idle.browserPssMb, p.idle.browserRssMb, p.idle.processes, ''],
            ...p.levels.map((l) => [
              String(l.sessions),
              l.pssMb,
              l.rssMb,
              l.nodePssMb,
              l.browserPssMb,
              l.browserRssMb,
              l.processes,
              Object.entries(l.chromiumProcesses)
                .map(([k, v]) => `${k}:${v}`)
                .join(' '),
            ]),
          ],
        ) +
        `\nper additional session: ${p.pssMbPerSession} MB PSS (target ≤ 80), ${p.rssMbPerSession} MB RSS · first session incl. browser launch: ${p.firstSessionPssMb} MB PSS`,
    );
  }
  if (r.p4) {
    const p = r.p4;
    parts.push(
      `P4 throughput — ${p.rows} rows × ${p.steps} steps, timing instant\n` +
        table(
          ['concurrency', 'wall ms', 'steps/s', 'rows/min', 'CPU cores busy', 'wall ms/step', 'plain PW wall ms', 'plain PW steps/s'],
          p.levels.map((l) => [
            String(l.concurrency),
            l.wallMs,
            l.stepsPerSec,
            l.rowsPerMin,
            l.systemCpuCores,
            l.wallMsPerStep,
            l.playwrightWallMs,
            l.playwrightStepsPerSec,
          ]),
        ),
    );
  }
  const cancels = [...(r.p3?.cancels ?? []), ...(r.cancel?.samples ?? [])];
  if (cancels.length) {
    parts.push(
      `Cancel latency — cancelExecution() with rows inside a long step (ms)\n` +
        table(
          ['sessions open', 'RPC returned', 'first release on worker', 'all contexts closed', 'summary available'],
          cancels.map((c) => [String(c.sessions), c.rpcMs, c.firstReleaseMs, c.closedMs, c.resultMs]),
        ) +
        (r.cancel ? `\n${r.cancel.sessions} sessions, ${r.cancel.samples.length} reps: all contexts closed p50 ${r.cancel.closedMs.p50} ms, max ${r.cancel.closedMs.max} ms` : ''),
    );
  }
  if (r.mirror) {
    const m = r.mirror;
    const ci = (d: MirrorResult['engineDiff']) => `${d.meanDiffMs} [${d.ci95Ms[0]}, ${d.ci95Ms[1]}]${d.measurable ? '' : ' (not measurable)'}`;
    parts.push(
      `Mirror overhead — ${m.rounds} rounds × ${m.rows} rows × ${m.steps} steps, concurrency ${m.concurrency}, off/on alternating (ms)\n` +
        table(STAT_HEAD, [
          stat('step, engine: mirror off', m.engineStepMs.off),
          stat('step, engine: mirror on', m.engineStepMs.on),
          stat('job wall: off', m.jobWallMs.off),
          stat('job wall: on', m.jobWallMs.on),
        ]) +
        `\non − off per step, 95% CI: engine ${ci(m.engineDiff)}; job wall on/off ${m.jobWallRatio}×` +
        `\nlog lines in PostgreSQL: ${m.logRows.found} of ${m.logRows.expected} expected` +
        (m.logVisibleMs ? `; step end → line stored p50 ${m.logVisibleMs.p50} ms, p95 ${m.logVisibleMs.p95} ms, max ${m.logVisibleMs.max} ms` : '') +
        '\n\nCPU ms per step, by process (the machine has 2 cores to share among all of them)\n' +
        table(
          ['mirror', 'worker (node)', 'chromium', 'temporal server', 'gateway', 'postgres + other', 'total'],
          (['off', 'on'] as const).map((k) => {
            const c = m.cpuMsPerStep[k];
            return [k, c.node, c.chromium, c.temporal, c.gateway, c.postgresAndOther, c.total];
          }),
        ),
    );
  }
  if (r.flags) {
    const f = r.flags;
    const levels = f.variants[0]?.levels.map((l) => l.sessions) ?? [];
    parts.push(
      `Browser builds and flags — the browser alone (SessionRegistry, no spare context), sessions on the bench page; compared: ${f.compared}\n` +
        table(
          ['build, flags', ...levels.map((n) => `PSS MB @${n}`), 'MB/session', 'open session p50 ms', 'p95', 'CPU ms/session browser', 'worker', 'renderers @max'],
          f.variants.map((v) => [
            v.name,
            ...v.levels.map((l) => l.browserPssMb),
            v.pssMbPerSession,
            v.openSessionMs.p50,
            v.openSessionMs.p95,
            v.cpuMsPerSession.browser,
            v.cpuMsPerSession.node,
            Object.entries(v.levels[v.levels.length - 1]?.processes ?? {})
              .filter(([k]) => k.includes('renderer'))
              .map(([k, n]) => `${k}:${n}`)
              .join(' '),
          ]),
        ),
    );
  }
  const t = targets(r);
  if (t.length) {
    parts.push('Targets\n' + table(['', 'target', 'measured', ''], t.map((x) => [x.name, x.target, `${x.value} ${x.unit}`, x.met ? 'met' : 'MISSED'])));
  }
  return parts.join('\n\n');
}
