import { strToU8, unzipSync, zipSync } from 'fflate';
import { redactTraceZip } from '../../src/artifacts/redact-trace';
import { csvWithRows } from '../../src/client/rerun';
import { parseCsv } from '../../src/recording/csv';
import { secretColumnMatcher } from '../../src/recording/secrets';
import { buildJunitReport, rowKeysFromCsv } from '../../src/results/reports';
import type { JobSummary } from '../../src/workflows/types';

describe('trace redaction', () => {
  const secret = 'p&ss "wörd"/<1>';
  const zip = zipSync({
    'trace.trace': strToU8(`{"method":"fill","params":{"value":${JSON.stringify(secret)}}}\n`),
    'resources/page.html': strToU8(
      `<input value="${secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}">`,
    ),
    'trace.network': strToU8(`{"postData":"pw=${encodeURIComponent(secret)}"}`),
    'resources/img.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 1]),
  });

  it('replaces the value in every encoding the trace uses, and leaves everything else as it was', () => {
    const files = unzipSync(redactTraceZip(zip, [secret, '']));
    const text = (name: string) => Buffer.from(files[name]).toString('utf8');
    expect(text('trace.trace')).toBe('{"method":"fill","params":{"value":"***"}}\n');
    expect(text('resources/page.html')).toBe('<input value="***">');
    expect(text('trace.network')).toBe('{"postData":"pw=***"}');
    expect([...files['resources/img.png']]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 255, 1]);
  });

  it('without secret values the zip is unchanged', () => {
    expect(redactTraceZip(zip, [])).toBe(zip);
  });
});

describe('rerun CSV and report row keys', () => {
  const csv = 'email,password,note\na@x.io,pw1,"hello, ""world"""\nb@x.io,pw2,plain\nc@x.io,pw3," padded "\n';

  it('csvWithRows keeps the header and the chosen rows, quoting what needs it', () => {
    const subset = csvWithRows(csv, [3, 1]);
    const parsed = parseCsv(subset, { maxRows: 10 });
    expect(parsed.headers).toEqual(['email', 'password', 'note']);
    expect(parsed.rows).toEqual([
      { email: 'c@x.io', password: 'pw3', note: ' padded ' },
      { email: 'a@x.io', password: 'pw1', note: 'hello, "world"' },
    ]);
  });

  it('names rows by a key column, never a secret one', () => {
    const isSecret = secretColumnMatcher('password|secret|token|key');
    expect(rowKeysFromCsv(csv, isSecret).get(2)).toBe('email=b@x.io');
    expect(rowKeysFromCsv(csv, isSecret, 'password').size).toBe(0);
    expect(rowKeysFromCsv('password,x\npw,1\n', isSecret).size).toBe(0);
  });

  it('JUnit escapes what XML cannot carry raw', () => {
    const summary = {
      jobId: 'j<1>',
      workflowId: 'w',
      status: 'failed',
      rows: { total: 1, passed: 0, failed: 1, cancelled: 0, flaky: 0 },
      steps: { total: 1, passed: 0, failed: 1, skipped: 0 },
      durationMs: 1500,
      results: [],
    } as JobSummary;
    const xml = buildJunitReport({
      summary,
      rows: [
        {
          row: 1,
          status: 'failed',
          durationMs: 1234,
          sessionRestarts: 0,
          error: { stepIndex: 0, type: 'StepTimeout', message: 'no <a href="x">&\u0001' },
          steps: [{ index: 0, type: 'click', status: 'failed', durationMs: 1, attempts: 3 }],
        },
      ],
    });
    expect(xml).toContain('<testsuite name="job j&lt;1&gt;" tests="1" failures="1" errors="0" skipped="0" time="1.500"');
    expect(xml).toContain('message="step 0 (click): no &lt;a href=&quot;x&quot;&gt;&amp;"');
    expect(xml).toContain('time="1.234"');
  });
});
