import { isFlaky } from '../../src/workflows/csv-row';
import type { JobSummary } from '../../src/workflows/types';

/**
 * The passed rows a summary's own results make flaky. On a loaded machine a step may need a second attempt, so a
 * test counts these instead of expecting none.
 */
export const flakyRowsOf = (summary: JobSummary): number =>
  summary.results.filter((r) => r.status === 'passed' && isFlaky(r.steps, r.sessionRestarts)).length;
