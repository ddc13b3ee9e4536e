import { z } from 'zod';
import { InputError } from '../recording/input-error';

/** Where and how a job reports itself (src/workflows/job-notifications.ts). */
export const notifySchema = z
  .object({
    /** Receives a signed POST; an https URL outside tests. Its path may hold a token: it is never logged. */
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    /** `slack`: a body Slack's incoming webhooks accept (`text`), still signed. */
    format: z.enum(['json', 'slack']).default('json'),
    /** `ended` always makes sense; `started` and `rowFailed` on request. */
    events: z
      .array(z.enum(['started', 'ended', 'rowFailed']))
      .min(1)
      .default(['ended']),
    /**
     * Which of the worker's NOTIFY_WEBHOOK_SECRETS signs the body (the secret itself never travels with the
     * job). Unset: NOTIFY_WEBHOOK_SECRET.
     */
    secretName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .optional(),
  })
  .strict();
export type NotifyTarget = z.output<typeof notifySchema>;

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
    /** Step budget when neither the step nor the recording sets one (the last fallback before 5000 ms). */
    stepTimeoutMs: z.number().int().min(1).max(30_000).optional(),
    timingMode: z.enum(['realistic', 'fast', 'instant']).default('realistic'),
    speedMultiplier: z.number().positive().max(100).default(1),
    screenshots: z.enum(['off', 'on-failure', 'every-step']).default('on-failure'),
    /** A Playwright trace per row attempt (src/artifacts): kept always, only when the row failed, or never. */
    trace: z.enum(['off', 'on', 'retain-on-failure']).default('retain-on-failure'),
    /** A WebM video of the row's main page per attempt (CDP screencast encoded by ffmpeg). */
    video: z.enum(['off', 'on', 'retain-on-failure']).default('off'),
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
    /**
     * 1 (most urgent) to 5: Temporal's task-queue priority on the job, its rows and every activity, so a free
     * session slot goes to the most urgent waiting row. Needs matching.useNewMatcher on the server.
     */
    priority: z.number().int().min(1).max(5).default(3),
    /**
     * Session slots are shared between fairness keys (owners, teams) in proportion to their weight, not first
     * come first served. Default: the job's origin.ownerId. Needs matching.enableFairness on the server.
     */
    fairnessKey: z.string().min(1).max(64).optional(),
    fairnessWeight: z.number().positive().max(1000).optional(),
    /** A webhook when the job ends (and, if asked, starts or a row fails). Default: NOTIFY_WEBHOOK_URL. */
    notify: notifySchema.optional(),
  })
  .strict();

export type JobConfig = z.output<typeof jobConfigSchema>;
export type JobConfigInput = z.input<typeof jobConfigSchema>;

export function parseJobConfig(input: unknown): JobConfig {
  const result = jobConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `config${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
  throw new InputError('Invalid job config', issues);
}
