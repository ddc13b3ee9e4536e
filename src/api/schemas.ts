/**
 * Request and response shapes of the Runs API, written once in zod: they validate requests and
 * generate /api/v1/openapi.json (src/api/openapi.ts).
 */
import { z } from 'zod/v4';
import { ARTIFACT_KINDS } from './run-artifacts';
import { ApiError, type Problem } from './errors';

export const RUN_STATUSES = ['queued', 'running', 'passed', 'failed', 'cancelled'] as const;

export const runOptionsSchema = z
  .object({
    browser: z.enum(['chromium', 'firefox', 'webkit']).optional(),
    headless: z.boolean().optional(),
    /** Step timeout (ms) when neither the step nor the recording sets one. */
    timeout: z.number().int().min(1).max(30_000).optional(),
    screenshots: z.enum(['off', 'on-failure', 'every-step']).optional(),
    /** Playwright trace per row (default retain-on-failure) and video per row (default off). */
    trace: z.enum(['off', 'on', 'retain-on-failure']).optional(),
    video: z.enum(['off', 'on', 'retain-on-failure']).optional(),
    timingMode: z.enum(['realistic', 'fast', 'instant']).optional(),
    speedMultiplier: z.number().positive().max(100).optional(),
    rowConcurrency: z.number().int().min(1).max(500).optional(),
    /** 1 (most urgent) … 5; default 3. */
    priority: z.number().int().min(1).max(5).optional(),
    /** Values for `{{column}}` placeholders no CSV column provides (e.g. baseUrl). */
    defaults: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .meta({ id: 'RunOptions' });
export type RunOptions = z.infer<typeof runOptionsSchema>;

export const createRunSchema = z
  .object({
    recording: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .describe('Chrome DevTools Recorder JSON'),
    recordingId: z.string().min(1).max(200).optional().describe('A recording stored in Supabase (recordings table)'),
    csv: z.string().optional().describe('CSV text, header first: one run of the recording per row'),
    options: runOptionsSchema.optional(),
  })
  .strict()
  .refine((b) => (b.recording === undefined) !== (b.recordingId === undefined), {
    message: 'give exactly one of recording or recordingId',
    path: ['recording'],
    // Reported with the other problems, not only once the rest is valid.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
  .meta({ id: 'CreateRun' });
export type CreateRunBody = z.infer<typeof createRunSchema>;

export const listQuerySchema = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    status: z.enum(RUN_STATUSES).optional(),
    recordingId: z.string().min(1).max(200).optional(),
    sortBy: z.enum(['createdAt', 'startedAt', 'completedAt', 'status']).default('createdAt'),
    sortOrder: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuerySchema>;

export const retryBodySchema = z
  .object({ rows: z.enum(['all', 'failed']).default('all').describe('failed: rerun only the rows that failed') })
  .strict()
  .meta({ id: 'RetryRun' });

/** One kept artifact of a run: where to download it (`url`), and its Supabase Storage path when the worker uploaded it. */
export const runArtifactSchema = z.object({
  kind: z.enum(ARTIFACT_KINDS),
  row: z.number(),
  attempt: z.number().optional(),
  url: z.string(),
  storagePath: z.string().optional(),
  bytes: z.number().optional(),
});

export const runSchema = z
  .object({
    id: z.string(),
    status: z.enum(RUN_STATUSES),
    recordingId: z.string().optional(),
    recordingName: z.string().optional(),
    triggeredBy: z.string().optional(),
    options: runOptionsSchema.optional(),
    rows: z.object({ total: z.number(), passed: z.number(), failed: z.number(), cancelled: z.number(), running: z.number() }),
    actions: z.object({ total: z.number(), passed: z.number(), failed: z.number(), skipped: z.number() }),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
    durationMs: z.number().optional(),
    error: z
      .object({ message: z.string(), row: z.number().optional(), stepIndex: z.number().optional(), type: z.string().optional() })
      .optional(),
    retryOf: z.string().optional(),
    artifacts: z.array(runArtifactSchema).optional(),
    links: z.record(z.string(), z.string()),
  })
  .meta({ id: 'Run' });

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

/** Parses one part of a request; every problem becomes a VALIDATION_ERROR detail with its path. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const details: Problem[] = result.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw new ApiError('VALIDATION_ERROR', `Invalid request ${where}`, details);
}
