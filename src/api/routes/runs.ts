/** /api/v1/runs: create, list, read, cancel, soft delete, retry. */
import type { FastifyInstance } from 'fastify';
import { principalOf, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { listRuns } from '../run-lists';
import { cancelRun, deleteRun, retryRun } from '../run-lifecycle';
import { createRunSchema, listQuerySchema, parseRequest, retryBodySchema } from '../schemas';

type IdParams = { Params: { id: string } };

export function runRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/api/v1/runs', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 200)) {
      throw new ApiError('VALIDATION_ERROR', 'Invalid Idempotency-Key', [
        { path: 'headers.idempotency-key', message: 'one value of 1 to 200 characters' },
      ]);
    }
    const body = parseRequest(createRunSchema, request.body, 'body');
    const { run, created } = await ctx.runs.create(principalOf(request), body, { idempotencyKey: key });
    return reply.status(created ? 201 : 200).send({ success: true, data: run });
  });

  app.get('/api/v1/runs', async (request) => {
    const query = parseRequest(listQuerySchema, request.query, 'query');
    const { data, pagination } = await listRuns(ctx.client, ctx.env.RESULTS_DIR, principalOf(request).ownerId, query);
    return { success: true, data, pagination };
  });

  app.get<IdParams>('/api/v1/runs/:id', async (request) => ({
    success: true,
    data: await ctx.runs.get(principalOf(request), request.params.id),
  }));

  app.post<IdParams>('/api/v1/runs/:id/cancel', async (request, reply) => {
    const principal = principalOf(request);
    await cancelRun(await ctx.runs.owned(principal, request.params.id));
    return reply.status(202).send({ success: true, data: await ctx.runs.get(principal, request.params.id) });
  });

  app.delete<IdParams>('/api/v1/runs/:id', async (request, reply) => {
    await deleteRun(ctx.client, ctx.env, await ctx.runs.owned(principalOf(request), request.params.id));
    return reply.status(204).send();
  });

  app.post<IdParams>('/api/v1/runs/:id/retry', async (request, reply) => {
    const principal = principalOf(request);
    const { rows } = parseRequest(retryBodySchema, request.body, 'body');
    const run = await ctx.runs.owned(principal, request.params.id);
    return reply.status(201).send({ success: true, data: await retryRun(ctx.runs, ctx.client, ctx.env, principal, run, rows) });
  });
}
