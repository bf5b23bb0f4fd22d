// Being written (issue 4).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import type { PersonPanel } from '../people/index.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

export function planningRoutes(_deps: RouteDeps) {
  return (_app: FastifyInstance): void => undefined;
}

export function planningPanel(_deps: RouteDeps): PersonPanel {
  return () => Promise.resolve(null);
}
