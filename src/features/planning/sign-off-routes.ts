// The sign-off pages: the queue of plans waiting for the user's decision (oldest first, with how
// long each has waited), and the decision page: approve, refuse with reasons, or pass it up.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import { Forbidden, Invalid, type FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import { paging, readPage } from '../../platform/http/paging.js';
import { formatPounds, pence } from '../../platform/money.js';
import { SIGN_OFF_LEVEL_LABELS, type SignOffLevel } from './rules.js';
import { createPlanningService, type PlanningServiceDeps, type PlanView } from './service.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
  onApproved?: PlanningServiceDeps['onApproved'];
}

const ctxOf = (req: FastifyRequest): AuditContext => ({ principal: currentUser(req), ip: req.ip });
const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

const DAY_MS = 86_400_000;
/** Whole days from `from` to `to`, never negative. */
function daysSince(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}
const daysText = (n: number) => (n === 1 ? '1 day' : `${String(n)} days`);

const OUTCOMES = ['approved', 'refused', 'escalated'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** Where "pass it up" sends a plan at this level; null at the top. */
function nextLevel(view: PlanView): SignOffLevel | null {
  const route = view.plan.route;
  if (route === 'coordinator') return 'team_manager';
  if (route === 'team_manager' && view.policy.panel.enabled) return 'panel';
  return null;
}

export function signOffRoutes(deps: RouteDeps) {
  const service = createPlanningService(deps);
  return (app: FastifyInstance): void => {
    app.get('/sign-off', async (req, reply) => {
      const now = deps.now();
      const page = readPage(field(req.query, 'page'));
      const { entries, total } = await service.queue(ctxOf(req), page);
      const rows = entries.map((e) => {
        const over =
          e.indicativeAnnual === null
            ? null
            : pence(Math.max(0, e.totalAnnual - e.indicativeAnnual));
        return {
          ...e,
          over,
          level: SIGN_OFF_LEVEL_LABELS[e.route],
          atStep: daysText(daysSince(e.stepSince, now)),
          sinceSubmitted: daysText(daysSince(e.submittedAt, now)),
        };
      });
      return reply.render('planning/views/sign-off-queue.njk', {
        pageTitle: 'Plans waiting for sign-off',
        columnWidth: 'full',
        rows,
        paging: paging('/sign-off', {}, page, total),
      });
    });

    const renderDecision = (
      reply: FastifyReply,
      view: PlanView,
      page: {
        values?: Record<string, string>;
        errors?: FieldError[];
        refusal?: string;
        status?: number;
      } = {},
    ) => {
      const next = nextLevel(view);
      const budget = view.check.budget;
      return reply.render(
        'planning/views/sign-off-decision.njk',
        {
          pageTitle: 'Sign off the support plan',
          view,
          level: view.plan.route ? SIGN_OFF_LEVEL_LABELS[view.plan.route] : null,
          next: next ? SIGN_OFF_LEVEL_LABELS[next] : null,
          over: budget && budget.difference > 0 ? pence(budget.difference) : null,
          budgetText: budget
            ? budget.difference > 0
              ? `${formatPounds(pence(budget.difference))} over the indicative budget`
              : budget.difference < 0
                ? `${formatPounds(pence(0 - Number(budget.difference)))} under the indicative budget`
                : 'Exactly the indicative budget'
            : 'There is no indicative budget to compare with',
          flags: view.check.flagged.flatMap((i) => {
            const item = view.plan.document.items.find((x) => x.id === i.id);
            return (i.spending?.hits ?? []).map((h) => ({
              what: item?.what ?? 'An item',
              title: h.title,
              message: h.message,
              outcome: h.outcome,
              reason: h.reason,
            }));
          }),
          values: page.values ?? {},
          refusal: page.refusal ?? null,
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/plans/:id/decision', async (req, reply) => {
      const view = await service.get(ctxOf(req), param(req, 'id'));
      return renderDecision(reply, view);
    });

    app.post('/plans/:id/decision', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const view = await service.get(ctx, id);
      const outcome = field(req.body, 'outcome');
      const reason = field(req.body, 'reason');
      const values = { outcome, reason };
      const errors: FieldError[] = [];
      const next = nextLevel(view);
      if (!(OUTCOMES as readonly string[]).includes(outcome))
        errors.push({
          field: 'outcome',
          message: 'Select whether you approve, refuse or pass it up',
        });
      else if (outcome === 'escalated' && next === null)
        errors.push({ field: 'outcome', message: 'There is no higher level to pass this plan to' });
      if (outcome === 'refused' && reason.length < 10)
        errors.push({
          field: 'reason',
          message: 'Give the reasons for refusing, in at least 10 characters',
        });
      if (reason.length > 5000)
        errors.push({ field: 'reason', message: 'The reasons must be 5,000 characters or fewer' });
      if (errors.length > 0) return renderDecision(reply, view, { values, errors, status: 400 });
      try {
        await service.decide(ctx, id, { outcome: outcome as Outcome, reason });
      } catch (error) {
        if (error instanceof Forbidden)
          return renderDecision(reply, view, { values, refusal: error.message, status: 403 });
        if (error instanceof Invalid)
          return renderDecision(reply, view, { values, errors: error.errors, status: 400 });
        throw error;
      }
      const name = `${view.person.givenName} ${view.person.familyName}`;
      if (outcome === 'approved')
        return reply
          .flash(`The support plan for ${name} is approved. Its reviews have been scheduled.`)
          .redirect(`/plans/${id}`, 303);
      reply.flash(
        outcome === 'refused'
          ? `The support plan for ${name} is refused. Your reasons have been recorded.`
          : `The support plan for ${name} has been passed to ${next ? SIGN_OFF_LEVEL_LABELS[next] : 'the next level'}.`,
      );
      return reply.redirect('/sign-off', 303);
    });
  };
}
