// Being written (issue 4).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import type { PersonPanel } from '../people/index.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

export function measureRoutes(_deps: RouteDeps) {
  return (_app: FastifyInstance): void => undefined;
}

export function measuresPanel(_deps: RouteDeps): PersonPanel {
  return () => Promise.resolve(null);
}
