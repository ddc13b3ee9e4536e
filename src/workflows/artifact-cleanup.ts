import { ActivityCancellationType, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { createCleanupActivities } from '../activities/cleanup-activities';
import type { CleanupInput, CleanupReport } from './types';

const DAY_MS = 86_400_000;

const { removeExpired } = proxyActivities<ReturnType<typeof createCleanupActivities>>({
  // Walks directories and pages through Storage: minutes at most for a busy month.
  startToCloseTimeout: '30m',
  // Deleting again what is already gone is harmless; a Supabase outage gets a few tries before tomorrow's run.
  retry: { maximumAttempts: 5, initialInterval: '30s', maximumInterval: '10m' },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/**
 * Retention, run daily by the worker's Temporal Schedule (src/worker/cleanup-schedule.ts): deletes artifacts and
 * results older than their retention, and reports what it removed (its result, and its details in the Web UI).
 */
export async function artifactCleanup(input: CleanupInput): Promise<CleanupReport> {
  const now = Date.now();
  const report = await removeExpired({
    artifactsBefore: now - input.artifactRetentionDays * DAY_MS,
    resultsBefore: now - input.resultsRetentionDays * DAY_MS,
  });
  setCurrentDetails(
    `removed ${report.localFiles} local file(s) (${(report.localBytes / 1_048_576).toFixed(1)} MB), ${report.resultJobs} results dir(s), ` +
      `${report.storageObjects} Storage object(s), ${report.mirrorRows} mirror row(s)`,
  );
  return report;
}
