/** A finished row's screenshot, trace or video: GET /api/v1/runs/:id/rows/:row/artifacts/:kind[?attempt=N]. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { principalOf, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { ARTIFACT_FILES, ARTIFACT_KINDS, rowArtifacts, servable, type ArtifactKind } from '../run-artifacts';
import { rowResults } from '../run-rows';

export function runArtifactRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { id: string; row: string; kind: string }; Querystring: { attempt?: string } }>(
    '/api/v1/runs/:id/rows/:row/artifacts/:kind',
    async (request, reply) => {
      const { id, kind } = request.params;
      const row = Number(request.params.row);
      const attempt = request.query.attempt === undefined ? undefined : Number(request.query.attempt);
      const problems = [
        ...(!Number.isInteger(row) || row < 1 ? [{ path: 'params.row', message: 'a row number from 1' }] : []),
        ...(!ARTIFACT_KINDS.includes(kind as ArtifactKind) ? [{ path: 'params.kind', message: `one of ${ARTIFACT_KINDS.join(', ')}` }] : []),
        ...(attempt !== undefined && (!Number.isInteger(attempt) || attempt < 0) ? [{ path: 'query.attempt', message: 'an attempt number from 0' }] : []),
      ];
      if (problems.length) throw new ApiError('VALIDATION_ERROR', 'Invalid artifact request', problems);
      const run = await ctx.runs.owned(principalOf(request), id);
      const { summary } = await ctx.runs.detail(run);
      const result = (await rowResults(ctx.env.RESULTS_DIR, id, summary?.results)).find((r) => r.row === row);
      const candidates = result ? rowArtifacts(id, result).filter((a) => a.kind === kind && (attempt === undefined || a.attempt === attempt)) : [];
      // Without an attempt: the last one that kept this kind of file.
      const file = candidates[candidates.length - 1];
      const size =
        file && servable(file.location, [ctx.env.SCREENSHOT_DIR, ctx.env.ARTIFACT_DIR])
          ? await stat(file.location).then((s) => (s.isFile() ? s.size : undefined), () => undefined)
          : undefined;
      if (!file || size === undefined) {
        const where = file ? ' on this server (its worker does not share SCREENSHOT_DIR/ARTIFACT_DIR with the API)' : '';
        throw new ApiError('RUN_NOT_FOUND', `Run ${id} has no ${kind} for row ${row}${attempt === undefined ? '' : ` attempt ${attempt}`}${where}`);
      }
      const { contentType, extension } = ARTIFACT_FILES[file.kind];
      const name = `${id}-row-${row}${file.attempt === undefined ? '' : `-attempt-${file.attempt}`}-${kind}.${extension}`;
      return reply
        .type(contentType)
        .header('content-length', size)
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(createReadStream(file.location));
    },
  );
}
