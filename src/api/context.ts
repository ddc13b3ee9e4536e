/** What every route of the Runs API is given (built once in server.ts). */
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { Env } from '../config/env';
import type { Logger } from '../logging/logger';
import type { Authenticate, Principal } from './auth';
import type { RunEventHub } from './run-event-hub';
import type { RunService } from './run-service';

export interface ApiContext {
  env: Env;
  client: Client;
  runs: RunService;
  hub: RunEventHub;
  authenticate: Authenticate;
  logger: Logger;
  /** SSE comment lines keep idle connections open through proxies this often. */
  keepAliveMs: number;
}

export const principalOf = (request: FastifyRequest): Principal => (request as FastifyRequest & { principal: Principal }).principal;
