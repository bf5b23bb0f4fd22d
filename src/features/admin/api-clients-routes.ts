// API clients: systems that call /api/v1 with a bearer token. The token is shown once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/audit.js';
import {
  API_PERMISSIONS,
  API_PERMISSION_LABELS,
  createApiToken,
} from '../../platform/auth/api-tokens.js';
import { setFlash } from '../../platform/http/app.js';
import { describeErrors, validateForm } from '../../platform/http/forms.js';
import { NotFound } from '../../platform/http/errors.js';
import { adminRequest, idParam, noStore, selected, type AdminDeps } from './context.js';
import { ApiClientForm } from './forms.js';
import * as store from './store.js';

export function apiClientRoutes(deps: AdminDeps) {
  return (app: FastifyInstance): void => {
    app.get('/admin/api-clients', async (req, reply) => {
      const a = adminRequest(deps, req);
      const clients = await a.run((tx) => store.listApiClients(tx));
      return reply.render('admin/views/api-clients.njk', {
        pageTitle: 'API clients',
        columnWidth: 'full',
        backHref: '/admin',
        clients,
      });
    });

    const newClientPage = (
      req: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, unknown>,
      errors?: ReturnType<typeof describeErrors>,
    ) => {
      adminRequest(deps, req);
      const chosen = selected(values, 'permissions');
      return reply.render(
        'admin/views/api-client-new.njk',
        {
          pageTitle: 'Add an API client',
          backHref: '/admin/api-clients',
          values,
          permissionItems: API_PERMISSIONS.map((p) => ({
            value: p,
            text: API_PERMISSION_LABELS[p],
            checked: chosen.includes(p),
          })),
          ...errors,
        },
        errors ? 400 : 200,
      );
    };

    app.get('/admin/api-clients/new', async (req, reply) => newClientPage(req, reply, {}));

    app.post('/admin/api-clients', async (req, reply) => {
      const a = adminRequest(deps, req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const form = validateForm(ApiClientForm, body);
      if (!form.ok) return newClientPage(req, reply, body, form);
      const token = createApiToken();
      const permissions = [...new Set(form.data.permissions)];
      await a.run(async (tx) => {
        const id = await store.insertApiClient(tx, a.admin.partnershipId, {
          name: form.data.name,
          prefix: token.prefix,
          hash: token.hash,
          permissions,
          createdBy: a.admin.userId,
        });
        await audit(tx, a.ctx, {
          action: 'create',
          recordType: 'api_client',
          recordId: id,
          detail: { name: form.data.name, prefix: token.prefix, permissions },
        });
      });
      return noStore(reply).render('admin/views/api-client-token.njk', {
        pageTitle: 'API client added',
        name: form.data.name,
        token: token.token,
      });
    });

    app.post('/admin/api-clients/:id/revoke', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const revoked = await a.run(async (tx) => {
        const done = await store.revokeApiClient(tx, id, deps.now());
        if (done)
          await audit(tx, a.ctx, { action: 'revoke', recordType: 'api_client', recordId: id });
        return done;
      });
      if (!revoked) throw new NotFound('There is no such API client, or it is already revoked');
      setFlash(
        reply,
        'The API client has been revoked. Its token no longer works.',
        deps.secureCookies,
      );
      return reply.redirect('/admin/api-clients', 303);
    });
  };
}
