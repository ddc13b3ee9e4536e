import { MAX_PREPARED_JOB_BYTES, validateJob, prepareLimitsFromEnv } from '../../src/recording/validate-job';
import { parseHostPolicy } from '../../src/browser/url-policy';
import { loadEnv } from '../../src/config/env';
import { parseCsv } from '../../src/recording/csv';
import { InputError } from '../../src/recording/input-error';
import { literalUrlProblems } from '../../src/recording/literal-urls';
import { parseRecording } from '../../src/recording/parse-recording';
import { malformedPlaceholders } from '../../src/recording/templating';
import type { Step, UserFlow } from '../../src/recording/types';

const flow = (...steps: Step[]): UserFlow => ({ title: 't', steps });
const navigate = (url: string): Step => ({ type: 'navigate', url });
const caught = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
};

describe('limits, each named with its value', () => {
  it('recording bytes (text or object) and steps, before the schema runs', () => {
    const big = JSON.stringify({ title: 'x'.repeat(2000), steps: [] });
    expect(caught(() => parseRecording(big, { maxBytes: 1024 })).message).toBe(
      `Recording is ${big.length} bytes, more than the limit of 1024 (MAX_RECORDING_BYTES)`,
    );
    expect(caught(() => parseRecording(JSON.parse(big), { maxBytes: 1024 })).message).toMatch(/MAX_RECORDING_BYTES/);
    const many = { title: 't', steps: Array.from({ length: 3 }, () => ({ type: 'teleport' })) };
    expect(caught(() => parseRecording(many, { maxSteps: 2 })).message).toBe(
      'Recording has 3 steps, more than the limit of 2 (MAX_RECORDING_STEPS)',
    );
    // UTF-8 bytes, not characters.
    expect(caught(() => parseRecording(JSON.stringify({ title: 'é'.repeat(600), steps: [] }), { maxBytes: 1024 })).message).toMatch(
      /is 1\d{3} bytes/,
    );
  });

  it('CSV bytes, columns and cell length; a cell is named by where it is, never by its value', () => {
    expect(caught(() => parseCsv('a\n' + 'x\n'.repeat(10), { maxRows: 100, maxBytes: 10 })).message).toBe(
      'CSV file is 22 bytes, more than the limit of 10 (MAX_CSV_BYTES); split the file or raise MAX_CSV_BYTES',
    );
    expect(caught(() => parseCsv('a,b,c\n1,2,3\n', { maxRows: 100, maxColumns: 2 })).message).toBe(
      'CSV file has 3 columns, more than the limit of 2 (MAX_CSV_COLUMNS)',
    );
    const err = caught(() => parseCsv('user,password\nada,hunter2hunter2\n"bob\nsmith",ok\n', { maxRows: 100, maxCellLength: 8 }));
    expect(err.message).toContain('CSV cells longer than the limit of 8 characters (MAX_CSV_CELL_LENGTH)');
    expect(err.issues).toEqual([
      'line 2 (data row 1), column "password": 14 characters',
      'lines 3-4 (data row 2), column "user": 9 characters',
    ]);
    expect(err.message).not.toContain('hunter2');
  });

  it("never quotes a cell in csv-parse's own messages", () => {
    const err = caught(() => parseCsv('a,b\n1,Pa"ssw0rd\n', { maxRows: 10 }));
    expect(err.message).toMatch(/^Invalid CSV: Invalid Opening Quote: a quote is found on field 1 at line 2$/);
  });

  it('the prepared job must fit what Temporal stores in one payload', () => {
    const limits = prepareLimitsFromEnv(loadEnv({ MAX_CSV_BYTES: '1572864', MAX_ROWS_PER_JOB: '100000' }));
    const header = Array.from({ length: 10 }, (_, i) => `column_${i}`).join(',');
    const csv = `${header}\n${'abcde,'.repeat(9)}abcde\n`.repeat(1) + `${'abcde,'.repeat(9)}abcde\n`.repeat(12_000);
    const err = caught(() =>
      validateJob({ jobId: 'big', recording: { title: 't', steps: [navigate('https://example.com/')] }, csv }, limits),
    );
    expect(err.message).toMatch(
      new RegExp(`The job is \\d+ bytes once parsed \\(recording, 12001 rows, config\\), more than the ${MAX_PREPARED_JOB_BYTES}`),
    );
  });
});

describe('placeholders', () => {
  it('names each unclosed or malformed placeholder by step and field', () => {
    expect(
      malformedPlaceholders(
        flow(
          navigate('{{baseUrl}}/{{path'),
          { type: 'change', selectors: [['#a'], '#{{}}'], value: '{{ok}} {{a{b}}' },
          { type: 'waitForExpression', expression: '(() => {{ return 1 }})()' },
        ),
      ),
    ).toEqual([
      'steps[0] (navigate).url: unclosed placeholder "{{path" (no closing "}}")',
      'steps[1] (change).selectors[1]: malformed placeholder "{{}}" (expected {{column}} or {{column|default}})',
      'steps[1] (change).value: malformed placeholder "{{a{b}}" (expected {{column}} or {{column|default}})',
    ]);
  });

  it('accepts every well-formed kind, and a lone "}}"', () => {
    expect(malformedPlaceholders(flow(navigate('{{ baseUrl }}/{{path|home}}/{{First Name|}}?x=}}')))).toEqual([]);
  });
});

describe('literal navigate URLs', () => {
  const policy = parseHostPolicy();
  it.each([
    ['file:///etc/passwd', 'file: URLs are not allowed (only http:, https: and about:blank)'],
    ['file://{{path}}', 'file: URLs are not allowed (only http:, https: and about:blank)'],
    ['JavaScript:{{code}}', 'javascript: URLs are not allowed (only http:, https: and about:blank)'],
    ['http://169.254.169.254/{{path}}', 'host 169.254.169.254 is in BLOCKED_HOSTS (169.254.0.0/16)'],
    ['example.com/login', 'not an absolute URL (expected http://... or https://...)'],
  ])('refuses %s', (url, reason) => {
    expect(literalUrlProblems(flow(navigate(url)), policy)).toEqual([`steps[0] (navigate).url: ${reason}`]);
  });

  it.each(['{{url}}', '{{baseUrl}}/signup', 'https://{{host}}/x', 'http://{{host}}', 'about:{{page}}', 'https://example.com/{{path}}'])(
    'leaves %s to run time (a CSV value decides it)',
    (url) => {
      expect(literalUrlProblems(flow(navigate(url)), parseHostPolicy({ allowedHosts: 'example.com' }))).toEqual([]);
    },
  );
});
