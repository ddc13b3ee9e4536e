/**
 * The custom search attributes every execution job carries, so runs can be found in Temporal visibility
 * (Web UI filters, the Runs API's lists): `RunStatus = "failed"`, `RecordingId = "…"`, `OwnerId = "…"`.
 * Workflow-safe (no Node): the workflow upserts them, the client sets them at start, the worker checks that the
 * server has them registered, and the dev server registers them (`--search-attribute Name=Type`).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RUN_STATUS = defineSearchAttributeKey('RunStatus', SearchAttributeType.KEYWORD);
export const RECORDING_ID = defineSearchAttributeKey('RecordingId', SearchAttributeType.KEYWORD);
export const RECORDING_TITLE = defineSearchAttributeKey('RecordingTitle', SearchAttributeType.TEXT);
export const OWNER_ID = defineSearchAttributeKey('OwnerId', SearchAttributeType.KEYWORD);
export const TRIGGERED_BY = defineSearchAttributeKey('TriggeredBy', SearchAttributeType.KEYWORD);
export const ROWS_TOTAL = defineSearchAttributeKey('RowsTotal', SearchAttributeType.INT);
export const ROWS_FAILED = defineSearchAttributeKey('RowsFailed', SearchAttributeType.INT);
export const DELETED = defineSearchAttributeKey('Deleted', SearchAttributeType.BOOL);

/** Every custom attribute with its type, as `temporal operator search-attribute create` names them. */
export const RUN_SEARCH_ATTRIBUTES = [
  RUN_STATUS,
  RECORDING_ID,
  RECORDING_TITLE,
  OWNER_ID,
  TRIGGERED_BY,
  ROWS_TOTAL,
  ROWS_FAILED,
  DELETED,
].map((key) => ({ name: key.name, type: key.type }));

/** A run's status as users know it (seed 003): queued → running → passed | failed | cancelled. */
export type RunStatus = 'queued' | 'running' | 'passed' | 'failed' | 'cancelled';
