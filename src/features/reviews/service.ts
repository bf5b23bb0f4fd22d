// Reviews for people: each team's due and overdue reviews, recording a review (outcomes achieved,
// the person's view, whether the budget is enough and used as agreed, changes needed), the next
// planned review on the same timetable, and unplanned reviews with their CLD reason. Every call
// goes through the people feature's access rule and audits in the same transaction.
import { z } from 'zod';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Conflict, Forbidden, NotFound } from '../../platform/http/errors.js';
import { LIST_PAGE_SIZE } from '../../platform/http/paging.js';
import {
  goalAttainmentAnswersSchema,
  summariseGoalAttainment,
  type GoalAchievement,
} from '../measures/index.js';
import { withPerson, type PersonRecord } from '../people/index.js';
import {
  addDays,
  FUNDING_BODIES,
  HOLDING_OPTIONS,
  PLANNED_REVIEW_RULES,
  scheduleReviews,
  type PlannedReviewRule,
  type UnplannedReview,
} from './rules.js';
import { dueReviews, insertReviews, type DueReview } from './store.js';

export interface ReviewServiceDeps {
  db: Db;
  now: () => Date;
}

export const REVIEW_NOT_FOUND = 'There is no review with this ID in your partnership';

/** What a completed review records. */
export interface ReviewRecordInput {
  outcomes: { outcomeId: string; text: string; achieved: GoalAchievement }[];
  personView: string;
  budgetSufficient: boolean;
  usedAsAgreed: boolean;
  usedAsAgreedNotes: string;
  changesNeeded: boolean;
  changes: string;
}

export interface ReviewRecord {
  id: string;
  personId: string;
  planId: string;
  kind: 'planned' | 'unplanned';
  rule: string;
  earliestOn: string | null;
  dueOn: string;
  status: 'due' | 'completed' | 'cancelled';
  document: Record<string, unknown> | null;
  completedOn: string | null;
  completedByName: string | null;
}

export interface ReviewPlan {
  id: string;
  sequence: number;
  status: string;
  approvedOn: string | null;
  outcomes: { id: string; text: string }[];
}

/** Only what reviews need of a plan document; the planning feature owns the full schema. */
const planPartsSchema = z.object({
  outcomes: z.array(z.object({ id: z.string(), text: z.string() })).catch([]),
  streams: z
    .array(
      z.object({
        id: z.string(),
        body: z.enum(FUNDING_BODIES),
        holding: z.enum(HOLDING_OPTIONS),
      }),
    )
    .catch([]),
  startsOn: z.string().nullable().catch(null),
});
const readPlanParts = (doc: unknown) =>
  planPartsSchema.catch({ outcomes: [], streams: [], startsOn: null }).parse(doc ?? {});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The family of a planned rule: its first and annual rules share a timetable. */
function familyOf(rule: string): string | null {
  return (PLANNED_REVIEW_RULES as readonly string[]).includes(rule)
    ? rule.replace(/_(first|annual)$/, '')
    : null;
}

/** For a review recorded through the API: 'API client <name>', as the audit trail says it. */
function apiClientName(document: unknown): string | null {
  const by = (document as { recordedBy?: { apiClient?: unknown } } | null)?.recordedBy;
  return typeof by?.apiClient === 'string' ? `API client ${by.apiClient}` : null;
}

async function reviewById(tx: Tx, id: string): Promise<ReviewRecord | undefined> {
  if (!UUID.test(id)) return undefined;
  const r = await tx
    .selectFrom('reviews as r')
    .leftJoin('users as u', 'u.id', 'r.completed_by')
    .select([
      'r.id',
      'r.person_id',
      'r.plan_id',
      'r.kind',
      'r.rule',
      'r.earliest_on',
      'r.due_on',
      'r.status',
      'r.document',
      'r.completed_on',
      'u.full_name',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    personId: r.person_id,
    planId: r.plan_id,
    kind: r.kind,
    rule: r.rule,
    earliestOn: r.earliest_on,
    dueOn: r.due_on,
    status: r.status,
    document: (r.document as Record<string, unknown> | null) ?? null,
    completedOn: r.completed_on,
    completedByName: r.full_name ?? apiClientName(r.document),
  };
}

async function planOf(tx: Tx, planId: string) {
  const r = await tx
    .selectFrom('support_plans')
    .select(['id', 'sequence', 'status', 'approved_on', 'document'])
    .where('id', '=', planId)
    .executeTakeFirstOrThrow();
  return { row: r, parts: readPlanParts(r.document) };
}

export function createReviewService(deps: ReviewServiceDeps) {
  const { db, now } = deps;

  async function withReview<T>(
    ctx: AuditContext,
    id: string,
    mode: 'read' | 'write',
    fn: (tx: Tx, review: ReviewRecord, person: PersonRecord) => Promise<T>,
  ): Promise<T> {
    const personId = await inPartnership(db, ctx.principal.partnershipId, async (tx) =>
      UUID.test(id)
        ? (
            await tx
              .selectFrom('reviews')
              .select('person_id')
              .where('id', '=', id)
              .executeTakeFirst()
          )?.person_id
        : undefined,
    );
    if (!personId) throw new NotFound(REVIEW_NOT_FOUND);
    return withPerson(db, ctx, personId, mode, now(), async (tx, { person }) => {
      const review = await reviewById(tx, id);
      if (!review) throw new NotFound(REVIEW_NOT_FOUND);
      return fn(tx, review, person);
    });
  }

  return {
    /**
     * Outstanding reviews due by `until` for the user's teams (the whole partnership for a
     * partnership administrator), earliest due first, overdue marked.
     */
    async teamList(
      ctx: AuditContext,
      options: { until: CivilDate; overdueOnly: boolean; page?: number },
      pageSize = LIST_PAGE_SIZE,
    ): Promise<{
      today: CivilDate;
      reviews: DueReview[];
      total: number;
      overdue: number;
    }> {
      const p = ctx.principal;
      if (p.kind !== 'user') throw new Forbidden('Reviews are for signed-in staff only');
      const whole = p.roles.has('partnership_admin');
      if (!whole && !p.roles.has('team_manager') && !p.roles.has('care_coordinator'))
        throw new Forbidden('Your role does not include reviews.');
      const today = todayInLondon(now());
      const until = options.overdueOnly ? addDays(today, -1) : options.until;
      const page = options.page ?? 1;
      const teams = whole ? null : p.teamIds;
      return inPartnership(db, p.partnershipId, async (tx) => {
        const { reviews, ...counts } = await dueReviews(
          tx,
          teams,
          today,
          until,
          pageSize,
          (page - 1) * pageSize,
        );
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'review',
          detail: { list: 'due_reviews', until, page, count: reviews.length },
        });
        return { today, reviews, ...counts };
      });
    },

    async get(ctx: AuditContext, id: string, mode: 'read' | 'write' = 'read') {
      return withReview(ctx, id, mode, async (tx, review, person) => {
        const { row, parts } = await planOf(tx, review.planId);
        const plan: ReviewPlan = {
          id: row.id,
          sequence: row.sequence,
          status: row.status,
          approvedOn: row.approved_on,
          outcomes: parts.outcomes,
        };
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'review',
          recordId: review.id,
          personId: person.id,
        });
        return { review, person, plan, today: todayInLondon(now()) };
      });
    },

    /**
     * Completes a due review: stores what it found and the goal attainment measure, and for a
     * planned review schedules the next one on the same timetable. Returns the next due date.
     */
    async complete(
      ctx: AuditContext,
      id: string,
      record: ReviewRecordInput,
    ): Promise<{ nextDueOn: CivilDate | null }> {
      // Staff record reviews on the pages; an API client (a partnership's case-management
      // system, say) may record one held and written up there. The review then has no user as
      // completed_by; the client's name is kept in the document and the audit trail.
      const p = ctx.principal;
      const userId = p.kind === 'user' ? p.userId : null;
      const recordedBy = p.kind === 'user' ? null : { apiClient: p.name };
      return withReview(ctx, id, 'write', async (tx, review, person) => {
        if (review.status !== 'due') throw new Conflict('This review is already closed.');
        const at = now();
        const today = todayInLondon(at);
        const goals = goalAttainmentAnswersSchema.parse({
          outcomes: record.outcomes.map((o) => ({ outcomeId: o.outcomeId, achieved: o.achieved })),
        });
        const updated = await tx
          .updateTable('reviews')
          .set({
            status: 'completed',
            completed_on: today,
            completed_by: userId,
            completed_at: at,
            document: JSON.stringify({
              ...(review.document ?? {}),
              record,
              ...(recordedBy ? { recordedBy } : {}),
            }),
          })
          .where('id', '=', review.id)
          .where('status', '=', 'due')
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw new Conflict('This review is already closed.');
        if (goals.outcomes.length > 0) {
          await tx
            .insertInto('outcome_measures')
            .values({
              partnership_id: p.partnershipId,
              person_id: person.id,
              plan_id: review.planId,
              review_id: review.id,
              instrument: 'goal_attainment',
              taken_on: today,
              answers: JSON.stringify(goals),
              score: JSON.stringify(summariseGoalAttainment(goals)),
              recorded_by: userId,
            })
            .execute();
        }
        const nextDueOn = await scheduleNext(tx, p.partnershipId, review, today);
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'review',
          recordId: review.id,
          personId: person.id,
          detail: { completed: true, changesNeeded: record.changesNeeded, nextDueOn },
        });
        return { nextDueOn };
      });
    },

    /** The person's current signed-off plan, which an unplanned review is of. */
    async forUnplanned(ctx: AuditContext, personId: string) {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const plan = await currentPlan(tx, person.id);
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'person',
          recordId: person.id,
          personId: person.id,
          detail: { page: 'unplanned_review' },
        });
        return { person, plan, today: todayInLondon(now()) };
      });
    },

    async createUnplanned(
      ctx: AuditContext,
      personId: string,
      review: UnplannedReview,
    ): Promise<string> {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const plan = await currentPlan(tx, person.id);
        if (!plan)
          throw new Conflict(
            'There is no signed-off support plan to review yet: an unplanned review is of a plan.',
          );
        const r = await tx
          .insertInto('reviews')
          .values({
            partnership_id: ctx.principal.partnershipId,
            person_id: person.id,
            plan_id: plan.id,
            kind: 'unplanned',
            rule: review.rule,
            earliest_on: null,
            due_on: review.dueOn,
            document: JSON.stringify({
              request: {
                details: review.details,
                trigger: review.trigger,
                source: review.source,
                requestedOn: review.requestedOn,
              },
            }),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'review',
          recordId: r.id,
          personId: person.id,
          detail: { kind: 'unplanned', reason: review.rule, dueOn: review.dueOn },
        });
        return r.id;
      });
    },
  };

  async function currentPlan(tx: Tx, personId: string) {
    return tx
      .selectFrom('support_plans')
      .select(['id', 'sequence'])
      .where('person_id', '=', personId)
      .where('status', '=', 'approved')
      .orderBy('sequence', 'desc')
      .executeTakeFirst();
  }

  /** After a planned review: the next one on its timetable (12 months on, by the rules). */
  async function scheduleNext(
    tx: Tx,
    partnershipId: string,
    review: ReviewRecord,
    today: CivilDate,
  ): Promise<CivilDate | null> {
    const family = familyOf(review.rule);
    if (family === null) return null;
    const { row, parts } = await planOf(tx, review.planId);
    if (row.status !== 'approved' || row.approved_on === null) return null;
    const startsOn = parts.startsOn as CivilDate | null;
    const schedule = scheduleReviews({
      signedOffOn: row.approved_on as CivilDate,
      streams: parts.streams.map((s) => ({ ...s, firstPaymentOn: startsOn, startsOn })),
      completedReviews: [{ completedOn: today }],
      today,
    });
    const next = schedule.requirements.find((r) => familyOf(r.rule) === family);
    if (!next) return null;
    await insertReviews(tx, [
      {
        partnershipId,
        personId: review.personId,
        planId: review.planId,
        kind: 'planned',
        rule: next.rule satisfies PlannedReviewRule,
        earliestOn: next.earliestOn,
        dueOn: next.dueOn,
      },
    ]);
    return next.dueOn;
  }
}

export type ReviewService = ReturnType<typeof createReviewService>;
