// Each person's budget pages: "How your budget was worked out" (printable, addressed to the
// person), the way from a person's record to their current budget, and the worker's different
// figure with its reason. The service applies the access rules and writes the audit events.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { formatPounds, parsePounds, pence, type Pence } from '../../platform/money.js';
import type { AllocationRouteDeps } from './routes.js';
import { createBudgetService, mayOverride, type BudgetService } from './budget-service.js';

/** No indicative budget is anywhere near this; a figure above it is almost surely a typing slip. */
export const MAXIMUM_OVERRIDE: Pence = pence(100_000_000); // £1,000,000 a year
export const MINIMUM_REASON_LENGTH = 10;
export const MAXIMUM_REASON_LENGTH = 2_000;

export type OverrideForm =
  { ok: true; annual: Pence; reason: string } | { ok: false; errors: FieldError[] };

/** Reads the override form: an annual amount in pounds and a reason. Never throws. */
export function parseOverrideForm(body: unknown): OverrideForm {
  const errors: FieldError[] = [];
  const amountText = field(body, 'amount');
  const reason = field(body, 'reason');
  let annual: Pence | undefined;
  if (amountText === '') {
    errors.push({ field: 'amount', message: 'Enter the yearly amount in pounds' });
  } else {
    const parsed = parsePounds(amountText);
    if (!parsed.ok) errors.push({ field: 'amount', message: parsed.message });
    else if (parsed.value < 0)
      errors.push({ field: 'amount', message: 'The yearly amount must be £0 or more' });
    else if (parsed.value > MAXIMUM_OVERRIDE)
      errors.push({
        field: 'amount',
        message: `The yearly amount must be ${formatPounds(MAXIMUM_OVERRIDE)} or less`,
      });
    else annual = parsed.value;
  }
  if (reason === '') {
    errors.push({ field: 'reason', message: 'Enter why the budget should be a different figure' });
  } else if (reason.length < MINIMUM_REASON_LENGTH) {
    errors.push({
      field: 'reason',
      message: `The reason must be at least ${String(MINIMUM_REASON_LENGTH)} characters`,
    });
  } else if (reason.length > MAXIMUM_REASON_LENGTH) {
    errors.push({
      field: 'reason',
      message: `The reason must be ${MAXIMUM_REASON_LENGTH.toLocaleString('en-GB')} characters or fewer`,
    });
  }
  if (errors.length > 0 || annual === undefined) return { ok: false, errors };
  return { ok: true, annual, reason };
}

const ctxOf = (req: FastifyRequest): AuditContext => ({ principal: currentUser(req), ip: req.ip });
const idParam = (req: FastifyRequest): string => (req.params as { id: string }).id;

export function budgetRoutes(deps: AllocationRouteDeps) {
  const budgets: BudgetService = createBudgetService(deps);

  const renderOverride = async (
    reply: FastifyReply,
    ctx: AuditContext,
    allocationId: string,
    extra: { values: Record<string, string>; status?: number } & Record<string, unknown>,
  ) => {
    const page = await budgets.overridePage(ctx, allocationId);
    const name = `${page.person.givenName} ${page.person.familyName}`;
    return reply.render(
      'allocation/views/budget-override.njk',
      {
        pageTitle: `Set a different budget figure for ${name}`,
        backHref: `/allocations/${page.allocation.id}/explained`,
        ...page,
        ...extra,
      },
      extra.status ?? 200,
    );
  };

  return (app: FastifyInstance): void => {
    app.get('/allocations/:id/explained', async (req, reply) => {
      const ctx = ctxOf(req);
      const page = await budgets.explain(ctx, idParam(req));
      return reply.render('allocation/views/budget-explained.njk', {
        pageTitle: 'How your budget was worked out',
        backHref: `/people/${page.person.id}`,
        ...page,
        canOverride: mayOverride(currentUser(req)),
      });
    });

    app.get('/people/:id/budget', async (req, reply) => {
      const ctx = ctxOf(req);
      const found = await budgets.current(ctx, idParam(req));
      if (found.allocationId)
        return reply.redirect(`/allocations/${found.allocationId}/explained`, 303);
      return reply.render('allocation/views/budget-none.njk', {
        pageTitle: 'No budget yet',
        backHref: `/people/${found.person.id}`,
        person: found.person,
      });
    });

    app.get('/allocations/:id/override', async (req, reply) => {
      return renderOverride(reply, ctxOf(req), idParam(req), { values: {} });
    });

    app.post('/allocations/:id/override', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = idParam(req);
      const values = { amount: field(req.body, 'amount'), reason: field(req.body, 'reason') };
      const form = parseOverrideForm(req.body);
      if (!form.ok)
        return renderOverride(reply, ctx, id, {
          values,
          ...describeErrors(form.errors),
          status: 400,
        });
      const saved = await budgets.override(ctx, id, form.annual, form.reason);
      return reply
        .flash(
          `The budget is now ${formatPounds(form.annual)} a year. The reason has been recorded.`,
        )
        .redirect(`/allocations/${saved.allocationId}/explained`, 303);
    });
  };
}
