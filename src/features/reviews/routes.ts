// Being written (issue 4).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

export function reviewRoutes(_deps: RouteDeps) {
  return (_app: FastifyInstance): void => undefined;
}
