import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/support/tools';
import type { NotificationBody, NotificationOutcome } from '../../src/workflows/notification-types';
import { startHarness, Harness, newJobId } from '../support/harness';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const signup = JSON.parse(readFileSync(join(EXAMPLES, 'recordings', 'signup.json'), 'utf8'));
const csvLines = readFileSync(join(EXAMPLES, 'data', 'signup.csv'), 'utf8').split('\n');
const SECRET = 'notify-test-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering with the given statuses in turn (the last one repeats); 0: never answers. */
async function receiver(statuses: number[]) {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
      if (status !== 0) res.writeHead(status).end();
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/token-in-path`,
    received,
    close: () => new Promise<void>((ok) => (sockets.forEach((s) => s.destroy()), server.close(() => ok()))),
  };
}

describe('job notifications (webhooks)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ siteRoot: join(EXAMPLES, 'site'), env: { NOTIFY_WEBHOOK_SECRET: SECRET, PUBLIC_API_URL: 'https://runner.example.test/' } });
    await h.startWorker();
  });
  afterAll(() => h.close());

  it('delivers once through three 500s: signed, same event id every attempt, failing rows without CSV values', async () => {
    const hook = await receiver([500, 500, 500, 200]);
    const jobId = newJobId('notify');
    // Row 1 passes; row 2 (line 5 of the example) fails on the site's validation.
    const csv = [csvLines[0], csvLines[1], csvLines[4]].join('\n');
    await h.client.startExecution({
      jobId,
      recording: signup,
      csv,
      config: { timingMode: 'instant', defaults: { baseUrl: h.site.url }, notify: { url: hook.url } },
    });
    const summary = await h.client.getResult(jobId);
    expect(summary.rows).toMatchObject({ passed: 1, failed: 1 });
    const outcome: NotificationOutcome = await h.client.client.workflow.getHandle(`notify-${jobId}-ended`).result();
    await hook.close();

    expect(outcome).toMatchObject({ delivered: true, attempts: 4, lastStatus: 200 });
    expect(hook.received).toHaveLength(4);
    const eventIds = new Set(hook.received.map((r) => r.headers['x-event-id']));
    expect(eventIds).toEqual(new Set([`execution-${jobId}/ended`]));
    for (const r of hook.received) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      expect(r.headers['x-signature-256']).toBe(expected);
    }
    const body = JSON.parse(hook.received[3].body) as NotificationBody;
    expect(body).toMatchObject({ event: 'job.ended', jobId, status: 'failed', rows: { total: 2, passed: 1, failed: 1, cancelled: 0 } });
    expect(body.failingRows).toEqual([expect.objectContaining({ row: 2, errorType: expect.any(String), message: expect.any(String) })]);
    // Where to look next: the run in the Runs API and its HTML report (PUBLIC_API_URL).
    expect((body as NotificationBody & { links: Record<string, string> }).links).toEqual({
      run: `https://runner.example.test/api/v1/runs/${jobId}`,
      report: `https://runner.example.test/api/v1/runs/${jobId}/report.html`,
    });
    for (const value of csvLines[4].split(',').filter((v) => v.length > 3)) expect(hook.received[3].body).not.toContain(value);
    // The outcome sits beside the job's row results; the target's token-bearing path does not.
    const record = readFileSync(join(summary.resultsLocation!, 'notifications.jsonl'), 'utf8');
    expect(JSON.parse(record.trim().split('\n').at(-1)!)).toMatchObject({ eventId: body.eventId, delivered: true, attempts: 4 });
    expect(record).not.toContain('token-in-path');
  });

  it('a receiver that never answers does not hold up the job', async () => {
    const hook = await receiver([0]);
    const jobId = newJobId('notify-dead');
    await h.client.startExecution({
      jobId,
      recording: signup,
      csv: [csvLines[0], csvLines[1]].join('\n'),
      config: { timingMode: 'instant', defaults: { baseUrl: h.site.url }, notify: { url: hook.url, format: 'slack' } },
    });
    const summary = await h.client.getResult(jobId);
    expect(summary.status).toBe('passed');
    const delivery = h.client.client.workflow.getHandle(`notify-${jobId}-ended`);
    for (let i = 0; i < 100 && hook.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hook.received.length).toBeGreaterThan(0);
    expect(JSON.parse(hook.received[0].body).text).toMatch(new RegExp(`Job ${jobId} passed: 1 passed`));
    expect((await delivery.describe()).status.name).toBe('RUNNING');
    await delivery.terminate('test over');
    await hook.close();
  });
});
