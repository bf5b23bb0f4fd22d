// Every allocation page: administrators' RAS versions and impact preview (admin-routes.ts), the
// public RAS and calculator (public-routes.ts), and each person's budget explanation and the
// worker's override (budget-routes.ts).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { adminRasRoutes } from './admin-routes.js';
import { publicAllocationRoutes } from './public-routes.js';
import { budgetRoutes } from './budget-routes.js';

export interface AllocationRouteDeps {
  db: Db;
  now: () => Date;
}

export function allocationRoutes(deps: AllocationRouteDeps) {
  return (app: FastifyInstance): void => {
    adminRasRoutes(deps)(app);
    publicAllocationRoutes(deps)(app);
    budgetRoutes(deps)(app);
  };
}
