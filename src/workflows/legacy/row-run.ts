import { patched } from '@temporalio/workflow';
import type { RowResult } from '../../results/types';
import { csvRow } from '../csv-row';
import { SESSION_LEASE_PATCH } from '../patches';
import type { RowRunInput } from '../types';
import { rowRunWithHolderAndSteps } from './row-run-holder-and-steps';

/**
 * The row workflow type of jobs started before CSV_ROW_WORKFLOW_PATCH, kept so that their rows (history
 * generations 01 to 09) replay and rows still running on a deploy finish: rows with the session-lease marker
 * run csvRow's commands after it, older ones the holder-and-steps path.
 */
export async function rowRun(input: RowRunInput): Promise<RowResult> {
  if (!patched(SESSION_LEASE_PATCH)) return rowRunWithHolderAndSteps(input);
  return csvRow(input);
}
