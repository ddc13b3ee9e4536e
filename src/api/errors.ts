/**
 * The Runs API's one error shape, `{ error: { code, message, details? } }`, with the codes seed 003 names.
 * Routes throw ApiError; the handler below turns it (and fastify's own errors) into that shape.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger';

export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  RECORDING_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  INVALID_RUN_STATUS: 409,
  CAPACITY_EXCEEDED: 429,
  QUEUE_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem of a request, where it is (`body.options.priority`, `query.limit`). */
export interface Problem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds, for CAPACITY_EXCEEDED. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const runNotFound = (id: string): ApiError => new ApiError('RUN_NOT_FOUND', `Run ${id} not found`);

export const errorBody = (code: ErrorCode, message: string, details?: unknown) => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
});

/** Temporal unreachable (gRPC UNAVAILABLE / deadline / connection refused) rather than a bug of ours. */
export function isTemporalUnavailable(err: unknown): boolean {
  const e = err as { code?: number; name?: string; message?: string; cause?: unknown };
  if (e?.code === 14 || e?.code === 4) return true;
  if (/UNAVAILABLE|ECONNREFUSED|DEADLINE_EXCEEDED|Failed to connect|transport/i.test(String(e?.message ?? ''))) return true;
  return e?.cause !== undefined && e.cause !== err && isTemporalUnavailable(e.cause);
}

export function installErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError | ApiError | Error, request, reply) => {
    if (err instanceof ApiError) {
      if (err.retryAfterS !== undefined) void reply.header('Retry-After', String(err.retryAfterS));
      return reply.status(err.status).send(errorBody(err.code, err.message, err.details));
    }
    const fastifyError = err as FastifyError;
    if (fastifyError.validation || fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fastifyError.statusCode === 400) {
      return reply.status(400).send(errorBody('VALIDATION_ERROR', err.message, [{ path: 'body', message: err.message }]));
    }
    if (fastifyError.statusCode === 413) return reply.status(400).send(errorBody('VALIDATION_ERROR', 'Request body too large'));
    if (isTemporalUnavailable(err)) {
      logger.warn({ err: err.message, route: request.routeOptions.url }, 'Temporal unavailable');
      return reply.status(503).send(errorBody('QUEUE_UNAVAILABLE', 'The run queue (Temporal) cannot be reached; try again shortly'));
    }
    logger.error({ err: err.message, stack: err.stack, route: request.routeOptions.url }, 'API request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL_ERROR', message: 'Internal error' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}` } }),
  );
}
