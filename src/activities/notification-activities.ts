import { appendFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../logging/logger';
import { postWebhook, redactedUrl, signatureHeader, webhookBody } from '../ops/webhook';
import type { NotificationDeliveryInput, NotificationOutcome } from '../workflows/notification-types';

export interface NotificationActivityDeps {
  /** NOTIFY_WEBHOOK_SECRET: signs when the job names no secret. */
  defaultSecret?: string;
  /** NOTIFY_WEBHOOK_SECRETS by name. */
  secrets: Record<string, string>;
  /** TEMPORAL_WEB_UI_URL, for the event's link to the job. */
  webUiUrl?: string;
  /** PUBLIC_API_URL, for the links to the run and, once it ended, its report. */
  apiUrl?: string;
  namespace: string;
  resultsDir: string;
  logger: Logger;
}

/** A receiver gets this long to answer; then the attempt fails and Temporal retries it later. */
const POST_TIMEOUT_MS = 15_000;

export function parseSecretPairs(pairs: string | undefined): Record<string, string> {
  if (!pairs) return {};
  return Object.fromEntries(
    pairs.split(',').map((p) => {
      const eq = p.indexOf('=');
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
    }),
  );
}

/** Where a person goes from a notification: the job in the Web UI, the run in the Runs API, its HTML report. */
export function notificationLinks(
  body: Pick<NotificationDeliveryInput['body'], 'event' | 'jobId' | 'workflowId'>,
  where: { webUiUrl?: string; apiUrl?: string; namespace: string },
): Record<string, string> {
  const links: Record<string, string> = {};
  if (where.webUiUrl) {
    links.webUi = `${where.webUiUrl.replace(/\/$/, '')}/namespaces/${where.namespace}/workflows/${encodeURIComponent(body.workflowId)}`;
  }
  if (where.apiUrl) {
    const run = `${where.apiUrl.replace(/\/$/, '')}/api/v1/runs/${encodeURIComponent(body.jobId)}`;
    links.run = run;
    if (body.event === 'job.ended') links.report = `${run}/report.html`;
  }
  return links;
}

/** Webhook delivery of job events (src/workflows/notification-delivery.ts); runs on the orchestration queue. */
export function createNotificationActivities(deps: NotificationActivityDeps) {
  return {
    async deliverNotification(input: NotificationDeliveryInput): Promise<NotificationOutcome> {
      const { target, body } = input;
      const { attempt } = Context.current().info;
      const secret = target.secretName ? deps.secrets[target.secretName] : deps.defaultSecret;
      if (!secret) {
        const missing = target.secretName ? `NOTIFY_WEBHOOK_SECRETS has no "${target.secretName}"` : 'NOTIFY_WEBHOOK_SECRET is not set';
        throw ApplicationFailure.create({
          type: 'NotifyConfigError',
          message: `cannot sign the webhook: ${missing}`,
          nonRetryable: true,
          details: [{ attempts: attempt }],
        });
      }
      const links = notificationLinks(body, deps);
      const text = webhookBody({ ...body, links }, target.format);
      const where = redactedUrl(target.url);
      let status: number;
      try {
        ({ status } = await postWebhook(
          target.url,
          { 'x-signature-256': signatureHeader(secret, text), 'x-event-id': body.eventId },
          text,
          POST_TIMEOUT_MS,
        ));
      } catch (err) {
        deps.logger.warn({ eventId: body.eventId, target: where, attempt }, 'webhook not reachable; Temporal retries it');
        throw ApplicationFailure.create({
          type: 'WebhookUnreachable',
          message: `${where}: ${(err as Error).name}`,
          details: [{ attempts: attempt }],
        });
      }
      if (status >= 200 && status < 300) return { eventId: body.eventId, delivered: true, attempts: attempt, lastStatus: status };
      const retryable = status >= 500 || status === 408 || status === 429;
      deps.logger.warn({ eventId: body.eventId, target: where, attempt, status }, 'webhook answered with an error');
      throw ApplicationFailure.create({
        type: retryable ? 'WebhookUnavailable' : 'WebhookRejected',
        message: `${where} answered HTTP ${status}`,
        nonRetryable: !retryable,
        details: [{ attempts: attempt, lastStatus: status }],
      });
    },

    /** One line per event in <RESULTS_DIR>/<jobId>/notifications.jsonl, beside the job's row results. */
    async recordNotificationOutcome(input: { jobId: string; workflowId: string; outcome: NotificationOutcome }): Promise<void> {
      const dir = resolve(deps.resultsDir, input.jobId);
      await mkdir(dir, { recursive: true });
      await appendFile(
        resolve(dir, 'notifications.jsonl'),
        JSON.stringify({ ...input.outcome, recordedAt: new Date().toISOString() }) + '\n',
      );
    },
  };
}
