import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_SECRET_COLUMNS } from '../recording/secrets';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const AES_KEY_HINT = 'must be 32 bytes in base64 (make one with: openssl rand -base64 32)';
const isAesKey = (v: string) => /^[A-Za-z0-9+/]+=*$/.test(v.trim()) && Buffer.from(v.trim(), 'base64').length === 32;

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
  MAX_SESSION_RESTARTS: int(2, 0, 10),
  SESSION_HEARTBEAT_TIMEOUT_MS: int(15_000, 2_000, 300_000),
  SHUTDOWN_GRACE_MS: int(300_000, 0, 3_600_000),
  CHROMIUM_PATH: z.string().optional(),
  SCREENSHOT_DIR: z.string().default('artifacts/screenshots'),
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
  /** How often each worker upserts its runner_health row. */
  RUNNER_HEALTH_INTERVAL_MS: int(15_000, 1000, 600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.output<typeof envSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid environment configuration:\n${lines.join('\n')}`);
}
