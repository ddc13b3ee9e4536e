/**
 * OpenTelemetry tracing end to end: a client, a worker with a traced workflow bundle and real Chromium export
 * over OTLP/HTTP to a receiver in this process; one row's spans must form one trace, linked parent to child,
 * from the client's start of the job to the last activity the row ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { bundleWorkflows } from '../../src/ops/bundle-workflows';
import { processTracing } from '../../src/ops/tracing';
import { createLogger } from '../../src/logging/logger';
import { PROJECT_ROOT } from '../../src/support/tools';
import { startRunnerWorker } from '../../src/worker/runner-worker';
import { rowWorkflowId } from '../../src/workflows/definitions';
import { startHarness, Harness, newJobId, testState } from '../support/harness';
import { startOtlpReceiver, OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';

const recording = {
  title: 'traced',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/signup.html' },
    { type: 'change', selectors: [['#first-name']], value: '{{user}}' },
    { type: 'waitForElement', selectors: [['#first-name']] },
  ],
};

describe('OpenTelemetry tracing (OTLP/HTTP to an in-process receiver)', () => {
  let receiver: OtlpReceiver;
  let h: Harness;
  let work: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    work = mkdtempSync(join(tmpdir(), 'tracing-'));
    h = await startHarness({
      siteRoot: join(PROJECT_ROOT, 'examples', 'site'),
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'recorder-runner-test' },
    });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses a prebuilt workflow bundle built without the tracing interceptor, naming the fix', () => {
    expect(() => processTracing(h.env)!.workerOptions({ codePath: testState().bundlePath })).toThrow(
      /built without tracing: rebuild it with `node dist\/src\/ops\/bundle-workflows.js --tracing`/,
    );
  });

  it("links one row's spans into one trace, from the client's start to the row's last step", async () => {
    const { outFile } = await bundleWorkflows(join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), join(work, 'traced-bundle.js'), {
      tracing: true,
      logger: new DefaultLogger('WARN'),
    });
    const env = { ...h.env, WORKER_ID: `traced-${newJobId('w')}` };
    h.workers.push(
      await startRunnerWorker({
        env,
        address: h.env.TEMPORAL_ADDRESS!,
        logger: createLogger({ level: 'warn', pretty: false }),
        workflowBundle: { codePath: outFile },
      }),
    );
    const jobId = newJobId('trace');
    await h.client.startExecution({
      jobId,
      recording,
      csv: 'user\nada.lovelace\n',
      config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } },
    });
    expect((await h.client.getResult(jobId)).status).toBe('passed');
    // Workflow spans end when their workflow does; the mirror is off, so nothing else is in flight.
    await processTracing(h.env)!.flush();

    const spans = receiver.spans;
    const start = spans.find((s) => s.name === 'StartWorkflow:executionJob' && s.attributes.temporalWorkflowId === `execution-${jobId}`);
    expect(start).toBeDefined();
    expect(start!.service).toBe('recorder-runner-test');
    const inTrace = spans.filter((s) => s.traceId === start!.traceId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const ancestry = (span: ReceivedSpan): string[] => {
      const names = [span.name];
      for (let s = span; s.parentSpanId;) {
        const parent = byId.get(s.parentSpanId);
        if (!parent) return [...names, `(missing parent ${s.parentSpanId})`];
        names.push(parent.name);
        s = parent;
      }
      return names;
    };

    // Every activity the row ran (whatever activities the row pipeline uses) belongs to the client's trace.
    const rowActivities = spans.filter(
      (s) => s.name.startsWith('RunActivity:') && s.attributes.temporalWorkflowId === rowWorkflowId(jobId, 1),
    );
    expect(rowActivities.length).toBeGreaterThan(0);
    expect(rowActivities.filter((s) => s.traceId !== start!.traceId).map((s) => s.name)).toEqual([]);
    const last = rowActivities.reduce((a, b) => (b.endNs > a.endNs ? b : a));
    // ...linked without a gap: activity ← its scheduling in the row workflow ← the row ← the job ← the client.
    const chain = ancestry(last);
    expect(chain[0]).toBe(last.name);
    expect(chain).toEqual(expect.arrayContaining(['RunWorkflow:csvRow', 'StartChildWorkflow:csvRow', 'RunWorkflow:executionJob']));
    expect(chain.at(-1)).toBe('StartWorkflow:executionJob');
    expect(start!.parentSpanId).toBeUndefined();
    // The trace starts with the client and ends with the row's last activity, nothing of the row after it.
    expect(start!.startNs).toBeLessThanOrEqual(last.startNs);
    // Each step's browser work is a span of its own under the activity that ran it, the last step included.
    const steps = inTrace.filter((s) => s.name.startsWith('step:') && s.attributes['recorder.job_id'] === jobId);
    expect(steps.map((s) => [s.name, s.attributes['recorder.step_index']])).toEqual([
      ['step:navigate', 0],
      ['step:change', 1],
      ['step:waitForElement', 2],
    ]);
    for (const step of steps) expect(ancestry(step)).toEqual([step.name, ...ancestry(last)]);
    expect(steps[2].endNs).toBeLessThanOrEqual(last.endNs);
    // No CSV value reaches span attributes (a part of it no hex id can contain).
    expect(JSON.stringify(inTrace.map((s) => s.attributes))).not.toContain('lovelace');
  });
});
