/**
 * GET /api/v1/runs/:id/events: Server-Sent Events of a run's row and step changes, each with its id (its line
 * in the run's event file); `Last-Event-ID` (or `?lastEventId=`) resumes right after it. Comment lines keep the
 * connection alive; the stream ends with a `run` event once the job has closed.
 */
import type { FastifyInstance } from 'fastify';
import { principalOf, type ApiContext } from '../context';
import { ApiError } from '../errors';
import type { StreamEvent } from '../run-event-hub';

export function runEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { id: string }; Querystring: { lastEventId?: string } }>('/api/v1/runs/:id/events', async (request, reply) => {
    const raw = request.headers['last-event-id'] ?? request.query.lastEventId ?? '0';
    const after = Number(raw);
    if (typeof raw !== 'string' || !Number.isInteger(after) || after < 0) {
      throw new ApiError('VALIDATION_ERROR', 'Invalid Last-Event-ID', [
        { path: 'headers.last-event-id', message: 'an event id (integer ≥ 0)' },
      ]);
    }
    await ctx.runs.owned(principalOf(request), request.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': stream of run ' + request.params.id + '\n\n');
    let ended = false;
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), ctx.keepAliveMs);
    const finish = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      unsubscribe();
      res.end();
    };
    const send = (e: StreamEvent) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    const unsubscribe = ctx.hub.subscribe(request.params.id, after, send, () => setImmediate(finish));
    request.raw.on('close', finish);
  });
}
