import { z } from 'zod';
import { InputError } from '../recording/input-error';

/**
 * Per-job options the portal or CLI may set. Strict: an unknown or misspelled key is an input error,
 * not silently ignored.
 */
export const jobConfigSchema = z
  .object({
    browser: z.enum(['chromium', 'firefox', 'webkit']).default('chromium'),
    headless: z.boolean().default(true),
    viewport: z
      .object({ width: z.number().int().min(100).max(7680), height: z.number().int().min(100).max(4320) })
      .strict()
      .default({ width: 1280, height: 720 }),
    /** Overrides every step's timeout; else the step's, else the recording's, else 5000 ms. */
    stepTimeoutMs: z.number().int().min(1).max(30_000).optional(),
    timingMode: z.enum(['realistic', 'fast', 'instant']).default('realistic'),
    speedMultiplier: z.number().positive().max(100).default(1),
    screenshots: z.enum(['off', 'on-failure', 'every-step']).default('on-failure'),
    maxConcurrentRows: z.number().int().min(1).max(500).default(2),
    maxSessionRestarts: z.number().int().min(0).max(10).default(2),
    /** How long a silent worker may hold a row's session before the row restarts elsewhere. */
    sessionHeartbeatTimeoutMs: z.number().int().min(2_000).max(300_000).default(15_000),
    /** The job continues as new after starting this many rows, keeping each run's history small. */
    rowsPerRun: z.number().int().min(10).max(1000).default(500),
    /** Ends the job as cancelled (reason recorded) when it runs longer than this. */
    jobTimeoutMs: z.number().int().positive().optional(),
    /** Values for `{{column}}` placeholders that no CSV column provides (e.g. baseUrl). */
    defaults: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type JobConfig = z.output<typeof jobConfigSchema>;
export type JobConfigInput = z.input<typeof jobConfigSchema>;

export const DEFAULT_STEP_TIMEOUT_MS = 5000;

export function parseJobConfig(input: unknown): JobConfig {
  const result = jobConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `config${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
  throw new InputError('Invalid job config', issues);
}
