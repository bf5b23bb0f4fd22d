// Outcome measures in the database: append-only rows of item ids and levels (never wording)
// with the score the rules gave when they were recorded. Runs inside the caller's transaction.
import type { Tx } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import type { Instrument } from './questionnaires.js';

export interface NewMeasure {
  partnershipId: string;
  personId: string;
  planId: string | null;
  reviewId: string | null;
  instrument: Instrument;
  takenOn: CivilDate;
  answers: unknown;
  score: unknown;
  recordedBy: string | null;
}

export interface MeasureRow {
  id: string;
  instrument: Instrument;
  takenOn: string;
  planId: string | null;
  reviewId: string | null;
  answers: unknown;
  recordedAt: Date;
}

export async function insertMeasure(tx: Tx, m: NewMeasure): Promise<string> {
  const row = await tx
    .insertInto('outcome_measures')
    .values({
      partnership_id: m.partnershipId,
      person_id: m.personId,
      plan_id: m.planId,
      review_id: m.reviewId,
      instrument: m.instrument,
      taken_on: m.takenOn,
      answers: JSON.stringify(m.answers),
      score: JSON.stringify(m.score),
      recorded_by: m.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A person's measurements, oldest first (by the date taken, then when recorded). */
export async function measuresOf(tx: Tx, personId: string): Promise<MeasureRow[]> {
  const rows = await tx
    .selectFrom('outcome_measures')
    .select(['id', 'instrument', 'taken_on', 'plan_id', 'review_id', 'answers', 'recorded_at'])
    .where('person_id', '=', personId)
    .orderBy('taken_on')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    instrument: r.instrument,
    takenOn: r.taken_on,
    planId: r.plan_id,
    reviewId: r.review_id,
    answers: r.answers,
    recordedAt: r.recorded_at,
  }));
}

/** The ids of a person's reviews, for checking that a measurement's review is theirs. */
export async function reviewIdsOf(tx: Tx, personId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('reviews')
    .select('id')
    .where('person_id', '=', personId)
    .orderBy('due_on')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Whether a support plan is one of the person's (any version, any status). */
export async function isPlanOf(tx: Tx, personId: string, planId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('support_plans')
    .select('id')
    .where('person_id', '=', personId)
    .where('id', '=', planId)
    .executeTakeFirst();
  return row !== undefined;
}
