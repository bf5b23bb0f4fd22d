// The support plan service: start a plan from the person's current indicative budget, save it,
// check it, submit it (routed by the partnership's sign-off policy), approve, refuse or pass it
// up, record the person's agreement, and on approval schedule the reviews the law requires.
// Every call goes through the people feature's access rule and audits in the same transaction.
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/http/errors.js';
import { LIST_PAGE_SIZE } from '../../platform/http/paging.js';
import { describePlanChanges } from './changes.js';
import type { SignOffLevel } from '../../platform/db/schema.js';
import { allocationById, currentAllocationId, type StoredAllocation } from '../allocation/index.js';
import { withPerson, type Mode, type PersonRecord } from '../people/index.js';
import {
  cancelOutstandingPlanned,
  insertReviews,
  reviewsOf,
  scheduleReviews,
} from '../reviews/index.js';
import { EMPTY_PLAN, forCheck, planDocumentSchema, type PlanDocument } from './document.js';
import {
  checkPlan,
  DEFAULT_SIGN_OFF_POLICY,
  DEFAULT_SPENDING_RULE_SET,
  fundingBodyOf,
  levelsFor,
  mayApprove,
  parseSignOffPolicy,
  parseSpendingRuleSet,
  routeSignOff,
  type PlanCheck,
  type SignOffPolicy,
  type SpendingRuleSet,
} from './rules.js';
import {
  decisionsOf,
  insertDraftPlan,
  insertPlanDecision,
  markApproved,
  markRefused,
  markSubmitted,
  personOfPlan,
  planById,
  plansOf,
  recordAgreement,
  saveDraftDocument,
  setRoute,
  revisionAt,
  signOffQueue,
  type DecisionRecord,
  type PlanRecord,
  type QueueEntry,
} from './store.js';

/** What happens next when a plan is signed off, told inside the approval's transaction. */
export interface PlanApproved {
  partnershipId: string;
  plan: { id: string; personId: string; document: PlanDocument; approvedOn: string };
  person: { id: string; name: string };
  userId: string | null;
}

export interface PlanningServiceDeps {
  db: Db;
  now: () => Date;
  /**
   * Called in the same transaction as an approval, so the plan is approved only together with
   * what follows from it (the budgets feature makes the budgets and payment schedules: it
   * depends on planning, so planning cannot call it directly).
   */
  onApproved?: (tx: Tx, approved: PlanApproved) => Promise<unknown>;
}

export const PLAN_NOT_FOUND = 'There is no support plan with this ID in your partnership';

export interface PlanView {
  plan: PlanRecord;
  person: PersonRecord;
  allocation: StoredAllocation | undefined;
  check: PlanCheck;
  decisions: DecisionRecord[];
  policy: SignOffPolicy;
}

function userIdOf(ctx: AuditContext): string | null {
  return ctx.principal.kind === 'user' ? ctx.principal.userId : null;
}

async function policiesOf(tx: Tx): Promise<{ signOff: SignOffPolicy; spending: SpendingRuleSet }> {
  const rows = await tx
    .selectFrom('partnership_policies')
    .select(['kind', 'policy'])
    .orderBy('recorded_at', 'desc')
    .execute();
  const latest = (kind: string) => rows.find((r) => r.kind === kind)?.policy;
  const signOff = parseSignOffPolicy(latest('sign_off') ?? {});
  const spending = parseSpendingRuleSet(latest('spending_rules') ?? DEFAULT_SPENDING_RULE_SET);
  return {
    signOff: signOff.ok ? signOff.policy : DEFAULT_SIGN_OFF_POLICY,
    spending: spending.ok ? spending.ruleSet : DEFAULT_SPENDING_RULE_SET,
  };
}

/** A new plan's starting document: the budget's streams, and the person's goals as an outcome. */
function startingDocument(
  allocation: StoredAllocation | undefined,
  previous: PlanDocument | undefined,
): PlanDocument {
  if (previous) return structuredClone(previous);
  if (!allocation) return structuredClone(EMPTY_PLAN);
  return planDocumentSchema.parse({
    streams: allocation.budget.streams.map((s) => ({
      id: s.id,
      name: s.name,
      body: fundingBodyOf(s) ?? (s.kind === 'socialCare' ? 'council' : 'nhs'),
      holding: 'direct_payment',
      managedBy: 'person',
    })),
  });
}

export function createPlanningService(deps: PlanningServiceDeps) {
  const { db, now } = deps;

  async function withPlan<T>(
    ctx: AuditContext,
    id: string,
    mode: Mode,
    fn: (tx: Tx, plan: PlanRecord, person: PersonRecord) => Promise<T>,
  ): Promise<T> {
    const personId = await inPartnership(db, ctx.principal.partnershipId, (tx) =>
      personOfPlan(tx, id),
    );
    if (!personId) throw new NotFound(PLAN_NOT_FOUND);
    return withPerson(db, ctx, personId, mode, now(), async (tx, { person }) => {
      const plan = await planById(tx, id);
      if (!plan) throw new NotFound(PLAN_NOT_FOUND);
      return fn(tx, plan, person);
    });
  }

  async function viewOf(tx: Tx, plan: PlanRecord, person: PersonRecord): Promise<PlanView> {
    const { signOff, spending } = await policiesOf(tx);
    const allocation = plan.allocationId ? await allocationById(tx, plan.allocationId) : undefined;
    return {
      plan,
      person,
      allocation,
      check: checkPlan(forCheck(plan.document, plan.indicativeAnnual), {
        spendingRules: spending,
      }),
      decisions: await decisionsOf(tx, plan.id),
      policy: signOff,
    };
  }

  return {
    /** Starts a plan (a new version after the last), or returns the one already open. */
    async start(ctx: AuditContext, personId: string): Promise<{ id: string; created: boolean }> {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const all = await plansOf(tx, person.id);
        const open = all.find((p) => p.status === 'draft' || p.status === 'submitted');
        if (open) return { id: open.id, created: false };
        const allocationId = await currentAllocationId(tx, person.id);
        const allocation = allocationId ? await allocationById(tx, allocationId) : undefined;
        if (!allocation)
          throw new Conflict(
            'Complete an assessment first: a support plan starts from the indicative budget.',
          );
        const previous = all.find((p) => p.status === 'approved') ?? all[0];
        const id = await insertDraftPlan(tx, {
          partnershipId: ctx.principal.partnershipId,
          personId: person.id,
          allocationId: allocation.id,
          indicativeAnnual: allocation.currentAnnual,
          document: startingDocument(allocation, previous?.document),
          userId: userIdOf(ctx),
        });
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'support_plan',
          recordId: id,
          personId: person.id,
          detail: { sequence: (all[0]?.sequence ?? 0) + 1, allocationId: allocation.id },
        });
        return { id, created: true };
      });
    },

    async get(ctx: AuditContext, id: string, mode: Mode = 'read'): Promise<PlanView> {
      return withPlan(ctx, id, mode, async (tx, plan, person) => {
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'support_plan',
          recordId: plan.id,
          personId: person.id,
        });
        return viewOf(tx, plan, person);
      });
    },

    /** Saves a draft's whole document against the version read. */
    async save(
      ctx: AuditContext,
      id: string,
      document: PlanDocument,
      version: number,
    ): Promise<number> {
      return withPlan(ctx, id, 'write', async (tx, plan, person) => {
        if (plan.status !== 'draft')
          throw new Conflict(
            'This plan has been submitted and cannot be changed. Start a new version instead.',
          );
        const { spending } = await policiesOf(tx);
        const check = checkPlan(forCheck(document, plan.indicativeAnnual), {
          spendingRules: spending,
        });
        const next = await saveDraftDocument(
          tx,
          plan.id,
          document,
          check.totals.annual,
          version,
          userIdOf(ctx),
        );
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'support_plan',
          recordId: plan.id,
          personId: person.id,
        });
        return next;
      });
    },

    /** Submits a draft with nothing to put right; returns who must sign it off. */
    /**
     * What changed in a draft since the version someone opened: for the page that tells them
     * their save came second. Null when the history does not reach back that far.
     */
    async changesSince(
      ctx: AuditContext,
      id: string,
      version: number,
    ): Promise<{ changes: string[]; savedByName: string | null; savedAt: Date } | null> {
      return withPlan(ctx, id, 'read', async (tx, plan, person) => {
        const [then, latest] = await Promise.all([
          revisionAt(tx, plan.id, version),
          revisionAt(tx, plan.id, plan.version),
        ]);
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'support_plan',
          recordId: plan.id,
          personId: person.id,
          detail: { changesSince: version },
        });
        if (!then || !latest) return null;
        return {
          changes: describePlanChanges(then.document, plan.document),
          savedByName: latest.savedByName,
          savedAt: latest.savedAt,
        };
      });
    },

    async submit(ctx: AuditContext, id: string, version: number): Promise<SignOffLevel> {
      return withPlan(ctx, id, 'write', async (tx, plan, person) => {
        if (plan.status !== 'draft') throw new Conflict('This plan has already been submitted.');
        const { signOff, spending } = await policiesOf(tx);
        const check = checkPlan(forCheck(plan.document, plan.indicativeAnnual), {
          spendingRules: spending,
        });
        if (!check.ok)
          throw new Invalid(
            check.problems.map((p) => ({ field: p.itemId ?? p.rule, message: p.message })),
          );
        const route = routeSignOff(signOff, {
          totalAnnual: check.totals.annual,
          indicativeAnnual: plan.indicativeAnnual,
          blockedItems: check.blockedItems,
        });
        if (!route.ok) throw new Invalid([{ field: 'items', message: route.message }]);
        await markSubmitted(tx, plan.id, version, route.level, userIdOf(ctx), now());
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'support_plan',
          recordId: plan.id,
          personId: person.id,
          detail: { submitted: true, route: route.level, because: route.because },
        });
        return route.level;
      });
    },

    /**
     * A sign-off decision: approve, refuse (with reasons) or pass up to the next level. On
     * approval the previous approved version is superseded and the reviews are scheduled.
     */
    async decide(
      ctx: AuditContext,
      id: string,
      decision: { outcome: 'approved' | 'refused' | 'escalated'; reason: string },
    ): Promise<void> {
      const principal = ctx.principal;
      if (principal.kind !== 'user') throw new Forbidden('Sign-off is for signed-in staff only');
      await withPlan(ctx, id, 'read', async (tx, plan, person) => {
        if (plan.status !== 'submitted' || !plan.route)
          throw new Conflict('This plan is not waiting for sign-off.');
        const { signOff } = await policiesOf(tx);
        const allowed = mayApprove(signOff, {
          level: plan.route,
          totalAnnual: plan.totalAnnual,
          writtenBy: [plan.createdBy, plan.submittedBy].filter((x): x is string => x !== null),
          approver: { userId: principal.userId, roles: [...principal.roles] },
        });
        if (!allowed.ok && decision.outcome === 'approved') throw new Forbidden(allowed.message);
        if (!levelsFor(signOff, [...principal.roles]).includes(plan.route))
          throw new Forbidden('You cannot make sign-off decisions at this level.');
        const at = now();
        if (decision.outcome === 'refused' && decision.reason.trim().length < 10)
          throw new Invalid([
            { field: 'reason', message: 'Give the reasons, in at least 10 characters' },
          ]);
        await insertPlanDecision(tx, {
          partnershipId: principal.partnershipId,
          planId: plan.id,
          step: plan.route,
          outcome: decision.outcome,
          reason: decision.reason.trim() || null,
          userId: principal.userId,
        });
        if (decision.outcome === 'approved') {
          const today = todayInLondon(at);
          await markApproved(tx, plan, today, at);
          await scheduleFor(tx, principal.partnershipId, plan, person, today);
          await deps.onApproved?.(tx, {
            partnershipId: principal.partnershipId,
            plan: { id: plan.id, personId: person.id, document: plan.document, approvedOn: today },
            person: { id: person.id, name: `${person.givenName} ${person.familyName}` },
            userId: principal.userId,
          });
        } else if (decision.outcome === 'refused') {
          await markRefused(tx, plan.id, at);
        } else {
          const next: SignOffLevel = plan.route === 'coordinator' ? 'team_manager' : 'panel';
          await setRoute(tx, plan.id, next);
        }
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'support_plan',
          recordId: plan.id,
          personId: person.id,
          reason: decision.reason.trim() || null,
          detail: { decision: decision.outcome, step: plan.route },
        });
      });
    },

    /** The person said yes to the plan. */
    async recordAgreement(
      ctx: AuditContext,
      id: string,
      agreement: { how: string; by: string },
    ): Promise<void> {
      await withPlan(ctx, id, 'write', async (tx, plan, person) => {
        if (plan.status === 'refused' || plan.status === 'superseded')
          throw new Conflict('This plan version is closed.');
        await recordAgreement(tx, plan.id, agreement, now());
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'support_plan',
          recordId: plan.id,
          personId: person.id,
          detail: { personAgreed: agreement },
        });
      });
    },

    /** What waits for the user's sign-off, oldest first, a page at a time, and how many in all. */
    async queue(
      ctx: AuditContext,
      page = 1,
      pageSize = LIST_PAGE_SIZE,
    ): Promise<{ entries: QueueEntry[]; total: number }> {
      const p = ctx.principal;
      if (p.kind !== 'user') throw new Forbidden('The sign-off queue is for signed-in staff only');
      return inPartnership(db, p.partnershipId, async (tx) => {
        const { signOff } = await policiesOf(tx);
        const levels = levelsFor(signOff, [...p.roles]);
        if (levels.length === 0) throw new Forbidden('You do not sign off support plans.');
        const teams = p.roles.has('partnership_admin') ? null : p.teamIds;
        const { entries, total } = await signOffQueue(
          tx,
          levels,
          teams,
          pageSize,
          (page - 1) * pageSize,
        );
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'support_plan',
          detail: { list: 'sign_off_queue', levels, page, count: entries.length },
        });
        return { entries, total };
      });
    },

    async forPerson(ctx: AuditContext, personId: string) {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const plans = await plansOf(tx, person.id);
        const reviews = await reviewsOf(tx, person.id);
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'support_plan',
          personId: person.id,
          detail: { plans: plans.length, reviews: reviews.length },
        });
        return { plans, reviews };
      });
    },
  };

  /** Replaces a person's outstanding planned reviews with the new plan's timetable. */
  async function scheduleFor(
    tx: Tx,
    partnershipId: string,
    plan: PlanRecord,
    person: PersonRecord,
    today: CivilDate,
  ): Promise<void> {
    await cancelOutstandingPlanned(
      tx,
      person.id,
      `replaced by plan version ${String(plan.sequence)}`,
    );
    const schedule = scheduleReviews({
      signedOffOn: today,
      streams: plan.document.streams.map((s) => ({
        id: s.id,
        body: s.body,
        holding: s.holding,
        firstPaymentOn: plan.document.startsOn as CivilDate | null,
        startsOn: plan.document.startsOn as CivilDate | null,
      })),
      completedReviews: [],
      today,
    });
    await insertReviews(
      tx,
      schedule.requirements.map((r) => ({
        partnershipId,
        personId: person.id,
        planId: plan.id,
        kind: 'planned' as const,
        rule: r.rule,
        earliestOn: r.earliestOn,
        dueOn: r.dueOn,
      })),
    );
  }
}

export type PlanningService = ReturnType<typeof createPlanningService>;
