/**
 * A finished run's reports, built on request from its summary and every row's result (the same builders as
 * `npm run client -- report`): /report.html, /junit.xml, /results.json. A run still going has no report yet
 * (409). Rows are named by number: the API keeps no CSV to take a key column from.
 */
import type { FastifyInstance } from 'fastify';
import { buildReport, REPORT_CONTENT_TYPES, REPORT_FILE_NAMES, REPORT_FORMATS } from '../../results/reports';
import { principalOf, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { rowResults } from '../run-rows';

export function runReportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  for (const format of REPORT_FORMATS) {
    app.get<{ Params: { id: string } }>(`/api/v1/runs/:id/${REPORT_FILE_NAMES[format]}`, async (request, reply) => {
      const run = await ctx.runs.owned(principalOf(request), request.params.id);
      const { summary } = await ctx.runs.detail(run);
      if (!summary) throw new ApiError('INVALID_RUN_STATUS', `Run ${request.params.id} has not finished: its report is built when it ends`);
      const rows = await rowResults(ctx.env.RESULTS_DIR, request.params.id, summary.results);
      return reply.type(REPORT_CONTENT_TYPES[format]).send(buildReport(format, { summary, rows }));
    });
  }
}
