/** GET /api/v1/openapi.json: every route and shape, generated from the zod schemas that validate requests. */
import { ARTIFACT_FILES, ARTIFACT_KINDS } from './run-artifacts';
import { createScheduleSchema } from './routes/schedules';
import { z } from 'zod/v4';
import { createRunSchema, errorSchema, listQuerySchema, retryBodySchema, runOptionsSchema, runSchema } from './schemas';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: `error (${s})`, content: content(ref('Error')) }]));
const ok = (description: string, schema: unknown) => ({
  description,
  content: content({ type: 'object', properties: { success: { type: 'boolean' }, data: schema } }),
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export function openApiDocument() {
  const listParams = Object.entries((json(listQuerySchema) as { properties: Record<string, unknown> }).properties).map(
    ([name, schema]) => ({
      name,
      in: 'query',
      schema,
    }),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Recorder Runner Runs API', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token (CI) or Supabase user JWT' } },
      schemas: {
        CreateRun: json(createRunSchema),
        RunOptions: json(runOptionsSchema),
        RetryRun: json(retryBodySchema),
        Run: json(runSchema),
        Error: json(errorSchema),
        CreateSchedule: json(createScheduleSchema),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/health': {
        get: {
          security: [],
          responses: { '200': { description: 'the API answers and reaches Temporal' }, '503': { description: 'Temporal unreachable' } },
        },
      },
      '/api/v1/runs': {
        post: {
          summary: 'Start a run',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 200 } }],
          requestBody: { required: true, content: content(ref('CreateRun')) },
          responses: {
            '201': ok('started', ref('Run')),
            '200': ok('the run this Idempotency-Key already started', ref('Run')),
            ...errors(400, 401, 404, 429, 503),
          },
        },
        get: {
          summary: 'List runs (owner-scoped)',
          parameters: listParams,
          responses: { '200': ok('a page of runs', { type: 'array', items: ref('Run') }), ...errors(400, 401, 503) },
        },
      },
      '/api/v1/runs/{id}': {
        get: { summary: 'A run', parameters: [idParam], responses: { '200': ok('the run', ref('Run')), ...errors(401, 404, 503) } },
        delete: {
          summary: 'Soft delete',
          parameters: [idParam],
          responses: { '204': { description: 'deleted' }, ...errors(401, 404, 503) },
        },
      },
      '/api/v1/runs/{id}/cancel': {
        post: { parameters: [idParam], responses: { '202': ok('cancel requested', ref('Run')), ...errors(401, 404, 409, 503) } },
      },
      '/api/v1/runs/{id}/retry': {
        post: {
          parameters: [idParam],
          requestBody: { content: content(ref('RetryRun')) },
          responses: { '201': ok('the new run', ref('Run')), ...errors(400, 401, 404, 409, 429, 503) },
        },
      },
      '/api/v1/runs/{id}/rows': {
        get: { parameters: [idParam], responses: { '200': ok('rows', { type: 'array' }), ...errors(401, 404) } },
      },
      '/api/v1/runs/{id}/rows/{row}/actions': {
        get: {
          parameters: [idParam, { name: 'row', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
          responses: { '200': ok('per-step results', { type: 'array' }), ...errors(400, 401, 404) },
        },
      },
      '/api/v1/runs/{id}/rows/{row}/artifacts/{kind}': {
        get: {
          summary: "A finished row's failure screenshot, trace (zip, for `npx playwright show-trace`) or video (WebM)",
          parameters: [
            idParam,
            { name: 'row', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
            { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: [...ARTIFACT_KINDS] } },
            { name: 'attempt', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'session attempt; default the last' },
          ],
          responses: {
            '200': { description: 'the file', content: Object.fromEntries(Object.values(ARTIFACT_FILES).map((f) => [f.contentType, {}])) },
            ...errors(400, 401, 404),
          },
        },
      },
      ...Object.fromEntries(
        (['report.html', 'junit.xml', 'results.json'] as const).map((file) => [
          `/api/v1/runs/{id}/${file}`,
          {
            get: {
              summary: `The finished run's ${file} report`,
              parameters: [idParam],
              responses: { '200': { description: file }, ...errors(401, 404, 409) },
            },
          },
        ]),
      ),
      '/api/v1/schedules': {
        post: {
          summary: 'Create a schedule (its recording and CSV validated now, not at run time)',
          requestBody: { required: true, content: content(ref('CreateSchedule')) },
          responses: { '201': ok('the schedule', { type: 'object' }), ...errors(400, 401, 409, 503) },
        },
        get: { summary: "The owner's schedules", responses: { '200': ok('schedules', { type: 'array' }), ...errors(401, 503) } },
      },
      '/api/v1/schedules/{id}': {
        get: { parameters: [idParam], responses: { '200': ok('the schedule', { type: 'object' }), ...errors(401, 404) } },
        delete: { parameters: [idParam], responses: { '204': { description: 'deleted' }, ...errors(401, 404) } },
      },
      ...Object.fromEntries(
        (['pause', 'unpause', 'trigger'] as const).map((action) => [
          `/api/v1/schedules/{id}/${action}`,
          { post: { parameters: [idParam], responses: { '202': ok(action, { type: 'object' }), ...errors(401, 404) } } },
        ]),
      ),
      '/api/v1/runs/{id}/events': {
        get: {
          summary: 'Server-Sent Events: row, step, then a final run event',
          parameters: [idParam, { name: 'Last-Event-ID', in: 'header', schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } }, ...errors(400, 401, 404) },
        },
      },
    },
  };
}
