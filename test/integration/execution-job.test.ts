import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import { flakyRowsOf } from '../support/flaky-rows';
import { startHarness, Harness, newJobId } from '../support/harness';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const signup = JSON.parse(readFileSync(join(EXAMPLES, 'recordings', 'signup.json'), 'utf8'));
const signupCsv = readFileSync(join(EXAMPLES, 'data', 'signup.csv'), 'utf8');

describe('execution job end to end (real Temporal, real Chromium)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(EXAMPLES, 'site') });
    await h.startWorker();
  });
  afterAll(() => h.close());

  it('runs every CSV row with its own values and reports the failing row with step, message and screenshot', async () => {
    const jobId = newJobId('signup');
    const started = await h.client.startExecution({
      jobId,
      recording: signup,
      csv: signupCsv,
      config: { timingMode: 'instant', maxConcurrentRows: 2, defaults: { baseUrl: h.site.url } },
    });
    expect(started).toMatchObject({ jobId, workflowId: `execution-${jobId}`, existing: false, rows: 7 });
    const summary = await h.client.getResult(jobId);

    expect(summary.status).toBe('failed');
    const flaky = flakyRowsOf(summary);
    expect(summary.rows).toEqual({ total: 7, passed: 6, failed: 1, cancelled: 0, flaky });
    expect(summary.steps.total).toBe(7 * signup.steps.length);
    const failed = summary.results.find((r) => r.status === 'failed')!;
    expect(failed.row).toBe(4); // the not-an-email row
    expect(failed.error).toMatchObject({ stepIndex: 12 });
    expect(failed.error!.message).toMatch(/#welcome/);
    expect(failed.error!.message).toContain('Welcome, {{first_name}}!');
    expect(failed.screenshot).toBeDefined();
    expect(existsSync(failed.screenshot!)).toBe(true);
    expect(failed.steps[12]).toMatchObject({ status: 'failed' });
    expect(failed.steps.slice(13).every((s) => s.status === 'skipped')).toBe(true);

    // The welcome text and member list depend on each row's own values, so a pass proves the injection.
    for (const r of summary.results.filter((x) => x.row !== 4)) {
      expect(r.status).toBe('passed');
      expect(r.steps.every((s) => s.status === 'passed' && s.attempts === 1)).toBe(true);
    }
    expect(summary.results[0].steps[2]).toMatchObject({ selectorUsed: 'aria/First name', healed: false });
    // Selectors are reported as recorded, placeholders intact.
    expect(summary.results[0].steps[13].selectorUsed).toBe('#members > li[data-email="{{email}}"]');

    // CSV values never appear in the summary.
    const text = JSON.stringify(summary);
    for (const secret of ['Vx7#qLm2!pRt9w', 'anne-marie.dupont@example.fr', 'Qe3!vB7nKs0pLd', 'Mateo', 'not-an-email'])
      expect(text).not.toContain(secret);
  });

  it('starting the same jobId again returns the existing execution instead of running it twice', async () => {
    const jobId = newJobId('idem');
    const input = {
      jobId,
      recording: signup,
      csv: signupCsv.split('\n').slice(0, 2).join('\n'),
      config: { timingMode: 'instant' as const, defaults: { baseUrl: h.site.url } },
    };
    const first = await h.client.startExecution(input);
    const second = await h.client.startExecution(input);
    expect(first.existing).toBe(false);
    expect(second).toMatchObject({ existing: true, workflowId: first.workflowId });
    await h.client.getResult(jobId);
    const third = await h.client.startExecution(input); // after completion too
    expect(third.existing).toBe(true);
    const runs = [];
    for await (const wf of h.client.client.workflow.list({ query: `WorkflowId = 'execution-${jobId}'` })) runs.push(wf);
    expect(runs).toHaveLength(1);
  });
});
