/**
 * deploy/prometheus/alerts.yml and deploy/grafana/dashboard.json read only metrics a worker exposes (the
 * families createWorkerMetrics registers), and are well formed. Prometheus' own evaluator checks the rules'
 * behaviour in `npm run rehearsal` (promtool, synthetic and scraped series: scripts/rehearsal/alert-rules.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkerMetrics } from '../../src/ops/metrics';
import { PROJECT_ROOT } from '../../src/support/tools';
import { alertRules, metricsOf } from '../../scripts/rehearsal/alert-rules';
import { findYamlParser } from './yaml';

const exposed = async (): Promise<Set<string>> => {
  const metrics = createWorkerMetrics({
    activeSessions: () => 0,
    maxSessions: 2,
    browserRelaunches: () => 0,
    memory: { lastSampleMb: () => 100, highWatermarkMb: () => 1300 },
  });
  return new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
};
const familyOf = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

describe('alert rules and dashboard', () => {
  const parsed = findYamlParser()!.parse(readFileSync(join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<Record<string, unknown>> }>;
  };
  const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'deploy', 'grafana', 'dashboard.json'), 'utf8'));
  const dashboardExprs: string[] = dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));

  it('has the alerts the deployment needs, each with a severity, a summary and a description', () => {
    const rules = parsed.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'RecorderJobOverTimeout',
        'RecorderMirrorOutboxBacklog',
        'RecorderMirrorWritesDiverted',
        'RecorderNoReadyWorker',
        'RecorderSessionRestartsRising',
        'RecorderStepFailureRatioHigh',
        'RecorderWorkerAboveMemoryWatermark',
      ].sort(),
    );
    for (const rule of rules) {
      expect(rule).toMatchObject({ expr: expect.any(String), labels: { severity: expect.stringMatching(/^(warning|critical)$/) } });
      expect(rule.annotations).toMatchObject({ summary: expect.any(String), description: expect.any(String) });
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('reads only metrics a worker exposes, in the alerts and in every dashboard panel', async () => {
    const names = await exposed();
    const used = [...alertRules().flatMap((r) => metricsOf(r.expr)), ...dashboardExprs.flatMap(metricsOf)].map(familyOf);
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used)].filter((m) => !names.has(m))).toEqual([]);
  });

  it('charts every metric an alert reads, on a Prometheus datasource chosen at import', () => {
    const charted = new Set(dashboardExprs.flatMap(metricsOf).map(familyOf));
    expect(
      alertRules()
        .flatMap((r) => metricsOf(r.expr))
        .filter((m) => !charted.has(m)),
    ).toEqual([]);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of dashboard.panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length).toBeGreaterThan(0);
    }
    expect(new Set(dashboard.panels.map((p: { id: number }) => p.id)).size).toBe(dashboard.panels.length);
  });
});
