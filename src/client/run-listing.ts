/**
 * How a job is listed in Temporal visibility from its first moment: search attributes (queued, who, which
 * recording) and the Web UI's summary (recording title, row count) and static details. The workflow keeps the
 * changing ones current (src/workflows/run-visibility.ts).
 */
import type { SearchAttributePair } from '@temporalio/common';
import {
  DELETED,
  OWNER_ID,
  RECORDING_ID,
  RECORDING_TITLE,
  ROWS_FAILED,
  ROWS_TOTAL,
  RUN_STATUS,
  TRIGGERED_BY,
} from '../workflows/search-attributes';
import type { ExecutionInput, PreparedJob } from '../workflows/types';

export function runListing(
  input: ExecutionInput,
  prepared: PreparedJob | undefined,
): { typedSearchAttributes: SearchAttributePair[]; staticSummary: string; staticDetails: string } {
  const origin = input.origin ?? {};
  // A job started by its id alone is the portal's: its recording and CSV wait in Supabase.
  const triggeredBy = origin.triggeredBy ?? (prepared ? 'cli' : 'portal');
  const title = prepared?.flow.title ?? `portal job ${input.jobId}`;
  const attributes: SearchAttributePair[] = [
    { key: RUN_STATUS, value: 'queued' },
    { key: RECORDING_TITLE, value: title },
    { key: ROWS_FAILED, value: 0 },
    { key: DELETED, value: false },
    { key: TRIGGERED_BY, value: triggeredBy },
  ];
  if (prepared) attributes.push({ key: ROWS_TOTAL, value: prepared.rows.length });
  if (origin.ownerId) attributes.push({ key: OWNER_ID, value: origin.ownerId });
  if (origin.recordingId) attributes.push({ key: RECORDING_ID, value: origin.recordingId });
  const shape = prepared ? `${prepared.rows.length} row(s) × ${prepared.flow.steps.length} step(s)` : 'loaded from Supabase';
  const details = [
    `job \`${input.jobId}\``,
    origin.recordingId ? `recording \`${origin.recordingId}\`` : undefined,
    `triggered by ${triggeredBy}${origin.ownerId ? ` for owner \`${origin.ownerId}\`` : ''}`,
    origin.scheduleId ? `schedule \`${origin.scheduleId}\`` : undefined,
  ].filter(Boolean);
  return { typedSearchAttributes: attributes, staticSummary: `${title} — ${shape}`, staticDetails: details.join('\n\n') };
}
