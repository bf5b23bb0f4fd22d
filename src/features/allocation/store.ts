// RAS versions, allocations and overrides in the database. Every function takes a transaction
// already inside a partnership (row-level security applies); none of them audits: the service
// that calls them does, in the same transaction.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { isUuid } from '../../platform/ids.js';

export { isUuid };
import { pence, type Pence } from '../../platform/money.js';
import { Conflict } from '../../platform/http/errors.js';
import {
  calculateIndicativeBudget,
  rasVersionSchema,
  type IndicativeBudget,
  type RasAnswers,
  type RasVersion,
} from './rules.js';

export const RAS_IN_USE_MESSAGE =
  'This RAS version is published or in use, so it cannot be changed. Make a new version instead.';

export interface StoredRasVersion {
  /** The database id (uuid). */
  id: string;
  status: 'draft' | 'published';
  definition: RasVersion;
  createdAt: Date;
  createdBy: string | null;
  publishedAt: Date | null;
  publishedBy: string | null;
  /** How many assessments use it. */
  uses: number;
}

export interface StoredAllocation {
  id: string;
  assessmentId: string;
  personId: string;
  rasVersionId: string;
  rasVersionCode: string;
  answers: RasAnswers;
  section117: boolean;
  budget: IndicativeBudget;
  calculatedAt: Date;
  calculatedBy: string | null;
  overrides: AllocationOverride[];
  /** The latest override's figure, or the RAS figure. */
  currentAnnual: Pence;
}

export interface AllocationOverride {
  id: string;
  annual: Pence;
  reason: string;
  recordedBy: string | null;
  recordedByName: string | null;
  recordedAt: Date;
}

/** True when a database error is the RAS version guard's refusal. */
export function isRasInUse(error: unknown): boolean {
  const e = error as { hint?: unknown; message?: unknown } | null;
  return (
    (typeof e?.hint === 'string' && e.hint === 'pooled:ras_version_in_use') ||
    (typeof e?.message === 'string' && e.message.includes('cannot be changed: make a new version'))
  );
}

function rasRow(r: {
  id: string;
  status: 'draft' | 'published';
  definition: unknown;
  created_at: Date;
  created_by: string | null;
  published_at: Date | null;
  published_by: string | null;
  uses: number | string | bigint;
}): StoredRasVersion {
  return {
    id: r.id,
    status: r.status,
    definition: rasVersionSchema.parse(r.definition),
    createdAt: r.created_at,
    createdBy: r.created_by,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    uses: Number(r.uses),
  };
}

function rasQuery(tx: Tx) {
  return tx
    .selectFrom('ras_versions as v')
    .select([
      'v.id',
      'v.status',
      'v.definition',
      'v.created_at',
      'v.created_by',
      'v.published_at',
      'v.published_by',
      sql<number>`(select count(*) from assessments a where a.ras_version_id = v.id)`.as('uses'),
    ]);
}

export async function listRasVersions(tx: Tx): Promise<StoredRasVersion[]> {
  const rows = await rasQuery(tx)
    .orderBy('v.effective_from', 'desc')
    .orderBy('v.created_at', 'desc')
    .execute();
  return rows.map(rasRow);
}

export async function rasVersionById(tx: Tx, id: string): Promise<StoredRasVersion | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await rasQuery(tx).where('v.id', '=', id).executeTakeFirst();
  return r ? rasRow(r) : undefined;
}

export async function rasVersionByCode(
  tx: Tx,
  code: string,
): Promise<StoredRasVersion | undefined> {
  const r = await rasQuery(tx).where('v.code', '=', code).executeTakeFirst();
  return r ? rasRow(r) : undefined;
}

/** The published version in force on a day: the latest effective date on or before it. */
export async function currentRasVersion(
  tx: Tx,
  today: string,
): Promise<StoredRasVersion | undefined> {
  const r = await rasQuery(tx)
    .where('v.status', '=', 'published')
    .where('v.effective_from', '<=', today)
    .orderBy('v.effective_from', 'desc')
    .orderBy('v.published_at', 'desc')
    .executeTakeFirst();
  return r ? rasRow(r) : undefined;
}

export async function insertRasVersion(
  tx: Tx,
  partnershipId: string,
  version: RasVersion,
  userId: string | null,
): Promise<string> {
  const existing = await tx
    .selectFrom('ras_versions')
    .select('id')
    .where('code', '=', version.id)
    .executeTakeFirst();
  if (existing)
    throw new Conflict(
      `There is already a RAS version with the id "${version.id}". Give the new version its own id.`,
    );
  const r = await tx
    .insertInto('ras_versions')
    .values({
      partnership_id: partnershipId,
      code: version.id,
      name: version.name,
      effective_from: version.effectiveFrom,
      definition: JSON.stringify(version),
      created_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Changes a draft. The database refuses it once the version is published or used. */
export async function updateDraftRasVersion(
  tx: Tx,
  id: string,
  version: RasVersion,
): Promise<void> {
  try {
    await tx
      .updateTable('ras_versions')
      .set({
        code: version.id,
        name: version.name,
        effective_from: version.effectiveFrom,
        definition: JSON.stringify(version),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  } catch (error) {
    if (isRasInUse(error)) throw new Conflict(RAS_IN_USE_MESSAGE);
    throw error;
  }
}

export async function publishRasVersion(tx: Tx, id: string, userId: string | null): Promise<void> {
  await tx
    .updateTable('ras_versions')
    .set({ status: 'published', published_at: new Date(), published_by: userId })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Allocations

export interface NewAllocation {
  partnershipId: string;
  assessmentId: string;
  personId: string;
  rasVersionId: string;
  answers: RasAnswers;
  section117: boolean;
  budget: IndicativeBudget;
  userId: string | null;
}

export async function insertAllocation(tx: Tx, a: NewAllocation): Promise<string> {
  const r = await tx
    .insertInto('allocations')
    .values({
      partnership_id: a.partnershipId,
      assessment_id: a.assessmentId,
      person_id: a.personId,
      ras_version_id: a.rasVersionId,
      answers: JSON.stringify(a.answers),
      section_117: a.section117,
      result: JSON.stringify(a.budget),
      total_points: a.budget.totalPoints,
      annual_pence: a.budget.annual,
      calculated_by: a.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

async function loadAllocations(
  tx: Tx,
  where: { assessmentIds?: string[]; ids?: string[] },
): Promise<StoredAllocation[]> {
  let q = tx
    .selectFrom('allocations as a')
    .innerJoin('ras_versions as v', 'v.id', 'a.ras_version_id')
    .select([
      'a.id',
      'a.assessment_id',
      'a.person_id',
      'a.ras_version_id',
      'v.code',
      'a.answers',
      'a.section_117',
      'a.result',
      'a.calculated_at',
      'a.calculated_by',
    ]);
  if (where.assessmentIds) {
    if (where.assessmentIds.length === 0) return [];
    q = q.where('a.assessment_id', 'in', where.assessmentIds);
  }
  if (where.ids) {
    if (where.ids.length === 0) return [];
    q = q.where('a.id', 'in', where.ids);
  }
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const overrides = await tx
    .selectFrom('allocation_overrides as o')
    .leftJoin('users as u', 'u.id', 'o.recorded_by')
    .select([
      'o.id',
      'o.allocation_id',
      'o.annual_pence',
      'o.reason',
      'o.recorded_by',
      'u.full_name',
      'o.recorded_at',
    ])
    .where(
      'o.allocation_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('o.recorded_at', 'desc')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => {
    const mine = overrides
      .filter((o) => o.allocation_id === r.id)
      .map((o) => ({
        id: o.id,
        annual: pence(o.annual_pence),
        reason: o.reason,
        recordedBy: o.recorded_by,
        recordedByName: o.full_name,
        recordedAt: o.recorded_at,
      }));
    const budget = r.result as IndicativeBudget;
    return {
      id: r.id,
      assessmentId: r.assessment_id,
      personId: r.person_id,
      rasVersionId: r.ras_version_id,
      rasVersionCode: r.code,
      answers: r.answers,
      section117: r.section_117,
      budget,
      calculatedAt: r.calculated_at,
      calculatedBy: r.calculated_by,
      overrides: mine,
      currentAnnual: mine[0]?.annual ?? budget.annual,
    };
  });
}

export async function allocationsForAssessments(
  tx: Tx,
  assessmentIds: string[],
): Promise<StoredAllocation[]> {
  return loadAllocations(tx, { assessmentIds });
}

export async function allocationById(tx: Tx, id: string): Promise<StoredAllocation | undefined> {
  if (!isUuid(id)) return undefined;
  return (await loadAllocations(tx, { ids: [id] }))[0];
}

export async function insertOverride(
  tx: Tx,
  partnershipId: string,
  allocationId: string,
  annual: Pence,
  reason: string,
  userId: string | null,
): Promise<string> {
  const r = await tx
    .insertInto('allocation_overrides')
    .values({
      partnership_id: partnershipId,
      allocation_id: allocationId,
      annual_pence: annual,
      reason,
      recorded_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Recalculates a stored allocation from its stored inputs and version. Used by tests and by
 * the "How your budget was worked out" page to prove that the stored figures still follow.
 */
export function recalculate(
  version: RasVersion,
  allocation: Pick<StoredAllocation, 'answers' | 'section117'>,
): IndicativeBudget {
  const r = calculateIndicativeBudget(version, allocation.answers, {
    section117: allocation.section117,
  });
  if (!r.ok) throw new Error(`stored allocation no longer calculates: ${r.messages.join('; ')}`);
  return r.budget;
}
