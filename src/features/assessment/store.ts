// Assessments and eligibility decisions in the database. Every function takes a transaction
// already inside a partnership; the service audits.
import type { Tx } from '../../platform/db/database.js';
import { isUuid } from '../../platform/ids.js';

export { isUuid };
import { Conflict } from '../../platform/http/errors.js';
import { readAnswers, type AssessmentAnswers } from './answers.js';
import type { EligibilityDecision } from './eligibility.js';

export const STALE_ASSESSMENT_MESSAGE =
  'Someone else saved changes to this assessment while you were working on it';

export interface AssessmentRecord {
  id: string;
  personId: string;
  sequence: number;
  status: 'draft' | 'completed';
  answers: AssessmentAnswers;
  rasVersionId: string;
  version: number;
  startedAt: Date;
  startedByName: string | null;
  updatedAt: Date;
  completedAt: Date | null;
  completedByName: string | null;
}

export interface DecisionRecord {
  id: string;
  assessmentId: string;
  rulesVersion: string;
  careActEligible: boolean;
  nhsRight: 'section_117' | 'continuing_healthcare' | 'local_offer';
  decision: EligibilityDecision;
  explanation: string;
  decidedAt: Date;
  judgements: JudgementRecord[];
  /** The latest judgement's answer, or the rules' answer. */
  finalCareActEligible: boolean;
}

export interface JudgementRecord {
  id: string;
  careActEligible: boolean;
  reason: string;
  recordedByName: string | null;
  recordedAt: Date;
}

function selectAssessments(tx: Tx) {
  return tx
    .selectFrom('assessments as a')
    .leftJoin('users as s', 's.id', 'a.started_by')
    .leftJoin('users as c', 'c.id', 'a.completed_by')
    .select([
      'a.id',
      'a.person_id',
      'a.sequence',
      'a.status',
      'a.answers',
      'a.ras_version_id',
      'a.version',
      'a.started_at',
      's.full_name as started_by_name',
      'a.updated_at',
      'a.completed_at',
      'c.full_name as completed_by_name',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof selectAssessments>['execute']>>[number];

function toRecord(r: Row): AssessmentRecord {
  return {
    id: r.id,
    personId: r.person_id,
    sequence: r.sequence,
    status: r.status,
    answers: readAnswers(r.answers),
    rasVersionId: r.ras_version_id,
    version: r.version,
    startedAt: r.started_at,
    startedByName: r.started_by_name,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    completedByName: r.completed_by_name,
  };
}

/** Which person an assessment is about; undefined for an unknown or malformed id. */
export async function personOfAssessment(tx: Tx, id: string): Promise<string | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await tx
    .selectFrom('assessments')
    .select('person_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.person_id;
}

export async function assessmentById(tx: Tx, id: string): Promise<AssessmentRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const r = await selectAssessments(tx).where('a.id', '=', id).executeTakeFirst();
  return r ? toRecord(r) : undefined;
}

/** Every assessment of a person, newest first. */
export async function assessmentsOf(tx: Tx, personId: string): Promise<AssessmentRecord[]> {
  const rows = await selectAssessments(tx)
    .where('a.person_id', '=', personId)
    .orderBy('a.sequence', 'desc')
    .execute();
  return rows.map(toRecord);
}

export async function insertDraft(
  tx: Tx,
  d: {
    partnershipId: string;
    personId: string;
    rasVersionId: string;
    answers: AssessmentAnswers;
    userId: string | null;
  },
): Promise<string> {
  const last = await tx
    .selectFrom('assessments')
    .select((eb) => eb.fn.max('sequence').as('n'))
    .where('person_id', '=', d.personId)
    .executeTakeFirst();
  const r = await tx
    .insertInto('assessments')
    .values({
      partnership_id: d.partnershipId,
      person_id: d.personId,
      sequence: (last?.n ?? 0) + 1,
      answers: JSON.stringify(d.answers),
      ras_version_id: d.rasVersionId,
      started_by: d.userId,
      updated_by: d.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Saves a draft's answers if nobody else saved since `version`; returns the new version. */
export async function saveDraftAnswers(
  tx: Tx,
  id: string,
  answers: AssessmentAnswers,
  version: number,
  userId: string | null,
): Promise<number> {
  const r = await tx
    .updateTable('assessments')
    .set((eb) => ({
      answers: JSON.stringify(answers),
      version: eb('version', '+', 1),
      updated_by: userId,
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('version', '=', version)
    .returning('version')
    .executeTakeFirst();
  if (!r) throw new Conflict(STALE_ASSESSMENT_MESSAGE);
  return r.version;
}

export async function markCompleted(
  tx: Tx,
  id: string,
  version: number,
  userId: string | null,
  at: Date,
): Promise<void> {
  const r = await tx
    .updateTable('assessments')
    .set({ status: 'completed', completed_at: at, completed_by: userId, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  if (!r) throw new Conflict(STALE_ASSESSMENT_MESSAGE);
}

export async function deleteDraft(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('assessments').where('id', '=', id).where('status', '=', 'draft').execute();
}

export async function insertDecision(
  tx: Tx,
  d: {
    partnershipId: string;
    assessmentId: string;
    personId: string;
    decision: EligibilityDecision;
    userId: string | null;
  },
): Promise<string> {
  const r = await tx
    .insertInto('eligibility_decisions')
    .values({
      partnership_id: d.partnershipId,
      assessment_id: d.assessmentId,
      person_id: d.personId,
      rules_version: d.decision.rulesVersion,
      care_act_eligible: d.decision.careAct.eligible,
      nhs_right: d.decision.nhs.right,
      decision: JSON.stringify(d.decision),
      explanation: d.decision.explanation,
      decided_by: d.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function decisionsFor(
  tx: Tx,
  assessmentIds: string[],
): Promise<Map<string, DecisionRecord>> {
  const out = new Map<string, DecisionRecord>();
  if (assessmentIds.length === 0) return out;
  const rows = await tx
    .selectFrom('eligibility_decisions')
    .selectAll()
    .where('assessment_id', 'in', assessmentIds)
    .execute();
  if (rows.length === 0) return out;
  const judgements = await tx
    .selectFrom('eligibility_judgements as j')
    .leftJoin('users as u', 'u.id', 'j.recorded_by')
    .select([
      'j.id',
      'j.decision_id',
      'j.care_act_eligible',
      'j.reason',
      'u.full_name',
      'j.recorded_at',
    ])
    .where(
      'j.decision_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('j.recorded_at', 'desc')
    .orderBy('j.id')
    .execute();
  for (const r of rows) {
    const mine = judgements
      .filter((j) => j.decision_id === r.id)
      .map((j) => ({
        id: j.id,
        careActEligible: j.care_act_eligible,
        reason: j.reason,
        recordedByName: j.full_name,
        recordedAt: j.recorded_at,
      }));
    out.set(r.assessment_id, {
      id: r.id,
      assessmentId: r.assessment_id,
      rulesVersion: r.rules_version,
      careActEligible: r.care_act_eligible,
      nhsRight: r.nhs_right,
      decision: r.decision as EligibilityDecision,
      explanation: r.explanation,
      decidedAt: r.decided_at,
      judgements: mine,
      finalCareActEligible: mine[0]?.careActEligible ?? r.care_act_eligible,
    });
  }
  return out;
}

export async function insertJudgement(
  tx: Tx,
  j: {
    partnershipId: string;
    decisionId: string;
    careActEligible: boolean;
    reason: string;
    userId: string | null;
  },
): Promise<string> {
  const r = await tx
    .insertInto('eligibility_judgements')
    .values({
      partnership_id: j.partnershipId,
      decision_id: j.decisionId,
      care_act_eligible: j.careActEligible,
      reason: j.reason,
      recorded_by: j.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** For a caseload: each listed person's draft (if any) and latest completed assessment. */
export async function assessmentStatusOf(
  tx: Tx,
  personIds: readonly string[],
): Promise<
  Map<string, { draftId: string | null; draftUpdatedAt: Date | null; completedAt: Date | null }>
> {
  const out = new Map<
    string,
    { draftId: string | null; draftUpdatedAt: Date | null; completedAt: Date | null }
  >();
  if (personIds.length === 0) return out;
  const rows = await tx
    .selectFrom('assessments')
    .select(['id', 'person_id', 'status', 'updated_at', 'completed_at'])
    .where('person_id', 'in', [...personIds])
    .execute();
  for (const r of rows) {
    const s = out.get(r.person_id) ?? { draftId: null, draftUpdatedAt: null, completedAt: null };
    if (r.status === 'draft') {
      s.draftId = r.id;
      s.draftUpdatedAt = r.updated_at;
    } else if (r.completed_at && (!s.completedAt || r.completed_at > s.completedAt)) {
      s.completedAt = r.completed_at;
    }
    out.set(r.person_id, s);
  }
  return out;
}
