// Support plans, sign-off decisions and the sign-off queue in the database. Every function takes
// a transaction already inside a partnership; the service audits.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { isUuid } from '../../platform/ids.js';

export { isUuid };
import type { PlanStatus, SignOffLevel } from '../../platform/db/schema.js';
import { Conflict } from '../../platform/http/errors.js';
import { pence, type Pence } from '../../platform/money.js';
import { readPlanDocument, type PlanDocument } from './document.js';

export const STALE_PLAN_MESSAGE =
  'Someone else saved changes to this plan while you were working on it';

export interface PlanRecord {
  id: string;
  personId: string;
  sequence: number;
  allocationId: string | null;
  status: PlanStatus;
  document: PlanDocument;
  totalAnnual: Pence;
  indicativeAnnual: Pence | null;
  route: SignOffLevel | null;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedBy: string | null;
  submittedAt: Date | null;
  approvedOn: string | null;
  approvedAt: Date | null;
  personAgreedAt: Date | null;
  personAgreement: { how: string; by: string } | null;
}

export interface DecisionRecord {
  id: string;
  step: SignOffLevel;
  outcome: 'approved' | 'refused' | 'escalated';
  reason: string | null;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: Date;
}

function select(tx: Tx) {
  return tx.selectFrom('support_plans').selectAll();
}
type Row = Awaited<ReturnType<ReturnType<typeof select>['execute']>>[number];

function toRecord(r: Row): PlanRecord {
  return {
    id: r.id,
    personId: r.person_id,
    sequence: r.sequence,
    allocationId: r.allocation_id,
    status: r.status,
    document: readPlanDocument(r.document),
    totalAnnual: pence(r.total_annual_pence),
    indicativeAnnual: r.indicative_annual_pence === null ? null : pence(r.indicative_annual_pence),
    route: r.route,
    version: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    approvedOn: r.approved_on,
    approvedAt: r.approved_at,
    personAgreedAt: r.person_agreed_at,
    personAgreement: (r.person_agreement as { how: string; by: string } | null) ?? null,
  };
}

export async function personOfPlan(tx: Tx, id: string): Promise<string | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await tx
    .selectFrom('support_plans')
    .select('person_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.person_id;
}

export async function planById(tx: Tx, id: string): Promise<PlanRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await select(tx).where('id', '=', id).executeTakeFirst();
  return r ? toRecord(r) : undefined;
}

/** A person's plans, newest version first. */
export async function plansOf(tx: Tx, personId: string): Promise<PlanRecord[]> {
  const rows = await select(tx)
    .where('person_id', '=', personId)
    .orderBy('sequence', 'desc')
    .execute();
  return rows.map(toRecord);
}

export async function insertDraftPlan(
  tx: Tx,
  d: {
    partnershipId: string;
    personId: string;
    allocationId: string | null;
    indicativeAnnual: Pence | null;
    document: PlanDocument;
    userId: string | null;
  },
): Promise<string> {
  const last = await tx
    .selectFrom('support_plans')
    .select((eb) => eb.fn.max('sequence').as('n'))
    .where('person_id', '=', d.personId)
    .executeTakeFirst();
  const r = await tx
    .insertInto('support_plans')
    .values({
      partnership_id: d.partnershipId,
      person_id: d.personId,
      sequence: (last?.n ?? 0) + 1,
      allocation_id: d.allocationId,
      indicative_annual_pence: d.indicativeAnnual,
      document: JSON.stringify(d.document),
      created_by: d.userId,
      updated_by: d.userId,
    })
    .returning(['id', 'version'])
    .executeTakeFirstOrThrow();
  await insertRevision(tx, d.partnershipId, r.id, r.version, d.document, d.userId);
  return r.id;
}

async function insertRevision(
  tx: Tx,
  partnershipId: string,
  planId: string,
  version: number,
  document: PlanDocument,
  userId: string | null,
): Promise<void> {
  await tx
    .insertInto('support_plan_revisions')
    .values({
      partnership_id: partnershipId,
      plan_id: planId,
      version,
      document: JSON.stringify(document),
      saved_by: userId,
    })
    .execute();
}

export interface PlanRevision {
  version: number;
  document: PlanDocument;
  savedByName: string | null;
  savedAt: Date;
}

/** A draft's document as saved at `version`, and who saved it, if the history has it. */
export async function revisionAt(
  tx: Tx,
  planId: string,
  version: number,
): Promise<PlanRevision | undefined> {
  const r = await tx
    .selectFrom('support_plan_revisions as v')
    .leftJoin('users as u', 'u.id', 'v.saved_by')
    .select(['v.version', 'v.document', 'v.saved_at', 'u.full_name'])
    .where('v.plan_id', '=', planId)
    .where('v.version', '=', version)
    .executeTakeFirst();
  return r
    ? {
        version: r.version,
        document: readPlanDocument(r.document),
        savedByName: r.full_name,
        savedAt: r.saved_at,
      }
    : undefined;
}

/** Saves a draft's document and total if nobody saved since `version`; returns the new version. */
export async function saveDraftDocument(
  tx: Tx,
  id: string,
  document: PlanDocument,
  totalAnnual: Pence,
  version: number,
  userId: string | null,
): Promise<number> {
  const r = await tx
    .updateTable('support_plans')
    .set((eb) => ({
      document: JSON.stringify(document),
      total_annual_pence: totalAnnual,
      version: eb('version', '+', 1),
      updated_by: userId,
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('version', '=', version)
    .returning(['version', 'partnership_id'])
    .executeTakeFirst();
  if (!r) throw new Conflict(STALE_PLAN_MESSAGE);
  await insertRevision(tx, r.partnership_id, id, r.version, document, userId);
  return r.version;
}

export async function markSubmitted(
  tx: Tx,
  id: string,
  version: number,
  route: SignOffLevel,
  userId: string | null,
  at: Date,
): Promise<void> {
  const r = await tx
    .updateTable('support_plans')
    .set((eb) => ({
      status: 'submitted' as const,
      route,
      submitted_by: userId,
      submitted_at: at,
      version: eb('version', '+', 1),
      updated_at: at,
    }))
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  if (!r) throw new Conflict(STALE_PLAN_MESSAGE);
}

/** Moves a submitted plan up to the next level of sign-off. */
export async function setRoute(tx: Tx, id: string, route: SignOffLevel): Promise<void> {
  await tx
    .updateTable('support_plans')
    .set({ route, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .execute();
}

/** Approves a submitted plan, and marks the person's earlier approved version superseded. */
export async function markApproved(tx: Tx, plan: PlanRecord, on: string, at: Date): Promise<void> {
  await tx
    .updateTable('support_plans')
    .set({ status: 'superseded', updated_at: at })
    .where('person_id', '=', plan.personId)
    .where('status', '=', 'approved')
    .execute();
  const r = await tx
    .updateTable('support_plans')
    .set({ status: 'approved', approved_on: on, approved_at: at, updated_at: at })
    .where('id', '=', plan.id)
    .where('status', '=', 'submitted')
    .returning('id')
    .executeTakeFirst();
  if (!r) throw new Conflict('This plan is no longer waiting for sign-off');
}

export async function markRefused(tx: Tx, id: string, at: Date): Promise<void> {
  const r = await tx
    .updateTable('support_plans')
    .set({ status: 'refused', updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'submitted')
    .returning('id')
    .executeTakeFirst();
  if (!r) throw new Conflict('This plan is no longer waiting for sign-off');
}

export async function recordAgreement(
  tx: Tx,
  id: string,
  agreement: { how: string; by: string },
  at: Date,
): Promise<void> {
  await tx
    .updateTable('support_plans')
    .set({ person_agreed_at: at, person_agreement: JSON.stringify(agreement) })
    .where('id', '=', id)
    .execute();
}

export async function insertPlanDecision(
  tx: Tx,
  d: {
    partnershipId: string;
    planId: string;
    step: SignOffLevel;
    outcome: 'approved' | 'refused' | 'escalated';
    reason: string | null;
    userId: string | null;
  },
): Promise<string> {
  const r = await tx
    .insertInto('plan_decisions')
    .values({
      partnership_id: d.partnershipId,
      plan_id: d.planId,
      step: d.step,
      outcome: d.outcome,
      reason: d.reason,
      decided_by: d.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function decisionsOf(tx: Tx, planId: string): Promise<DecisionRecord[]> {
  const rows = await tx
    .selectFrom('plan_decisions as d')
    .leftJoin('users as u', 'u.id', 'd.decided_by')
    .select([
      'd.id',
      'd.step',
      'd.outcome',
      'd.reason',
      'd.decided_by',
      'u.full_name',
      'd.decided_at',
    ])
    .where('d.plan_id', '=', planId)
    .orderBy('d.decided_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    step: r.step,
    outcome: r.outcome,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedByName: r.full_name,
    decidedAt: r.decided_at,
  }));
}

export interface QueueEntry {
  planId: string;
  personId: string;
  personName: string;
  teamName: string | null;
  sequence: number;
  route: SignOffLevel;
  totalAnnual: Pence;
  indicativeAnnual: Pence | null;
  submittedAt: Date;
  /** When the plan reached its current step (the last escalation, or submission). */
  stepSince: Date;
}

/**
 * Plans waiting for sign-off at the given levels, oldest first. Team managers see their teams'
 * plans; pass teamIds = null for the whole partnership.
 */
export async function signOffQueue(
  tx: Tx,
  routes: readonly SignOffLevel[],
  teamIds: readonly string[] | null,
  limit: number,
  offset = 0,
): Promise<{ entries: QueueEntry[]; total: number }> {
  if (routes.length === 0 || (teamIds !== null && teamIds.length === 0))
    return { entries: [], total: 0 };
  const inTeams = teamIds === null ? sql`true` : sql`c.team_id = any(${[...teamIds]}::uuid[])`;
  let q = tx
    .selectFrom('support_plans as s')
    .innerJoin('people as p', 'p.id', 's.person_id')
    .leftJoin('teams as t', 't.id', 'p.team_id')
    .select([
      's.id',
      's.person_id',
      'p.given_name',
      'p.family_name',
      't.name as team_name',
      's.sequence',
      's.route',
      's.total_annual_pence',
      's.indicative_annual_pence',
      's.submitted_at',
      sql<Date | null>`(select max(d.decided_at) from plan_decisions d where d.plan_id = s.id and d.outcome = 'escalated')`.as(
        'escalated_at',
      ),
      // The total in the same statement: one round trip for every team's work list.
      sql<number>`(select count(*)::int from support_plans c
                    where c.status = 'submitted' and c.route = any(${[...routes]}::text[])
                      and ${inTeams})`.as('total'),
    ])
    .where('s.status', '=', 'submitted')
    .where('s.route', 'in', [...routes]);
  if (teamIds !== null) q = q.where('s.team_id', 'in', [...teamIds]);
  const rows = await q
    .orderBy('s.submitted_at')
    .orderBy('s.id')
    .limit(limit)
    .offset(offset)
    .execute();
  const total = rows[0]?.total ?? (await countSignOffQueue(tx, routes, teamIds));
  const entries = rows.map((r) => ({
    planId: r.id,
    personId: r.person_id,
    personName: `${r.given_name} ${r.family_name}`,
    teamName: r.team_name,
    sequence: r.sequence,
    route: r.route ?? 'coordinator',
    totalAnnual: pence(r.total_annual_pence),
    indicativeAnnual: r.indicative_annual_pence === null ? null : pence(r.indicative_annual_pence),
    submittedAt: r.submitted_at ?? new Date(0),
    stepSince: r.escalated_at ?? r.submitted_at ?? new Date(0),
  }));
  return { entries, total };
}

/** How many plans `signOffQueue` would list in all. */
export async function countSignOffQueue(
  tx: Tx,
  routes: readonly SignOffLevel[],
  teamIds: readonly string[] | null,
): Promise<number> {
  if (routes.length === 0 || (teamIds !== null && teamIds.length === 0)) return 0;
  let q = tx
    .selectFrom('support_plans as s')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('s.status', '=', 'submitted')
    .where('s.route', 'in', [...routes]);
  if (teamIds !== null) q = q.where('s.team_id', 'in', [...teamIds]);
  return (await q.executeTakeFirstOrThrow()).n;
}
