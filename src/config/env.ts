import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_BLOCKED_HOSTS, HostListError, parseHostList, parseHostPolicy, type HostPolicy } from '../browser/url-policy';
import { DEFAULT_SECRET_COLUMNS } from '../recording/secrets';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const AES_KEY_HINT = 'must be 32 bytes in base64 (make one with: openssl rand -base64 32)';
const isAesKey = (v: string) => /^[A-Za-z0-9+/]+=*$/.test(v.trim()) && Buffer.from(v.trim(), 'base64').length === 32;
/** A comma-separated host list (url-policy.ts): each bad entry named. */
const hostList = (name: string) =>
  z.string().superRefine((v, ctx) => {
    try {
      parseHostList(v, name);
    } catch (err) {
      for (const problem of (err as HostListError).problems)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem.replace(`${name}: `, '') });
    }
  });

/** Every environment variable the worker and client read. README's configuration table mirrors this. */
export const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool(false),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('recorder-runner'),
  /** Encrypts every payload Temporal stores (CSV values included); the same key on every client and worker. */
  TEMPORAL_PAYLOAD_KEY: z.string().refine(isAesKey, AES_KEY_HINT).optional(),
  /** Earlier keys, comma-separated: decrypt only, for histories written before a rotation. */
  /** on (default): every payload encrypted, with TEMPORAL_PAYLOAD_KEY or the embedded dev server's key; off: plaintext. */
  TEMPORAL_PAYLOAD_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  TEMPORAL_PAYLOAD_PREVIOUS_KEYS: z
    .string()
    .refine((v) => v.split(',').every((k) => k.trim() === '' || isAesKey(k)), `each key ${AES_KEY_HINT}`)
    .optional(),
  /**
   * With TEMPORAL_PAYLOAD_KEY: serve a remote codec endpoint here so the Web UI and the CLI can show decrypted
   * payloads (src/temporal/codec-server.ts). 0: off.
   */
  CODEC_SERVER_PORT: int(0, 0, 65535),
  CODEC_SERVER_HOST: z.string().default('127.0.0.1'),
  /** Browser origins that may call the codec endpoint, comma-separated. Unset: the embedded Web UI's (TEMPORAL_UI_PORT). */
  CODEC_SERVER_ORIGINS: z.string().optional(),
  TEMPORAL_DEV_DB: z.string().default('.temporal/dev.db'),
  TEMPORAL_DEV_PORT: int(7233, 1, 65535),
  TEMPORAL_UI_PORT: int(8233, 1, 65535),
  WORKER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** A workflow bundle built ahead of time (bundleWorkflowCode); unset: bundle from source at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  MAX_CONCURRENT_SESSIONS: int(2, 1, 64),
  MAX_ROWS_PER_JOB: int(10_000, 1, 1_000_000),
  /** Input limits, checked before anything starts (recording as JSON text, CSV as UTF-8). */
  MAX_RECORDING_BYTES: int(524_288, 1_024, 1_572_864),
  MAX_RECORDING_STEPS: int(1_000, 1, 100_000),
  MAX_CSV_BYTES: int(1_048_576, 1, 1_572_864),
  MAX_CSV_COLUMNS: int(200, 1, 10_000),
  MAX_CSV_CELL_LENGTH: int(10_000, 1, 1_048_576),
  /** Hosts the browser may never reach (url-policy.ts); `none` blocks none. */
  BLOCKED_HOSTS: hostList('BLOCKED_HOSTS').default(DEFAULT_BLOCKED_HOSTS),
  /** When set, the only hosts the browser may reach. */
  ALLOWED_HOSTS: hostList('ALLOWED_HOSTS').optional(),
  MAX_SESSION_RESTARTS: int(2, 0, 10),
  SESSION_HEARTBEAT_TIMEOUT_MS: int(15_000, 2_000, 300_000),
  SHUTDOWN_GRACE_MS: int(300_000, 0, 3_600_000),
  CHROMIUM_PATH: z.string().optional(),
  /** Chromium's headless shell, for headless sessions (found by scripts/setup.mjs; unset: the full Chromium). */
  CHROMIUM_HEADLESS_SHELL_PATH: z.string().optional(),
  SCREENSHOT_DIR: z.string().default('artifacts/screenshots'),
  /** Traces and videos, as <job>/row-<n>/attempt-<k>/<file> (src/artifacts/local-store.ts). */
  ARTIFACT_DIR: z.string().default('artifacts/files'),
  /** Retention: traces, videos and screenshots (local and Storage) older than this are deleted daily. */
  ARTIFACT_RETENTION_DAYS: int(30, 1, 3650),
  /** Retention of each job's results files (RESULTS_DIR). */
  RESULTS_RETENTION_DAYS: int(90, 1, 3650),
  /** `off`: the worker creates no daily cleanup Schedule (src/worker/cleanup-schedule.ts). */
  CLEANUP_SCHEDULE: z.enum(['on', 'off']).default('on'),
  /** ffmpeg used to encode videos (config video: on); found on PATH when unset (scripts/setup.mjs installs it). */
  FFMPEG_PATH: z.string().optional(),
  /** Per-row results as JSON Lines, one directory per job. Share it between replicas (a volume). */
  RESULTS_DIR: z.string().default('artifacts/results'),
  SECRET_COLUMNS: z
    .string()
    .default(DEFAULT_SECRET_COLUMNS)
    .refine((v) => {
      try {
        new RegExp(v, 'i');
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression'),
  /** /health, /ready, /metrics. 0 picks a free port. */
  HEALTH_PORT: int(8080, 0, 65535),
  HEALTH_HOST: z.string().default('0.0.0.0'),
  /** Where the Temporal SDK serves its own Prometheus metrics (127.0.0.1 only), merged into /metrics. 0: off. */
  TEMPORAL_SDK_METRICS_PORT: int(0, 0, 65535),
  /** Above this (worker + its browser processes, MB) the worker takes no new sessions until it drops. 0: off. */
  MEMORY_HIGH_WATERMARK_MB: int(0, 0, 1_000_000),
  MEMORY_SAMPLE_MS: int(2000, 100, 60_000),
  /** pss counts shared Chromium pages once; rss sums every process and overstates. */
  MEMORY_MEASURE: z.enum(['pss', 'rss']).default('pss'),
  /** Supabase mirror: both set = on; otherwise off (said once in the log). */
  SUPABASE_URL: z.string().url().optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
  SUPABASE_SCREENSHOT_BUCKET: z.string().default('execution-screenshots'),
  /** Traces and videos, when the mirror is on: one object per file, one execution_artifacts row each. */
  SUPABASE_ARTIFACT_BUCKET: z.string().default('execution-artifacts'),
  /** How often each worker upserts its runner_health row. */
  RUNNER_HEALTH_INTERVAL_MS: int(15_000, 1000, 600_000),
  /** How often each worker counts running jobs, overdue jobs and undrained mirror outboxes for /metrics. 0: off. */
  JOB_WATCH_INTERVAL_MS: int(30_000, 0, 3_600_000),
  /** OTLP/HTTP collector base URL (spans go to <url>/v1/traces); unset: tracing off (src/ops/tracing.ts). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('recorder-runner'),
  /** Runs API (src/api): `npm run api`, and `npm start` with the embedded dev server. 0: `npm start` serves no API. */
  API_PORT: int(3001, 0, 65535),
  API_HOST: z.string().default('127.0.0.1'),
  /** API tokens as `<ownerId>:<sha256 hex of the token>`, comma-separated; the tokens themselves are never configured. */
  API_TOKENS: z.string().optional(),
  /** Supabase user JWTs: the project's JWT secret (HS256) and/or its JWKS URL (RS256/ES256). */
  SUPABASE_JWT_SECRET: z.string().min(16).optional(),
  SUPABASE_JWKS_URL: z.string().url().optional(),
  /** Caps on active (queued or running) runs created through the API: the deployment's, and each owner's. */
  API_MAX_ACTIVE_RUNS: int(50, 1, 100_000),
  API_MAX_ACTIVE_RUNS_PER_OWNER: int(10, 1, 100_000),
  /** Retry-After (seconds) of a CAPACITY_EXCEEDED answer. */
  API_RETRY_AFTER_S: int(15, 1, 3600),
  /** Event streams send a comment line this often so idle connections stay open. */
  API_SSE_KEEPALIVE_MS: int(15_000, 100, 300_000),
  /** Every job without its own `notify` posts its end here (src/workflows/job-notifications.ts). */
  NOTIFY_WEBHOOK_URL: z.string().url().optional(),
  /** Signs webhook bodies (X-Signature-256) unless the job names one of NOTIFY_WEBHOOK_SECRETS. */
  NOTIFY_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Per-target signing secrets, `name=secret,name2=secret2`; a job picks one with notify.secretName. */
  NOTIFY_WEBHOOK_SECRETS: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined || v.split(',').every((p) => /^[A-Za-z0-9_.-]{1,64}=.{16,}$/.test(p.trim())),
      'must be name=secret pairs (secrets of 16+ characters), comma-separated',
    ),
  /** Base URL of the Temporal Web UI, for links in notifications (e.g. http://127.0.0.1:8233). */
  TEMPORAL_WEB_UI_URL: z.string().url().optional(),
  /** Base URL users reach the Runs API at (e.g. https://runner.example.com), for the run and report links in notifications. */
  PUBLIC_API_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.output<typeof envSchema>;

/** The navigation policy Env configures. */
export function hostPolicyFromEnv(env: Pick<Env, 'BLOCKED_HOSTS' | 'ALLOWED_HOSTS'>): HostPolicy {
  return parseHostPolicy({ blockedHosts: env.BLOCKED_HOSTS, allowedHosts: env.ALLOWED_HOSTS });
}

/** Problems no single variable shows: a combination that contradicts itself. */
function crossCheck(env: Env): string[] {
  const problems: string[] = [];
  try {
    hostPolicyFromEnv(env);
  } catch (err) {
    if (!(err instanceof HostListError)) throw err;
    problems.push(...err.problems);
  }
  if (env.TEMPORAL_PAYLOAD_ENCRYPTION === 'off' && env.TEMPORAL_PAYLOAD_KEY) {
    problems.push('TEMPORAL_PAYLOAD_ENCRYPTION: off, but TEMPORAL_PAYLOAD_KEY is set; unset one of them');
  }
  return problems;
}

/** A variable, or a combination of them, that cannot work: nothing starts. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  const problems = result.success ? crossCheck(result.data) : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (result.success && problems.length === 0) return result.data;
  throw new EnvError(problems);
}
