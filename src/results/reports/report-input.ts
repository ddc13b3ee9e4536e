/**
 * What every report is built from: the job's summary, every row's result, and optionally what only the caller
 * has (a row label from a non-secret CSV column, the recorded steps for the selectors a failing step tried).
 * Pure: the Runs API, the CLI and the demo build the same reports from the same input.
 */
import type { Step } from '../../recording/types';
import type { JobSummary } from '../../workflows/types';
import type { RowResult } from '../types';

export interface JobReportInput {
  summary: JobSummary;
  /** Every row's result, in row order (readRowResults / ExecutionClient.getAllRowResults). */
  rows: RowResult[];
  /** Row number → "column=value" of the CSV's key column, never a secret one (rowKeysFromCsv). */
  rowKeys?: ReadonlyMap<number, string>;
  /** The recording's steps, as recorded (placeholders intact): the selectors a failing step tried. */
  steps?: readonly Step[];
  /** When set, artifact links are relative to this directory (where the report file is written). */
  linkBase?: string;
}

export type ReportFormat = 'html' | 'junit' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'junit', 'json'];
export const REPORT_FILE_NAMES: Record<ReportFormat, string> = { html: 'report.html', junit: 'junit.xml', json: 'results.json' };

/** "row 4" or "row 4 (email=not-an-email)". */
export const rowName = (input: JobReportInput, row: number): string => {
  const key = input.rowKeys?.get(row);
  return key ? `row ${row} (${key})` : `row ${row}`;
};

/** The selectors a step was recorded with, as the recorder wrote them. */
export function recordedSelectors(step: Step | undefined): string[] {
  if (!step || !('selectors' in step) || !Array.isArray(step.selectors)) return [];
  return step.selectors.map((s: string | string[]) => (Array.isArray(s) ? s.join(' >>> ') : s));
}
