import type { HostPolicy } from '../browser/url-policy';
import type { Env } from '../config/env';
import { hostPolicyFromEnv } from '../config/env';
import { parseJobConfig } from '../config/job-config';
import type { ExecutionInput, PreparedJob } from '../workflows/types';
import { parseCsv } from './csv';
import { InputError } from './input-error';
import { literalUrlProblems } from './literal-urls';
import { parseRecording } from './parse-recording';
import { malformedPlaceholders, missingColumns } from './templating';

const JOB_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** A jobId becomes part of workflow ids, file paths and Supabase keys: a small, safe alphabet. */
export function assertJobId(jobId: unknown): asserts jobId is string {
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    throw new InputError('Invalid jobId: use 1-200 letters, digits, ".", "_", ":" or "-"');
  }
}

export interface PrepareLimits {
  /** Columns matching this are masked wherever row values are mirrored. */
  isSecretColumn?: (column: string) => boolean;
  mirror?: boolean;
  maxRowsPerJob: number;
  maxRecordingBytes?: number;
  maxRecordingSteps?: number;
  maxCsvBytes?: number;
  maxCsvColumns?: number;
  maxCsvCellLength?: number;
  /** Literal navigate URLs are checked against it (BLOCKED_HOSTS, ALLOWED_HOSTS); schemes always. */
  hostPolicy?: HostPolicy;
  /** Worker-level defaults a job config may override. */
  maxSessionRestarts: number;
  sessionHeartbeatTimeoutMs: number;
}

/** The limits of Env, as the client and the worker both apply them. */
export function prepareLimitsFromEnv(env: Env): PrepareLimits {
  return {
    maxRowsPerJob: env.MAX_ROWS_PER_JOB,
    maxRecordingBytes: env.MAX_RECORDING_BYTES,
    maxRecordingSteps: env.MAX_RECORDING_STEPS,
    maxCsvBytes: env.MAX_CSV_BYTES,
    maxCsvColumns: env.MAX_CSV_COLUMNS,
    maxCsvCellLength: env.MAX_CSV_CELL_LENGTH,
    hostPolicy: hostPolicyFromEnv(env),
    maxSessionRestarts: env.MAX_SESSION_RESTARTS,
    sessionHeartbeatTimeoutMs: env.SESSION_HEARTBEAT_TIMEOUT_MS,
  };
}

/**
 * The prepared job (recording and every row) travels in workflow history: as prepareJob's result and in each
 * continue-as-new. Temporal refuses a payload over 2 MiB; this leaves room for the job's running state.
 */
export const MAX_PREPARED_JOB_BYTES = 1_572_864;

/**
 * Validates everything a job needs before any browser starts: recording, CSV, config, and that every
 * `{{column}}` the recording uses has a value. Shared by the client (fail fast, exit 2) and the prepareJob activity.
 */
export function validateJob(input: ExecutionInput, limits: PrepareLimits): PreparedJob {
  if (!input || typeof input !== 'object') throw new InputError('Invalid job: expected an object with a jobId');
  assertJobId(input.jobId);
  if (input.config !== undefined && (input.config === null || typeof input.config !== 'object' || Array.isArray(input.config))) {
    throw new InputError('Invalid job config: config must be an object');
  }
  const config = parseJobConfig({
    maxSessionRestarts: limits.maxSessionRestarts,
    sessionHeartbeatTimeoutMs: limits.sessionHeartbeatTimeoutMs,
    ...(input.config ?? {}),
  });
  const flow = parseRecording(input.recording, { maxBytes: limits.maxRecordingBytes, maxSteps: limits.maxRecordingSteps });
  const recordingProblems = [...malformedPlaceholders(flow), ...(limits.hostPolicy ? literalUrlProblems(flow, limits.hostPolicy) : [])];
  if (recordingProblems.length > 0) throw new InputError('Invalid recording', recordingProblems);
  const { headers, rows } =
    input.csv === undefined
      ? { headers: [] as string[], rows: [{}] }
      : parseCsv(input.csv, {
          maxRows: limits.maxRowsPerJob,
          maxBytes: limits.maxCsvBytes,
          maxColumns: limits.maxCsvColumns,
          maxCellLength: limits.maxCsvCellLength,
        });
  const missing = missingColumns(flow, headers, config.defaults);
  if (missing.length > 0) {
    throw new InputError(
      `The recording uses ${missing.length} placeholder(s) with no CSV column or default: ${missing.join(', ')}`,
      missing.map((name) => `{{${name}}}: no CSV column "${name}" and no default (CSV columns: ${headers.join(', ') || 'none'})`),
    );
  }
  const prepared: PreparedJob = {
    flow,
    rows,
    config,
    mirror: limits.mirror ?? false,
    secretColumns: limits.isSecretColumn ? headers.filter(limits.isSecretColumn) : [],
  };
  const bytes = Buffer.byteLength(JSON.stringify(prepared), 'utf8');
  if (bytes > MAX_PREPARED_JOB_BYTES) {
    throw new InputError(
      `The job is ${bytes} bytes once parsed (recording, ${rows.length} rows, config), more than the ${MAX_PREPARED_JOB_BYTES} ` +
        `that fit Temporal's 2 MiB payload limit with its running state; split the CSV into smaller jobs`,
    );
  }
  return prepared;
}
