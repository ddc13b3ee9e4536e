/**
 * deploy/prometheus/alerts.yml through Prometheus' own evaluator (promtool, built by setup.mjs --server):
 * `check rules`, the synthetic cases of alerts.test.yml, then every rule's expression on the series the
 * rehearsal scraped from its workers (a promtool test generated from them): the restart alert fires exactly when
 * the scraped restart counters show 3 or more, nothing else fires on a healthy run. Each metric a rule reads must
 * also be present in those scrapes, so a renamed metric cannot leave a rule silently empty.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { findYamlParser } from '../../test/ops/yaml';
import type { ScrapeRound } from './metrics-recorder';

const RULES_DIR = join(PROJECT_ROOT, 'deploy', 'prometheus');

/**
 * Restarts visible to Prometheus: per replica, last minus first scraped value. A replica's restarts before its
 * first scrape are invisible to any Prometheus (its counter's first sample is the baseline), so this can be
 * below the jobs' own count, never above it.
 */
export function scrapedRestarts(rounds: ScrapeRound[]): number {
  const seen = new Map<string, { first: number; last: number }>();
  for (const round of rounds)
    for (const [key, value] of Object.entries(round.values))
      if (key.startsWith('recorder_session_restarts_total{')) seen.set(key, { first: seen.get(key)?.first ?? value, last: value });
  return [...seen.values()].reduce((n, { first, last }) => n + last - first, 0);
}

/** Which alerts must fire at the end of a healthy rehearsal: the restart alert, when the scrapes show enough. */
function expectedFiring(rules: Rule[], visibleRestarts: number): Set<string> {
  const rule = rules.find((r) => r.alert === 'RecorderSessionRestartsRising');
  const threshold = Number(/>=\s*(\d+)\s*$/.exec(rule?.expr ?? '')?.[1] ?? NaN);
  if (Number.isNaN(threshold)) throw new Error(`RecorderSessionRestartsRising: expected "... >= N", got ${rule?.expr}`);
  return new Set(visibleRestarts >= threshold ? ['RecorderSessionRestartsRising'] : []);
}

interface Rule {
  alert: string;
  expr: string;
}

export function alertRules(): Rule[] {
  const parsed = findYamlParser()!.parse(readFileSync(join(RULES_DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return parsed.groups.flatMap((g) => g.rules);
}

/** recorder_* metric families a rule reads. */
export const metricsOf = (expr: string): string[] => [...new Set(expr.match(/recorder_[a-z_]+/g) ?? [])];

function promtool(promtoolPath: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(promtoolPath, args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** A promtool unit test holding the scraped series, with one expression test per rule at the last round. */
function rehearsalTest(rules: Rule[], rounds: ScrapeRound[], intervalMs: number, firing: Set<string>): string {
  const keys = new Set<string>();
  const wanted = new Set(rules.flatMap((r) => metricsOf(r.expr)));
  for (const round of rounds) for (const key of Object.keys(round.values)) if (wanted.has(key.slice(0, key.indexOf('{')))) keys.add(key);
  const slots = Math.max(...rounds.map((r) => r.at / intervalMs)) + 1;
  const series = [...keys].map((key) => {
    const values: string[] = Array(slots).fill('_');
    for (const round of rounds) if (key in round.values) values[round.at / intervalMs] = String(round.values[key]);
    // A replica that stopped answering (killed, drained) leaves its series as Prometheus does: a staleness
    // marker at the next scrape, not its last value repeated for the 5-minute lookback.
    const last = values.reduce((at, v, i) => (v === '_' ? at : i), -1);
    if (last >= 0 && last < slots - 1) values[last + 1] = 'stale';
    return `      - series: '${key}'\n        values: '${values.join(' ')}'`;
  });
  const evalTime = `${((slots - 1) * intervalMs) / 1000}s`;
  const tests = rules.map(
    (r) => `      - expr: 'sgn(count(${r.expr.replace(/\s+/g, ' ').trim().replace(/'/g, "''")}))'
        eval_time: ${evalTime}
        exp_samples:${firing.has(r.alert) ? `\n          - labels: '{}'\n            value: 1` : ' []'}`,
  );
  return `rule_files: []
tests:
  - name: rules on the rehearsal's scraped metrics
    interval: ${intervalMs / 1000}s
    input_series:
${series.join('\n')}
    promql_expr_test:
${tests.join('\n')}
`;
}

export async function evaluateAlertRules(opts: {
  samples: ScrapeRound[];
  /** Rows restarted after a lost session, from the jobs' results. */
  sessionRestarts: number;
  intervalMs: number;
  workDir: string;
  promtool?: string;
}): Promise<{ violations: string[]; summary: string }> {
  const rules = alertRules();
  const visible = scrapedRestarts(opts.samples);
  const firing = expectedFiring(rules, visible);
  const violations: string[] = [];
  if (visible > opts.sessionRestarts || (opts.sessionRestarts > 0 && visible === 0))
    violations.push(`the workers' restart counters show ${visible} restart(s), the jobs' results ${opts.sessionRestarts}`);
  const scraped = new Set(opts.samples.flatMap((r) => Object.keys(r.values).map((k) => k.slice(0, k.indexOf('{')))));
  for (const rule of rules)
    for (const metric of metricsOf(rule.expr))
      if (![metric, `${metric}_bucket`, `${metric}_count`].some((m) => scraped.has(m)))
        violations.push(`${rule.alert} reads ${metric}, which no worker exposed`);
  if (!opts.promtool)
    return { violations: [...violations, 'promtool not found: run node scripts/setup.mjs --server'], summary: 'not evaluated' };

  const checks: Array<[string, string[], string]> = [
    ['check rules', ['check', 'rules', 'alerts.yml'], RULES_DIR],
    ['synthetic tests', ['test', 'rules', 'alerts.test.yml'], RULES_DIR],
  ];
  const generated = join(opts.workDir, 'alerts.rehearsal.test.yml');
  writeFileSync(generated, rehearsalTest(rules, opts.samples, opts.intervalMs, firing));
  checks.push(['rehearsal metrics', ['test', 'rules', generated], opts.workDir]);
  for (const [what, args, cwd] of checks) {
    const r = promtool(opts.promtool, args, cwd);
    if (!r.ok) violations.push(`promtool ${what} failed:\n${r.output}`);
  }
  const summary =
    `${rules.length} rules: promtool check + synthetic tests + evaluation on ${opts.samples.length} scrape rounds ` +
    `(${visible} of ${opts.sessionRestarts} restarts visible in the counters) ` +
    `firing at the end: ${[...firing].join(', ') || 'none'}; quiet: the other ${rules.length - firing.size}`;
  return { violations, summary };
}
