import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { JobSummary } from '../../src/workflows/types';
import { startHarness, Harness, newJobId } from '../support/harness';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const signup = JSON.parse(readFileSync(join(EXAMPLES, 'recordings', 'signup.json'), 'utf8'));
const signupCsv = readFileSync(join(EXAMPLES, 'data', 'signup.csv'), 'utf8');
/** Row 4 (Mateo, not-an-email) fails at its last check; its password is a secret column's value. */
const FAILING_ROW = 4;
const FAILING_PASSWORD = 'Qe3!vB7nKs0pLd';

describe('per-row artifacts: trace and video (real Temporal, real Chromium, ffmpeg)', () => {
  let h: Harness;
  let summary: JobSummary;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(EXAMPLES, 'site') });
    await h.startWorker();
    const jobId = newJobId('artifacts');
    await h.client.startExecution({
      jobId,
      recording: signup,
      csv: signupCsv,
      config: { timingMode: 'instant', maxConcurrentRows: 2, video: 'retain-on-failure', defaults: { baseUrl: h.site.url } },
    });
    summary = await h.client.getResult(jobId);
  });
  afterAll(() => h.close());

  it('keeps a trace and a video for the failing row only (retain-on-failure)', () => {
    expect(summary.rows).toMatchObject({ total: 7, passed: 6, failed: 1 });
    for (const r of summary.results) {
      if (r.row === FAILING_ROW) expect(r.artifacts?.map((a) => a.kind).sort()).toEqual(['trace', 'video']);
      else expect(r.artifacts).toBeUndefined();
    }
    const video = summary.results.find((r) => r.row === FAILING_ROW)!.artifacts!.find((a) => a.kind === 'video')!;
    expect(statSync(video.location).size).toBe(video.bytes);
    expect(video.bytes).toBeGreaterThan(1000);
    // A WebM file starts with the EBML magic number.
    expect(readFileSync(video.location).subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
  });

  it('the trace holds every step that ran as a group named by its index and type', () => {
    const failed = summary.results.find((r) => r.row === FAILING_ROW)!;
    const trace = failed.artifacts!.find((a) => a.kind === 'trace')!;
    const files = unzipSync(readFileSync(trace.location));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['trace.trace', 'trace.network']));
    const events = Buffer.from(files['trace.trace'])
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const groups = events.filter((e) => e.type === 'before' && e.method === 'tracingGroup').map((e) => e.params?.name ?? e.title);
    signup.steps.slice(0, failed.error!.stepIndex + 1).forEach((step: { type: string }, i: number) => {
      expect(groups).toContain(`step ${i} · ${step.type}`);
    });
    // The page's DOM was captured (snapshots), so the trace viewer has something to show.
    expect(events.some((e) => e.type === 'frame-snapshot')).toBe(true);
  });

  it("no artifact holds a secret column's value (the trace's files unzipped and searched byte by byte)", () => {
    const failed = summary.results.find((r) => r.row === FAILING_ROW)!;
    const haystacks: Buffer[] = [];
    for (const a of failed.artifacts!) {
      const bytes = readFileSync(a.location);
      haystacks.push(bytes);
      if (a.kind === 'trace') for (const file of Object.values(unzipSync(bytes))) haystacks.push(Buffer.from(file));
    }
    for (const bytes of haystacks) {
      expect(bytes.includes(Buffer.from(FAILING_PASSWORD))).toBe(false);
      expect(bytes.includes(Buffer.from(encodeURIComponent(FAILING_PASSWORD)))).toBe(false);
    }
    // Control: the trace did record the typed password, in the places the redaction replaced.
    const trace = unzipSync(readFileSync(failed.artifacts!.find((a) => a.kind === 'trace')!.location));
    expect(Buffer.from(trace['trace.trace']).toString('utf8')).toContain('***');
  });
});
