// The support plan pages for care coordinators and team managers: start a plan from a person's
// record, the plan overview with the plan check, one page per part (outcomes, items, the money,
// the crisis plan, the NHS risk-management procedure, the justification and start date), submit
// for sign-off, the person's agreement, a printable plan, and the panel on the person's page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { Conflict, Invalid, NotFound, type FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import type { PersonPanel } from '../people/index.js';
import type { PlanDocument } from './document.js';
import {
  budgetAndStartValues,
  crisisValues,
  itemValues,
  moneyValues,
  NEEDS,
  newId,
  outcomeValues,
  parseBudgetAndStart,
  parseCrisis,
  parseItem,
  parseMoney,
  parseOutcome,
  parseProcedure,
  parseRisk,
  procedureValues,
  riskValues,
  AFFECTED_LABELS,
  NHS_DP_RISK_KIND_LABELS,
  type FormValues,
  type Parsed,
} from './form.js';
import {
  AFFECTED,
  HOLDING_OPTIONS,
  IMPACT_LABELS,
  IMPACTS,
  LIKELIHOOD_LABELS,
  LIKELIHOODS,
  NHS_DP_RISK_KINDS,
  mayApprove,
  MONEY_MANAGERS,
  PLAN_ITEM_CATEGORIES,
  PLAN_ITEM_CATEGORY_LABELS,
  SIGN_OFF_LEVEL_LABELS,
  type PlanProblem,
} from './rules.js';
import { createPlanningService, type PlanningServiceDeps, type PlanView } from './service.js';
import { STALE_PLAN_MESSAGE } from './store.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
  onApproved?: PlanningServiceDeps['onApproved'];
}

const ctxOf = (req: FastifyRequest): AuditContext => ({ principal: currentUser(req), ip: req.ip });
const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

const HOLDING_LABELS: Record<(typeof HOLDING_OPTIONS)[number], string> = {
  direct_payment: 'Direct payment (the money is paid to the person)',
  managed: 'Managed by the council or NHS for the person',
  third_party: 'Held by another organisation for the person',
  individual_service_fund: 'Individual service fund (held by a provider)',
  mixed: 'A mix of these',
};
const MANAGER_LABELS: Record<(typeof MONEY_MANAGERS)[number], string> = {
  person: 'The person',
  representative: 'Their representative',
  nominee: 'A nominee',
  broker_organisation: 'A support broker or organisation',
};
const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  submitted: 'Waiting for sign-off',
  approved: 'Approved',
  refused: 'Refused',
  superseded: 'Replaced by a later version',
};
const BUDGET_LABELS = {
  under: 'Under the indicative budget',
  within: 'Within the indicative budget',
  over: 'Over the indicative budget',
};

/** Where to put a problem right. */
function problemHref(planId: string, p: PlanProblem): string {
  if (p.itemId) return `/plans/${planId}/items/${p.itemId}`;
  if (p.outcomeId) return `/plans/${planId}/outcomes/${p.outcomeId}`;
  const targets: Partial<Record<PlanProblem['rule'], string>> = {
    no_outcomes: `/plans/${planId}/outcomes/new`,
    over_budget_without_justification: `/plans/${planId}/budget-and-start#overBudgetJustification`,
    nhs_dp_risk_management_procedure: `/plans/${planId}/procedure`,
  };
  return targets[p.rule] ?? `/plans/${planId}#check`;
}

/** The data every plan page shows: labels, the person's name, costs by item. */
function common(view: PlanView) {
  const costs = Object.fromEntries(view.check.items.map((i) => [i.id, i.cost]));
  return {
    view,
    plan: view.plan,
    doc: view.plan.document,
    name: `${view.person.givenName} ${view.person.familyName}`,
    costs,
    streamNames: Object.fromEntries(view.plan.document.streams.map((s) => [s.id, s.name])),
    outcomeTexts: Object.fromEntries(view.plan.document.outcomes.map((o) => [o.id, o.text])),
    categoryLabels: PLAN_ITEM_CATEGORY_LABELS,
    holdingLabels: HOLDING_LABELS,
    managerLabels: MANAGER_LABELS,
    likelihoodLabels: LIKELIHOOD_LABELS,
    impactLabels: IMPACT_LABELS,
    affectedLabels: AFFECTED_LABELS,
    statusLabels: STATUS_LABELS,
    levelLabels: SIGN_OFF_LEVEL_LABELS,
    budgetLabels: BUDGET_LABELS,
    needs: NEEDS,
    needLabels: Object.fromEntries(NEEDS.map((n) => [n.id, n.label])),
    nhsNeedsProcedure: view.check.problems.some(
      (p) => p.rule === 'nhs_dp_risk_management_procedure',
    ),
    needsProcedure: view.plan.document.streams.some(
      (s) => s.body === 'nhs' && (s.holding === 'direct_payment' || s.holding === 'mixed'),
    ),
  };
}

type Part = 'outcome' | 'item' | 'risk' | 'money' | 'crisis' | 'procedure' | 'budget-and-start';
const TITLES: Record<Part, string> = {
  outcome: 'Outcome',
  item: 'What the money is for',
  risk: 'A risk, and what was agreed',
  money: 'How the money is held',
  crisis: 'Crisis plan',
  procedure: 'NHS direct payment: risk-management procedure',
  'budget-and-start': 'Justification and start date',
};

export function planningRoutes(deps: RouteDeps) {
  const service = createPlanningService(deps);
  return (app: FastifyInstance): void => {
    app.post('/people/:id/plans', async (req, reply) => {
      const personId = param(req, 'id');
      let started;
      try {
        started = await service.start(ctxOf(req), personId);
      } catch (error) {
        if (error instanceof Conflict)
          return reply.flash(error.message).redirect(`/people/${personId}`, 303);
        throw error;
      }
      if (started.created) reply.flash('Support plan started. Save each part as you go.');
      return reply.redirect(`/plans/${started.id}`, 303);
    });

    async function overview(req: FastifyRequest, reply: FastifyReply, status = 200) {
      const view = await service.get(ctxOf(req), param(req, 'id'));
      const user = currentUser(req);
      const mayWrite = user.roles.has('care_coordinator') || user.roles.has('team_manager');
      const id = view.plan.id;
      const problems = view.check.problems.map((p) => ({ ...p, href: problemHref(id, p) }));
      return reply.render(
        'planning/views/overview.njk',
        {
          pageTitle: `Support plan: ${view.person.givenName} ${view.person.familyName}`,
          ...common(view),
          problems,
          mayWrite,
          editable: mayWrite && view.plan.status === 'draft',
          ...(status === 400
            ? { errorList: problems.map((p) => ({ text: p.message, href: p.href })) }
            : {}),
        },
        status,
      );
    }

    app.get('/plans/:id', (req, reply) => overview(req, reply));

    app.get('/plans/:id/print', async (req, reply) => {
      const view = await service.get(ctxOf(req), param(req, 'id'));
      return reply.render('planning/views/print.njk', {
        pageTitle: `Support plan for ${view.person.givenName} ${view.person.familyName}`,
        ...common(view),
      });
    });

    app.post('/plans/:id/submit', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const version = Number(field(req.body, 'version'));
      let level;
      try {
        level = await service.submit(ctx, id, Number.isSafeInteger(version) ? version : 0);
      } catch (error) {
        if (error instanceof Invalid) return overview(req, reply, 400);
        if (error instanceof Conflict && error.message === STALE_PLAN_MESSAGE) {
          reply.flash(`${STALE_PLAN_MESSAGE}. Check the plan again, then submit it.`);
          return reply.redirect(`/plans/${id}`, 303);
        }
        throw error;
      }
      const view = await service.get(ctx, id);
      const user = ctx.principal;
      const self =
        user.kind === 'user' &&
        mayApprove(view.policy, {
          level,
          totalAnnual: view.plan.totalAnnual,
          writtenBy: [view.plan.createdBy, view.plan.submittedBy].filter(
            (x): x is string => x !== null,
          ),
          approver: { userId: user.userId, roles: [...user.roles] },
        }).ok;
      reply.flash(
        self
          ? `The plan has been submitted. It must be signed off by ${SIGN_OFF_LEVEL_LABELS[level]}, and you may do that now: record the sign-off decision.`
          : `The plan has been submitted. It must be signed off by ${SIGN_OFF_LEVEL_LABELS[level]}.`,
      );
      return reply.redirect(`/plans/${id}`, 303);
    });

    app.post('/plans/:id/agreement', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const how = field(req.body, 'how');
      const by = field(req.body, 'by');
      const errors: FieldError[] = [];
      if (how === '')
        errors.push({ field: 'how', message: 'Say how the person agreed to the plan' });
      else if (how.length > 500)
        errors.push({ field: 'how', message: 'How they agreed must be 500 characters or fewer' });
      if (by === '') errors.push({ field: 'by', message: 'Say who recorded their agreement' });
      else if (by.length > 200)
        errors.push({ field: 'by', message: 'Who recorded it must be 200 characters or fewer' });
      if (errors.length > 0) {
        const view = await service.get(ctx, id);
        const problems = view.check.problems.map((p) => ({ ...p, href: problemHref(id, p) }));
        return reply.render(
          'planning/views/overview.njk',
          {
            pageTitle: `Support plan: ${view.person.givenName} ${view.person.familyName}`,
            ...common(view),
            problems,
            mayWrite: true,
            editable: view.plan.status === 'draft',
            agreement: { how, by },
            ...describeErrors(errors),
          },
          400,
        );
      }
      await service.recordAgreement(ctx, id, { how, by });
      return reply
        .flash("The person's agreement to the plan has been recorded")
        .redirect(`/plans/${id}`, 303);
    });

    // -------------------------------------------------------------------------------------------
    // The parts

    const renderPart = (
      reply: FastifyReply,
      view: PlanView,
      part: Part,
      page: {
        values: FormValues;
        errors?: FieldError[];
        status?: number;
        stale?: boolean;
        changes?: { changes: string[]; savedByName: string | null; savedAt: Date } | null;
        entityId?: string;
      },
    ) => {
      const c = common(view);
      return reply.render(
        `planning/views/${part}.njk`,
        {
          pageTitle: TITLES[part],
          ...c,
          part,
          entityId: page.entityId,
          values: page.values,
          stale: page.stale ?? false,
          changes: page.changes ?? null,
          categories: PLAN_ITEM_CATEGORIES.map((k) => ({
            value: k,
            text: PLAN_ITEM_CATEGORY_LABELS[k],
          })),
          holdings: HOLDING_OPTIONS.map((k) => ({ value: k, text: HOLDING_LABELS[k] })),
          managers: MONEY_MANAGERS.map((k) => ({ value: k, text: MANAGER_LABELS[k] })),
          likelihoods: LIKELIHOODS.map((k) => ({ value: k, text: LIKELIHOOD_LABELS[k] })),
          impacts: IMPACTS.map((k) => ({ value: k, text: IMPACT_LABELS[k] })),
          affected: AFFECTED.map((k) => ({ value: k, text: AFFECTED_LABELS[k] })),
          nhsKinds: NHS_DP_RISK_KINDS.map((k) => ({ value: k, text: NHS_DP_RISK_KIND_LABELS[k] })),
          hits:
            page.entityId === undefined
              ? []
              : (view.check.items.find((i) => i.id === page.entityId)?.spending?.hits ?? []),
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    async function draftView(req: FastifyRequest): Promise<PlanView> {
      const view = await service.get(ctxOf(req), param(req, 'id'), 'write');
      if (view.plan.status !== 'draft')
        throw new Conflict(
          'This plan has been submitted and cannot be changed. Start a new version instead.',
        );
      return view;
    }

    /** Saves a changed document, or shows the page again: 400 for bad input, 409 when stale. */
    async function savePart<T>(
      req: FastifyRequest,
      reply: FastifyReply,
      view: PlanView,
      part: Part,
      parsed: Parsed<T>,
      apply: (doc: PlanDocument, data: T) => PlanDocument,
      entityId?: string,
    ) {
      if (!parsed.ok)
        return renderPart(reply, view, part, {
          values: parsed.values,
          errors: parsed.errors,
          status: 400,
          entityId,
        });
      const version = Number(field(req.body, 'version'));
      const doc = apply(structuredClone(view.plan.document), parsed.data);
      try {
        await service.save(
          ctxOf(req),
          view.plan.id,
          doc,
          Number.isSafeInteger(version) ? version : 0,
        );
      } catch (error) {
        if (error instanceof Conflict && error.message === STALE_PLAN_MESSAGE) {
          const fresh = await draftView(req);
          const changes = Number.isSafeInteger(version)
            ? await service.changesSince(ctxOf(req), view.plan.id, version)
            : null;
          return renderPart(reply, fresh, part, {
            changes,
            values: parsed.values,
            errors: [
              {
                field: 'form',
                message: `${STALE_PLAN_MESSAGE}. Your answers on this page are kept below: check them and save again.`,
              },
            ],
            status: 409,
            stale: true,
            entityId,
          });
        }
        throw error;
      }
      reply.flash(`${TITLES[part]}: saved`);
      return reply.redirect(`/plans/${view.plan.id}`, 303);
    }

    /** Saves a removal (no form to show again); a stale version goes back to the plan. */
    async function saveRemoval(req: FastifyRequest, reply: FastifyReply, doc: PlanDocument) {
      const id = param(req, 'id');
      const version = Number(field(req.body, 'version'));
      try {
        await service.save(ctxOf(req), id, doc, Number.isSafeInteger(version) ? version : 0);
      } catch (error) {
        if (error instanceof Conflict && error.message === STALE_PLAN_MESSAGE) {
          return reply
            .flash(`${STALE_PLAN_MESSAGE}. Nothing was removed: check the plan and try again.`)
            .redirect(`/plans/${id}`, 303);
        }
        throw error;
      }
      return reply.flash('Removed from the plan').redirect(`/plans/${id}`, 303);
    }

    // Outcomes
    app.get('/plans/:id/outcomes/:oid', async (req, reply) => {
      const view = await draftView(req);
      const oid = param(req, 'oid');
      const o = view.plan.document.outcomes.find((x) => x.id === oid);
      if (oid !== 'new' && !o) throw new NotFound('There is no such outcome in this plan');
      return renderPart(reply, view, 'outcome', { values: outcomeValues(o), entityId: oid });
    });
    app.post('/plans/:id/outcomes/:oid', async (req, reply) => {
      const view = await draftView(req);
      const oid = param(req, 'oid');
      const existing = view.plan.document.outcomes;
      if (oid !== 'new' && !existing.some((x) => x.id === oid))
        throw new NotFound('There is no such outcome in this plan');
      const id =
        oid === 'new'
          ? newId(
              'outcome',
              existing.map((x) => x.id),
            )
          : oid;
      return savePart(
        req,
        reply,
        view,
        'outcome',
        parseOutcome(req.body, id),
        (doc, o) => ({
          ...doc,
          outcomes:
            oid === 'new' ? [...doc.outcomes, o] : doc.outcomes.map((x) => (x.id === oid ? o : x)),
        }),
        oid,
      );
    });
    app.post('/plans/:id/outcomes/:oid/remove', async (req, reply) => {
      const view = await draftView(req);
      const oid = param(req, 'oid');
      const doc = view.plan.document;
      return saveRemoval(req, reply, {
        ...doc,
        outcomes: doc.outcomes.filter((x) => x.id !== oid),
        items: doc.items.map((i) => ({ ...i, outcomeIds: i.outcomeIds.filter((x) => x !== oid) })),
      });
    });

    // Items
    app.get('/plans/:id/items/:iid', async (req, reply) => {
      const view = await draftView(req);
      const iid = param(req, 'iid');
      const item = view.plan.document.items.find((x) => x.id === iid);
      if (iid !== 'new' && !item) throw new NotFound('There is no such item in this plan');
      return renderPart(reply, view, 'item', { values: itemValues(item), entityId: iid });
    });
    app.post('/plans/:id/items/:iid', async (req, reply) => {
      const view = await draftView(req);
      const iid = param(req, 'iid');
      const existing = view.plan.document.items;
      if (iid !== 'new' && !existing.some((x) => x.id === iid))
        throw new NotFound('There is no such item in this plan');
      const id =
        iid === 'new'
          ? newId(
              'item',
              existing.map((x) => x.id),
            )
          : iid;
      return savePart(
        req,
        reply,
        view,
        'item',
        parseItem(req.body, id, view.plan.document),
        (doc, item) => ({
          ...doc,
          items:
            iid === 'new' ? [...doc.items, item] : doc.items.map((x) => (x.id === iid ? item : x)),
        }),
        iid,
      );
    });
    app.post('/plans/:id/items/:iid/remove', async (req, reply) => {
      const view = await draftView(req);
      const iid = param(req, 'iid');
      const doc = view.plan.document;
      return saveRemoval(req, reply, { ...doc, items: doc.items.filter((x) => x.id !== iid) });
    });

    // Risks
    app.get('/plans/:id/risks/:rid', async (req, reply) => {
      const view = await draftView(req);
      const rid = param(req, 'rid');
      const r = view.plan.document.risks.find((x) => x.id === rid);
      if (rid !== 'new' && !r) throw new NotFound('There is no such risk in this plan');
      return renderPart(reply, view, 'risk', { values: riskValues(r), entityId: rid });
    });
    app.post('/plans/:id/risks/:rid', async (req, reply) => {
      const view = await draftView(req);
      const rid = param(req, 'rid');
      const existing = view.plan.document.risks;
      if (rid !== 'new' && !existing.some((x) => x.id === rid))
        throw new NotFound('There is no such risk in this plan');
      const id =
        rid === 'new'
          ? newId(
              'risk',
              existing.map((x) => x.id),
            )
          : rid;
      return savePart(
        req,
        reply,
        view,
        'risk',
        parseRisk(req.body, id),
        (doc, r) => ({
          ...doc,
          risks: rid === 'new' ? [...doc.risks, r] : doc.risks.map((x) => (x.id === rid ? r : x)),
        }),
        rid,
      );
    });
    app.post('/plans/:id/risks/:rid/remove', async (req, reply) => {
      const view = await draftView(req);
      const rid = param(req, 'rid');
      const doc = view.plan.document;
      return saveRemoval(req, reply, { ...doc, risks: doc.risks.filter((x) => x.id !== rid) });
    });

    // The money, the crisis plan, the procedure, the justification and start date
    app.get('/plans/:id/money', async (req, reply) => {
      const view = await draftView(req);
      return renderPart(reply, view, 'money', { values: moneyValues(view.plan.document.streams) });
    });
    app.post('/plans/:id/money', async (req, reply) => {
      const view = await draftView(req);
      return savePart(
        req,
        reply,
        view,
        'money',
        parseMoney(req.body, view.plan.document.streams),
        (doc, streams) => ({ ...doc, streams }),
      );
    });
    app.get('/plans/:id/crisis', async (req, reply) => {
      const view = await draftView(req);
      return renderPart(reply, view, 'crisis', { values: crisisValues(view.plan.document.crisis) });
    });
    app.post('/plans/:id/crisis', async (req, reply) => {
      const view = await draftView(req);
      return savePart(req, reply, view, 'crisis', parseCrisis(req.body), (doc, crisis) => ({
        ...doc,
        crisis,
      }));
    });
    app.get('/plans/:id/procedure', async (req, reply) => {
      const view = await draftView(req);
      return renderPart(reply, view, 'procedure', {
        values: procedureValues(view.plan.document.riskManagementProcedure),
      });
    });
    app.post('/plans/:id/procedure', async (req, reply) => {
      const view = await draftView(req);
      return savePart(req, reply, view, 'procedure', parseProcedure(req.body), (doc, p) => ({
        ...doc,
        riskManagementProcedure: p,
      }));
    });
    app.get('/plans/:id/budget-and-start', async (req, reply) => {
      const view = await draftView(req);
      return renderPart(reply, view, 'budget-and-start', {
        values: budgetAndStartValues(view.plan.document),
      });
    });
    app.post('/plans/:id/budget-and-start', async (req, reply) => {
      const view = await draftView(req);
      return savePart(
        req,
        reply,
        view,
        'budget-and-start',
        parseBudgetAndStart(req.body),
        (doc, d) => ({ ...doc, ...d }),
      );
    });
  };
}

/** The "Support plan" part of a person's page. */
export function planningPanel(deps: RouteDeps): PersonPanel {
  const service = createPlanningService(deps);
  return async (ctx, personId, user) => {
    if (user.roles.has('commissioner') && user.roles.size === 1) return null;
    const { plans, reviews } = await service.forPerson(ctx, personId);
    const approved = plans.find((p) => p.status === 'approved');
    const open = plans.find((p) => p.status === 'draft' || p.status === 'submitted');
    const mayStart =
      !open && (user.roles.has('care_coordinator') || user.roles.has('team_manager'));
    return {
      template: 'planning/views/_panel.njk',
      data: {
        approved,
        open,
        plans,
        reviews,
        mayStart,
        statusLabels: STATUS_LABELS,
        levelLabels: SIGN_OFF_LEVEL_LABELS,
      },
    };
  };
}
