/**
 * /api/v1/schedules: jobs on a clock (Temporal Schedules, src/client/schedules.ts), owner-scoped like runs: a
 * schedule belongs to the owner that created it (kept in its memo) and another owner's answers 404. Each
 * scheduled run is a normal run of that owner, found under /api/v1/runs (TriggeredBy schedule).
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod/v4';
import { JobSchedules, OVERLAP_POLICIES, type OverlapName, type ScheduleSummaryView } from '../../client/schedules';
import { InputError } from '../../recording/input-error';
import { principalOf, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { jobConfigOf } from '../run-service';
import { parseRequest, runOptionsSchema } from '../schemas';

export const createScheduleSchema = z
  .object({
    scheduleId: z.string().min(1).max(100),
    recording: z.union([z.record(z.string(), z.unknown()), z.string()]).describe('Chrome DevTools Recorder JSON'),
    csv: z.string().optional(),
    options: runOptionsSchema.optional(),
    cron: z.array(z.string()).max(10).optional().describe('cron expressions, e.g. "0 3 * * *"'),
    every: z.array(z.string()).max(10).optional().describe('intervals, e.g. "1h"'),
    timezone: z.string().optional().describe('IANA time zone of the cron expressions'),
    overlap: z.enum(Object.keys(OVERLAP_POLICIES) as [OverlapName, ...OverlapName[]]).optional(),
    paused: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'CreateSchedule' });

const notFound = (id: string) => new ApiError('RUN_NOT_FOUND', `Schedule ${id} not found`);


const asValidation = (err: unknown): never => {
  if (err instanceof InputError) {
    throw new ApiError('VALIDATION_ERROR', err.message.split('\n')[0], err.issues.map((message) => ({ path: 'body', message })));
  }
  throw err;
};

export function scheduleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const schedules = new JobSchedules(ctx.client, ctx.env);
  const owned = async (request: Parameters<typeof principalOf>[0], id: string): Promise<ScheduleSummaryView> => {
    const view = await schedules.describe(id).catch((err) => {
      if (err instanceof ScheduleNotFoundError || err instanceof InputError) throw notFound(id);
      throw err;
    });
    if (view.ownerId !== principalOf(request).ownerId) throw notFound(id);
    return view;
  };

  app.post('/api/v1/schedules', async (request, reply) => {
    const body = parseRequest(createScheduleSchema, request.body, 'body');
    const { ownerId } = principalOf(request);
    await schedules
      .create({ ...body, config: jobConfigOf(body.options), ownerId })
      .catch((err) => {
        if (err instanceof ScheduleAlreadyRunning) {
          throw new ApiError('INVALID_RUN_STATUS', `Schedule ${body.scheduleId} already exists`);
        }
        return asValidation(err);
      });
    return reply.code(201).send({ success: true, data: await schedules.describe(body.scheduleId) });
  });

  app.get('/api/v1/schedules', async (request) => {
    const { ownerId } = principalOf(request);
    return { success: true, data: (await schedules.list()).filter((s) => s.ownerId === ownerId) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/schedules/:id', async (request) => ({
    success: true,
    data: await owned(request, request.params.id),
  }));

  for (const action of ['pause', 'unpause', 'trigger'] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/schedules/:id/${action}`, async (request, reply) => {
      await owned(request, request.params.id);
      await schedules[action](request.params.id);
      return reply.code(202).send({ success: true, data: await schedules.describe(request.params.id) });
    });
  }

  app.delete<{ Params: { id: string } }>('/api/v1/schedules/:id', async (request, reply) => {
    await owned(request, request.params.id);
    await schedules.delete(request.params.id);
    return reply.code(204).send();
  });
}
