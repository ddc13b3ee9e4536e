import { ActivityCancellationType, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createNotificationActivities } from '../activities/notification-activities';
import type { NotificationDeliveryInput, NotificationOutcome } from './notification-types';

const { deliverNotification, recordNotificationOutcome } = proxyActivities<ReturnType<typeof createNotificationActivities>>({
  // One POST: a receiver that does not answer within 15 s is cut off and tried again later.
  startToCloseTimeout: '30s',
  // A receiver down for a day is given the whole day, backing off to one try every 10 minutes.
  scheduleToCloseTimeout: '24h',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    // A 4xx other than 408/429, or a secret the worker does not have, does not get better by retrying.
    nonRetryableErrorTypes: ['WebhookRejected', 'NotifyConfigError'],
  },
  // Delivery is idempotent for the receiver (X-Event-Id): a cancelled POST may simply be abandoned.
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/**
 * One notification, delivered on its own (an abandoned child of the job), so a slow or dead receiver never
 * delays or fails the job. Its outcome is written beside the job's results either way.
 */
export async function notificationDelivery(input: NotificationDeliveryInput): Promise<NotificationOutcome> {
  let outcome: NotificationOutcome;
  try {
    outcome = await deliverNotification(input);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    const failure = cause instanceof ApplicationFailure ? cause : undefined;
    const details = failure?.details?.[0] as Partial<NotificationOutcome> | undefined;
    outcome = {
      eventId: input.body.eventId,
      delivered: false,
      attempts: details?.attempts ?? 0,
      ...(details?.lastStatus ? { lastStatus: details.lastStatus } : {}),
      lastError: (cause as Error).message ?? String(cause),
    };
  }
  await recordNotificationOutcome({ jobId: input.body.jobId, workflowId: workflowInfo().workflowId, outcome });
  return outcome;
}
