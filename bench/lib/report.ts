/** Turns the results into the tables `npm run bench` prints. */
import type { FlagsResult } from '../browser-flags';
import type { CancelResult } from '../cancel-latency';
import type { MirrorResult } from '../mirror-overhead';
import type { P1Result } from '../p1-pickup';
import { P1_SEGMENTS } from '../p1-pickup';
import type { P2Result } from '../p2-overhead';
import type { P3Result } from '../p3-memory';
import type { P4Result } from '../p4-throughput';
import { table, type Summary } from './stats';

export interface BenchResults {
  p1?: P1Result;
  p2?: P2Result;
  p3?: P3Result;
  p4?: P4Result;
  cancel?: CancelResult;
  mirror?: MirrorResult;
  flags?: FlagsResult;
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
  if (r.p1) out.push({ name: 'P1 pickup latency p50', target: '≤ 100 ms', value: r.p1.pickupMs.p50, unit: 'ms', met: r.p1.pickupMs.p50 <= 100 });
  if (r.p2) out.push({ name: 'P2 system ÷ plain Playwright wall time', target: '≤ 1.15×', value: r.p2.ratio, unit: '×', met: r.p2.ratio <= 1.15 });
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
        `\nratio system ÷ plain Playwright: ${p.ratio}× (target ≤ 1.15×) · system ÷ engine: ${p.ratioVsEngine}×`,
    );
    const b = p.stepBreakdownMs;
    parts.push(
      `Per-step round trip through Temporal — steps 2..${p.steps} of every system row, from history + activity durationMs (ms)\n` +
        table(STAT_HEAD, [
          stat('previous step completed → this step completed', b.total),
          stat('  → workflow task scheduled', b.toWft),
          stat('  workflow task queued (sticky)', b.wftQueue),
          stat('  workflow task on worker + respond', b.wftRun),
          stat('  activity task queued → started', b.actQueue),
          stat('  activity overhead (started→completed − engine)', b.actOverhead),
          stat('  step engine (durationMs)', b.engine),
        ]) +
        '\n\nper step index, mean ms\n' +
        table(
          ['#', 'type', 'plain PW', 'engine', 'engine in worker', 'system', 'system − plain'],
          p.perStep.map((s) => [String(s.index), s.type, s.playwright, s.engine, s.workerEngine, s.system, Math.round((s.system - s.playwright) * 10) / 10]),
        ) +
        '\n\nper row (ms)\n' +
        table(STAT_HEAD, [
          stat('system: row started → first runStep scheduled', p.rowMs.systemSetup),
          stat('  row started → holdSession scheduled', p.setupMs.rowFirstWft),
          stat('  holdSession scheduled → running on worker', p.setupMs.holdQueue),
          stat('  BrowserContext + page opened', p.setupMs.openContext),
          stat('  opened → signal → first runStep scheduled', p.setupMs.signalToStep),
          stat('system: first step scheduled → last completed', p.rowMs.systemSteps),
          stat('system: last step → row workflow closed', p.rowMs.systemTeardown),
          stat('system: whole row workflow', p.rowMs.systemRow),
          stat('plain Playwright: whole row', p.rowMs.playwrightRow),
          stat('step engine: whole row', p.rowMs.engineRow),
        ]),
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
      `P4 throughput — ${p.rows} rows × ${p.steps} steps, timing instant (ms/step: steps 2..${p.steps} from history; Temporal = ms/step − engine)\n` +
        table(
          ['concurrency', 'wall ms', 'steps/s', 'rows/min', 'CPU cores busy', 'ms/step', 'engine', 'Temporal', 'plain PW wall ms', 'plain PW steps/s'],
          p.levels.map((l) => [
            String(l.concurrency),
            l.wallMs,
            l.stepsPerSec,
            l.rowsPerMin,
            l.systemCpuCores,
            l.stepMs,
            l.engineMsPerStep,
            l.temporalMsPerStep,
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
          stat('step, round trip: off', m.roundTripStepMs.off),
          stat('step, round trip: on', m.roundTripStepMs.on),
          stat('job wall: off', m.jobWallMs.off),
          stat('job wall: on', m.jobWallMs.on),
        ]) +
        `\non − off per step, 95% CI: engine ${ci(m.engineDiff)}; round trip ${ci(m.roundTripDiff)}; job wall on/off ${m.jobWallRatio}×` +
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
      `Browser flags — the browser alone (BrowserPool), sessions on the bench page; compared: ${f.compared}\n` +
        table(
          ['flags', ...levels.map((n) => `PSS MB @${n}`), 'MB/session', 'open session p50 ms', 'p95', 'renderers @max'],
          f.variants.map((v) => [
            v.name,
            ...v.levels.map((l) => l.browserPssMb),
            v.pssMbPerSession,
            v.openSessionMs.p50,
            v.openSessionMs.p95,
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
