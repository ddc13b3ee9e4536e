/** A run's rows and one row's actions (per-step results). */
import type { FastifyInstance } from 'fastify';
import { principalOf, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { rowResults, rowViews } from '../run-rows';

export function runRowRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const summaryRows = async (request: { params: { id: string } } & Parameters<typeof principalOf>[0]) => {
    const run = await ctx.runs.owned(principalOf(request), request.params.id);
    const detail = await ctx.runs.detail(run);
    return detail.summary?.results ?? [];
  };

  app.get<{ Params: { id: string } }>('/api/v1/runs/:id/rows', async (request) => ({
    success: true,
    data: await rowViews(ctx.env.RESULTS_DIR, request.params.id, await summaryRows(request)),
  }));

  app.get<{ Params: { id: string; row: string } }>('/api/v1/runs/:id/rows/:row/actions', async (request) => {
    const row = Number(request.params.row);
    if (!Number.isInteger(row) || row < 1) {
      throw new ApiError('VALIDATION_ERROR', 'Invalid row', [{ path: 'params.row', message: 'a row number from 1' }]);
    }
    const results = await rowResults(ctx.env.RESULTS_DIR, request.params.id, await summaryRows(request));
    const result = results.find((r) => r.row === row);
    if (!result) throw new ApiError('RUN_NOT_FOUND', `Run ${request.params.id} has no finished row ${row}`);
    return {
      success: true,
      data: result.steps.map(({ screenshot, ...s }) => ({ ...s, screenshot: screenshot !== undefined })),
    };
  });
}
