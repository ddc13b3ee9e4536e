import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { PROJECT_ROOT, resolveToolPaths } from '../../src/support/tools';
import { startCodecServer } from '../../src/temporal/codec-server';
import { payloadEncryptionCodec } from '../../src/temporal/payload-encryption';
import { executionWorkflowId, rowWorkflowId } from '../../src/workflows/definitions';
import { startHarness, Harness, newJobId, testState } from '../support/harness';

const PASSWORD = 'Hunter2-Very-Secret';
const recording = {
  title: 'types a password',
  steps: [
    { type: 'navigate', url: '{{baseUrl}}/signup.html' },
    { type: 'change', selectors: [['#password']], value: '{{password}}' },
    { type: 'waitForElement', selectors: [['#password']] },
  ],
};
const csv = `email,password\nada@example.com,${PASSWORD}\n`;

/** Every byte string in a history (payload data and metadata), as text: where a plaintext value would show. */
function bytesOf(node: unknown, out: string[] = []): string[] {
  if (node instanceof Uint8Array) out.push(Buffer.from(node).toString('latin1'));
  else if (Array.isArray(node)) node.forEach((n) => bytesOf(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => bytesOf(n, out));
  return out;
}

/** A job's own history and its row's, read by a client with no key at all: what the server stores. */
async function storedBytes(h: Harness, jobId: string): Promise<string> {
  const raw = new Client({ connection: h.client.client.connection, namespace: h.env.TEMPORAL_NAMESPACE });
  const histories = await Promise.all(
    [executionWorkflowId(jobId), rowWorkflowId(jobId, 1)].map((id) => raw.workflow.getHandle(id).fetchHistory()),
  );
  return bytesOf(histories).join('\n');
}

async function runJob(h: Harness, prefix: string): Promise<string> {
  const jobId = newJobId(prefix);
  await h.client.startExecution({ jobId, recording, csv, config: { timingMode: 'instant', defaults: { baseUrl: h.site.url } } });
  const summary = await h.client.getResult(jobId);
  expect(summary).toMatchObject({ status: 'passed', rows: { total: 1, passed: 1 } });
  return jobId;
}

describe('payload encryption (TEMPORAL_PAYLOAD_KEY): real Temporal, real Chromium', () => {
  const siteRoot = join(PROJECT_ROOT, 'examples', 'site');
  let encrypted: Harness;
  let plain: Harness;
  beforeAll(async () => {
    encrypted = await startHarness({ siteRoot, env: { TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64') } });
    await encrypted.startWorker();
    plain = await startHarness({ siteRoot, env: { TEMPORAL_PAYLOAD_ENCRYPTION: 'off' } });
    await plain.startWorker();
  });
  afterAll(async () => {
    await encrypted?.close();
    await plain?.close();
  });

  it('a job runs with CSV values that the server only ever holds encrypted', async () => {
    const jobId = await runJob(encrypted, 'enc');
    const stored = await storedBytes(encrypted, jobId);
    expect(stored).toContain('binary/encrypted');
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain('ada@example.com');
    // Progress and results still read normally through the client with the key.
    expect((await encrypted.client.getProgress(jobId)).rows).toMatchObject({ total: 1, passed: 1 });
  });

  it('control: with encryption off the same history holds the password in plain text', async () => {
    const jobId = await runJob(plain, 'plain');
    const stored = await storedBytes(plain, jobId);
    expect(stored).toContain(PASSWORD);
    expect(stored).not.toContain('binary/encrypted');
  });

  it('a client without the key cannot read an encrypted job', async () => {
    const jobId = await runJob(encrypted, 'enc-nokey');
    const raw = new Client({ connection: encrypted.client.client.connection, namespace: encrypted.env.TEMPORAL_NAMESPACE });
    await expect(raw.workflow.getHandle(executionWorkflowId(jobId)).result()).rejects.toThrow(/binary\/encrypted/);
  });

  it('operators: the codec endpoint shows decrypted payloads to `temporal workflow show` (and the Web UI), to allowed origins only', async () => {
    const jobId = await runJob(encrypted, 'enc-codec');
    const codec = payloadEncryptionCodec(encrypted.env)!;
    const server = await startCodecServer({ codec, port: 0, allowedOrigins: ['http://127.0.0.1:8233'] });
    try {
      // Asynchronous: the CLI calls the codec server, which answers from this very process.
      const jobInput = async (...extra: string[]) => {
        const { stdout } = await promisify(execFile)(
          resolveToolPaths().temporal!,
          ['workflow', 'show', '--address', testState().address, '-w', executionWorkflowId(jobId), '-o', 'json', ...extra],
          { maxBuffer: 16 << 20, timeout: 30_000 },
        );
        const [payload] = JSON.parse(stdout).events[0].workflowExecutionStartedEventAttributes.input.payloads;
        const text = (b64: string) => Buffer.from(b64, 'base64').toString('latin1');
        return { encoding: text(payload.metadata.encoding), data: text(payload.data) };
      };
      const stored = await jobInput();
      expect(stored.encoding).toBe('binary/encrypted');
      expect(stored.data).not.toContain('ada@example.com');
      const shown = await jobInput('--codec-endpoint', server.url);
      expect(shown.encoding).toBe('json/plain');
      expect(shown.data).toContain('ada@example.com');

      const ui = 'http://127.0.0.1:8233';
      const preflight = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: ui, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(ui);
      const foreign = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { origin: 'http://elsewhere.test', 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(foreign.status).toBe(403);
      const malformed = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"nope":1}',
      });
      expect(malformed.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
