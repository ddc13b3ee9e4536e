import { createHmac } from 'node:crypto';
import type { NotificationBody } from '../workflows/notification-types';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as GitHub-style receivers verify it. */
export function signatureHeader(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The target's URL without path or query (which may hold a token): what logs and outcome records show. */
export function redactedUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…`;
}

export type WebhookFormat = 'json' | 'slack';

/** The POST body: the event as JSON, or a Slack-compatible message carrying the same facts. */
export function webhookBody(body: NotificationBody & { links: Record<string, string> }, format: WebhookFormat): string {
  if (format === 'json') return JSON.stringify(body);
  const { rows } = body;
  const head =
    body.event === 'job.started'
      ? `Job ${body.jobId} started: ${rows.total} row(s)`
      : body.event === 'row.failed'
        ? `Job ${body.jobId}: row ${body.failingRows[0]?.row} failed`
        : `Job ${body.jobId} ${body.status}: ${rows.passed} passed, ${rows.failed} failed, ${rows.cancelled} cancelled of ${rows.total}`;
  const failures = body.failingRows.map(
    (f) => `• row ${f.row}, step ${f.stepIndex}${f.stepType ? ` (${f.stepType})` : ''}: ${f.errorType}: ${f.message}`,
  );
  const links = Object.entries(body.links).map(([name, url]) => `<${url}|${name}>`);
  return JSON.stringify({ text: [head, ...failures, links.join(' · ')].filter(Boolean).join('\n'), event_id: body.eventId });
}

export interface PostResult {
  status: number;
}

/** One POST with a deadline; a network error or timeout throws. */
export async function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'recorder-runner-webhook', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
  });
  await response.arrayBuffer().catch(() => undefined);
  return { status: response.status };
}
