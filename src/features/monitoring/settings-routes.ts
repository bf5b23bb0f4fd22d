// The monitoring settings page: how many weeks of payments may build up, and how many weeks
// without spending, before a flag is raised. For finance officers and administrators.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { currentUser } from '../../platform/http/app.js';
import type { FieldError } from '../../platform/http/errors.js';
import { describeErrors, field, validateForm } from '../../platform/http/forms.js';
import { createSettingsService, settingsFormSchema } from './settings.js';

const ctxOf = (req: FastifyRequest): AuditContext => ({
  principal: currentUser(req, 'finance_officer', 'partnership_admin'),
  ip: req.ip,
});

export function monitoringSettingsRoutes(deps: { db: Db }) {
  const service = createSettingsService(deps);
  return (app: FastifyInstance): void => {
    const render = (reply: FastifyReply, values: Record<string, string>, errors?: FieldError[]) =>
      reply.render(
        'monitoring/views/settings.njk',
        { pageTitle: 'Monitoring checks', values, ...(errors ? describeErrors(errors) : {}) },
        errors ? 400 : 200,
      );

    app.get('/finance/monitoring/settings', async (req, reply) => {
      const s = await service.get(ctxOf(req));
      return render(reply, {
        balanceWeeks: String(s.balanceWeeks),
        noActivityWeeks: String(s.noActivityWeeks),
      });
    });

    app.post('/finance/monitoring/settings', async (req, reply) => {
      const ctx = ctxOf(req);
      const values = {
        balanceWeeks: field(req.body, 'balanceWeeks'),
        noActivityWeeks: field(req.body, 'noActivityWeeks'),
      };
      const parsed = validateForm(settingsFormSchema, values);
      if (!parsed.ok) return render(reply, values, parsed.errors);
      await service.save(ctx, parsed.data);
      reply.flash('Monitoring checks saved. They apply from the next check.');
      return reply.redirect('/finance/monitoring', 303);
    });
  };
}
