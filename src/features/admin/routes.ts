// Administration: every page here is for partnership administrators only, and every change is
// audited. This file lists the areas; each area's routes sit in their own file.
import type { FastifyInstance } from 'fastify';
import { adminRequest, type AdminDeps } from './context.js';
import { apiClientRoutes } from './api-clients-routes.js';
import { teamRoutes } from './teams-routes.js';
import { userRoutes } from './users-routes.js';

export type { AdminDeps } from './context.js';

export function adminRoutes(deps: AdminDeps) {
  return (app: FastifyInstance): void => {
    app.get('/admin', async (req, reply) => {
      const a = adminRequest(deps, req);
      return reply.render('admin/views/dashboard.njk', {
        pageTitle: 'Administration',
        partnershipName: a.admin.partnershipName,
      });
    });
    userRoutes(deps)(app);
    teamRoutes(deps)(app);
    apiClientRoutes(deps)(app);
  };
}
