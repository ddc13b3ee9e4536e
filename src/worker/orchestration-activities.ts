/**
 * The activities of the orchestration queue (no browser): job preparation and results, the mirror's writes,
 * notifications and the retention cleanup, each built from its dependencies as the worker's env configures them.
 */
import { resolve } from 'node:path';
import { createCleanupActivities } from '../activities/cleanup-activities';
import type { ExpiredStorage } from '../artifacts/expired-storage';
import { createJobActivities } from '../activities/job-activities';
import { createMirrorActivities } from '../activities/mirror-activities';
import { createNotificationActivities, parseSecretPairs } from '../activities/notification-activities';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import type { WorkerMetrics } from '../ops/metrics';
import { secretColumnMatcher } from '../recording/secrets';
import { prepareLimitsFromEnv } from '../recording/validate-job';

export function orchestrationActivities(
  env: Env,
  deps: {
    supabase: Parameters<typeof createJobActivities>[0]['supabase'];
    mirrorActivities: ReturnType<typeof createMirrorActivities>;
    expiredStorage: ExpiredStorage | undefined;
    metrics: WorkerMetrics | undefined;
    logger: Logger;
  },
) {
  const resultsDir = resolve(env.RESULTS_DIR);
  return {
    ...deps.mirrorActivities,
    ...createCleanupActivities({
      artifactDirs: [resolve(env.ARTIFACT_DIR), resolve(env.SCREENSHOT_DIR)],
      resultsDir,
      storage: deps.expiredStorage,
      logger: deps.logger,
    }),
    ...createJobActivities({
      supabase: deps.supabase,
      limits: { ...prepareLimitsFromEnv(env), isSecretColumn: secretColumnMatcher(env.SECRET_COLUMNS) },
      resultsDir,
      logger: deps.logger,
      metrics: deps.metrics,
      defaultNotifyUrl: env.NOTIFY_WEBHOOK_URL,
    }),
    ...createNotificationActivities({
      defaultSecret: env.NOTIFY_WEBHOOK_SECRET,
      secrets: parseSecretPairs(env.NOTIFY_WEBHOOK_SECRETS),
      webUiUrl: env.TEMPORAL_WEB_UI_URL,
      apiUrl: env.PUBLIC_API_URL,
      namespace: env.TEMPORAL_NAMESPACE,
      resultsDir,
      logger: deps.logger,
    }),
  };
}
