// Support plans for the demo, written, submitted and signed off through the real planning
// service, so that the budgets, payment schedules, commitments, ledger allocations and reviews
// are what approval really makes (planning's onApproved hook calls budgets). Some plans are
// approved with a clock in the past, so the demo has reviews due soon and one overdue; two wait
// for sign-off (one over budget, for the team manager). Everything is invented. Deterministic
// apart from the ids the database gives: the same people, plans and amounts every time,
// dated relative to the seed day.
import type { Db } from '../../platform/db/database.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import type { OrganisationKind, Role } from '../../platform/auth/roles.js';
import type { CivilDate } from '../../platform/dates.js';
import { addDays, createBudgetsForApprovedPlan, createBudgetsService } from '../budgets/index.js';
import { createPlanningService, planDocumentSchema, type PlanDocument } from '../planning/index.js';
import { createMeasuresService, type RecordInput } from '../measures/index.js';
import type { DemoPersonForAssessment } from './assessments.js';
import { DEMO_FINANCE, DEMO_PLANS, type PlanSpec } from './plan-specs.js';

/** A demo user as the services see them when they act. */
export interface DemoActor {
  userId: string;
  email: string;
  fullName: string;
  roles: Role[];
  teamIds: string[];
  organisationId: string;
  organisationKind: OrganisationKind;
}

export interface DemoMoneyContext {
  partnershipId: string;
  partnershipName: string;
  /** By email. */
  actors: ReadonlyMap<string, DemoActor>;
  people: readonly DemoPersonForAssessment[];
  /** The seed day (London), and a clock the services read: set it to act on another day. */
  today: CivilDate;
}

/** The services' view of a demo user. */
export function actorContext(ctx: DemoMoneyContext, email: string): AuditContext {
  const a = ctx.actors.get(email);
  if (!a) throw new Error(`demo user ${email} missing`);
  const principal: UserPrincipal = {
    kind: 'user',
    userId: a.userId,
    partnershipId: ctx.partnershipId,
    partnershipName: ctx.partnershipName,
    fullName: a.fullName,
    email: a.email,
    roles: new Set(a.roles),
    teamIds: a.teamIds,
    organisationId: a.organisationId,
    organisationKind: a.organisationKind,
    mustChangePassword: false,
    sessionId: 'demo-seed',
  };
  return { principal };
}

/** Noon (UTC) on the seed day plus `days`: a London date that is that day all year round. */
export function dayAt(today: CivilDate, days: number): Date {
  return new Date(`${addDays(today, days)}T12:00:00Z`);
}

/** A penny amount rounded down to 10p, at least 10p. */
const tenPence = (p: number) => Math.max(10, Math.floor(p / 10) * 10);

/** The plan document for a spec, from the started plan's document (streams from the budget). */
export function demoDocument(
  spec: PlanSpec,
  started: PlanDocument,
  indicativeAnnual: number,
  today: CivilDate,
): PlanDocument {
  const weekly = indicativeAnnual / 52;
  const streams = started.streams.map((s) => {
    const holding = spec.holdings[s.body] ?? 'managed';
    return { ...s, holding, managedBy: holding === 'managed' ? null : ('person' as const) };
  });
  const streamOf = (body: 'council' | 'nhs') => {
    const s = streams.find((x) => x.body === body);
    if (!s) throw new Error(`demo person ${String(spec.index)} has no ${body} stream`);
    return s.id;
  };
  const agreedOn = addDays(today, -spec.daysAgo - 2);
  const items = spec.items.map((i) => ({
    id: i.id,
    what: i.what,
    details: i.details ?? '',
    category: i.category,
    provider: i.provider,
    unitCostPence: tenPence(i.frequency === 'once' ? indicativeAnnual * i.share : weekly * i.share),
    units: 1,
    frequency: i.frequency,
    streamId: streamOf(i.body),
    outcomeIds: i.outcomeIds,
  }));
  const nhsDirect = streams.some((s) => s.body === 'nhs' && s.holding === 'direct_payment');
  return planDocumentSchema.parse({
    outcomes: spec.outcomes,
    items,
    streams,
    crisis: {
      whoToCall: spec.crisis.whoToCall,
      whatToDo: spec.crisis.whatToDo,
      setAsidePence: Math.round((indicativeAnnual * spec.crisis.setAsideShare) / 100) * 100,
    },
    risks: spec.risk
      ? [
          {
            id: 'risk-1',
            risk: spec.risk.risk,
            whatCouldHappen: spec.risk.whatCouldHappen,
            likelihood: 'possible',
            impact: 'moderate',
            whoIsAffected: ['the_person'],
            personsView: spec.risk.personsView,
            agreedApproach: spec.risk.approach,
            agreedBy: ['the person', 'the care coordinator'],
            agreedOn,
            positiveRiskTaking: spec.risk.positive
              ? {
                  decision: spec.risk.positive.decision,
                  benefits: spec.risk.positive.benefits,
                  decidedBy: ['the person', 'the care coordinator'],
                  decidedOn: agreedOn,
                }
              : null,
          },
        ]
      : [],
    riskManagementProcedure: nhsDirect
      ? {
          procedure:
            'If the money is not being spent on the plan, or support stops, the person or the provider tells the care coordinator, who reviews the plan within two weeks.',
          risksExplained: true,
          agreedWith: ['the person', 'the care coordinator'],
          agreedOn,
        }
      : null,
    overBudgetJustification: spec.overBudgetJustification ?? '',
    startsOn: addDays(today, spec.startsIn),
  });
}

export interface SeededPlan {
  spec: PlanSpec;
  personId: string;
  planId: string;
  document: PlanDocument;
}

/**
 * Writes, submits and (for most) signs off the demo plans through the planning service, with
 * the budgets feature's approval hook; records a financial assessment and baseline measures.
 */
export async function seedDemoPlans(db: Db, ctx: DemoMoneyContext): Promise<SeededPlan[]> {
  let clock = dayAt(ctx.today, 0);
  const now = () => clock;
  const planning = createPlanningService({ db, now, onApproved: createBudgetsForApprovedPlan });
  const budgets = createBudgetsService({ db, now });
  const measures = createMeasuresService({ db, now });
  const seeded: SeededPlan[] = [];
  for (const spec of DEMO_PLANS) {
    const person = ctx.people[spec.index];
    if (!person) throw new Error(`demo person ${String(spec.index)} missing`);
    const author = actorContext(ctx, spec.author);
    clock = dayAt(ctx.today, -spec.daysAgo - 2);
    const { id } = await planning.start(author, person.id);
    const view = await planning.get(author, id, 'write');
    const indicative = view.plan.indicativeAnnual ?? 0;
    if (spec.contributionShare)
      await budgets.recordFinancialAssessment(actorContext(ctx, DEMO_FINANCE), person.id, {
        weeklyPence: tenPence(((indicative / 52) * spec.contributionShare) | 0),
        effectiveFrom: addDays(ctx.today, spec.startsIn),
      });
    const document = demoDocument(spec, view.plan.document, indicative, ctx.today);
    const version = await planning.save(author, id, document, view.plan.version);
    clock = dayAt(ctx.today, -spec.daysAgo);
    await planning.submit(author, id, version);
    if (spec.approver) {
      const approver = actorContext(ctx, spec.approver);
      await planning.decide(approver, id, { outcome: 'approved', reason: '' });
      await planning.recordAgreement(author, id, { how: 'In person', by: 'the person' });
      if (spec.baseline) {
        const takenOn = addDays(ctx.today, -spec.daysAgo);
        const [MO, SC, UA, PD, AD, vas] = spec.baseline.eq5d;
        const common = { takenOn, reviewId: null, planId: id } as const;
        const swemwbs: RecordInput = {
          ...common,
          instrument: 'swemwbs',
          answers: Object.fromEntries(
            ['wemwbs1', 'wemwbs2', 'wemwbs3', 'wemwbs6', 'wemwbs7', 'wemwbs9', 'wemwbs11'].map(
              (k, n) => [k, spec.baseline?.swemwbs[n] ?? 3],
            ),
          ),
        };
        await measures.record(author, person.id, swemwbs);
        await measures.record(author, person.id, {
          ...common,
          instrument: 'eq5d5l',
          answers: { MO, SC, UA, PD, AD, vas },
        });
      }
    }
    seeded.push({ spec, personId: person.id, planId: id, document });
  }
  return seeded;
}
