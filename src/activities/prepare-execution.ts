import { parseJobConfig } from '../config/job-config';
import { parseCsv } from '../recording/csv';
import { InputError } from '../recording/input-error';
import { parseRecording } from '../recording/parse-recording';
import { missingColumns } from '../recording/templating';
import type { ExecutionInput, PreparedJob } from '../workflows/types';

export interface PrepareLimits {
  /** Columns matching this are masked wherever row values are mirrored. */
  isSecretColumn?: (column: string) => boolean;
  mirror?: boolean;
  maxRowsPerJob: number;
  /** Worker-level defaults a job config may override. */
  maxSessionRestarts: number;
  sessionHeartbeatTimeoutMs: number;
}

/**
 * Validates everything a job needs before any browser starts: recording, CSV, config, and that every
 * `{{column}}` the recording uses has a value. Shared by the client (fail fast, exit 2) and prepareJob.
 */
export function prepareExecution(input: ExecutionInput, limits: PrepareLimits): PreparedJob {
  if (!input || typeof input.jobId !== 'string' || !/^[A-Za-z0-9._:-]{1,200}$/.test(input.jobId)) {
    throw new InputError('Invalid jobId: use 1-200 letters, digits, ".", "_", ":" or "-"');
  }
  const config = parseJobConfig({
    maxSessionRestarts: limits.maxSessionRestarts,
    sessionHeartbeatTimeoutMs: limits.sessionHeartbeatTimeoutMs,
    ...(input.config ?? {}),
  });
  const flow = parseRecording(input.recording);
  const { headers, rows } =
    input.csv === undefined ? { headers: [] as string[], rows: [{}] } : parseCsv(input.csv, { maxRows: limits.maxRowsPerJob });
  const missing = missingColumns(flow, headers, config.defaults);
  if (missing.length > 0) {
    throw new InputError(
      `The recording uses ${missing.length} placeholder(s) with no CSV column or default: ${missing.join(', ')}`,
      missing.map((name) => `{{${name}}}: no CSV column "${name}" and no default (CSV columns: ${headers.join(', ') || 'none'})`),
    );
  }
  return {
    flow,
    rows,
    config,
    mirror: limits.mirror ?? false,
    secretColumns: limits.isSecretColumn ? headers.filter(limits.isSecretColumn) : [],
  };
}
