import { removeFilesOlderThan, removeResultDirsOlderThan } from '../artifacts/expired-files';
import type { ExpiredStorage } from '../artifacts/expired-storage';
import type { Logger } from '../logging/logger';
import type { CleanupCutoffs, CleanupReport } from '../workflows/types';

export interface CleanupActivityDeps {
  /** Local directories of artifacts (ARTIFACT_DIR, SCREENSHOT_DIR). */
  artifactDirs: string[];
  resultsDir: string;
  /** Present when the mirror is on: Storage objects and their rows. */
  storage?: Pick<ExpiredStorage, 'removeCreatedBefore'>;
  logger: Logger;
}

/** Retention: what the daily cleanup workflow deletes. Idempotent: a retry finds less to delete. */
export function createCleanupActivities(deps: CleanupActivityDeps) {
  return {
    async removeExpired(cutoffs: CleanupCutoffs): Promise<CleanupReport> {
      const report: CleanupReport = { localFiles: 0, localBytes: 0, resultJobs: 0, storageObjects: 0, mirrorRows: 0 };
      for (const dir of deps.artifactDirs) {
        const removed = await removeFilesOlderThan(dir, cutoffs.artifactsBefore);
        report.localFiles += removed.files;
        report.localBytes += removed.bytes;
      }
      const results = await removeResultDirsOlderThan(deps.resultsDir, cutoffs.resultsBefore);
      report.resultJobs = results.jobs;
      report.localBytes += results.bytes;
      if (deps.storage) {
        const removed = await deps.storage.removeCreatedBefore(new Date(cutoffs.artifactsBefore));
        report.storageObjects = removed.objects;
        report.mirrorRows = removed.rows;
      }
      deps.logger.info({ ...report }, 'retention cleanup done');
      return report;
    },
  };
}
