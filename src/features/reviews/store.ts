// Reviews in the database: scheduled when a plan is signed off, listed for a team by due date,
// completed or cancelled. Functions take a transaction inside a partnership; the service audits.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';

export interface NewReview {
  partnershipId: string;
  personId: string;
  planId: string;
  kind: 'planned' | 'unplanned';
  rule: string;
  earliestOn: string | null;
  dueOn: string;
}

export async function insertReviews(tx: Tx, reviews: readonly NewReview[]): Promise<string[]> {
  if (reviews.length === 0) return [];
  const rows = await tx
    .insertInto('reviews')
    .values(
      reviews.map((r) => ({
        partnership_id: r.partnershipId,
        person_id: r.personId,
        plan_id: r.planId,
        kind: r.kind,
        rule: r.rule,
        earliest_on: r.earliestOn,
        due_on: r.dueOn,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Cancels a person's outstanding planned reviews (a new plan version reschedules them). */
export async function cancelOutstandingPlanned(
  tx: Tx,
  personId: string,
  reason: string,
): Promise<number> {
  const r = await tx
    .updateTable('reviews')
    .set({ status: 'cancelled', cancelled_reason: reason })
    .where('person_id', '=', personId)
    .where('status', '=', 'due')
    .where('kind', '=', 'planned')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface DueReview {
  id: string;
  personId: string;
  personName: string;
  teamName: string | null;
  coordinatorName: string | null;
  kind: 'planned' | 'unplanned';
  rule: string;
  earliestOn: string | null;
  dueOn: string;
  overdue: boolean;
}

/**
 * Outstanding reviews for people in the given teams (null: the whole partnership), due on or
 * before `until`, earliest due first, a page at a time, with how many there are in all and how
 * many of those are overdue (due before `today`). The totals come in the same statement (one
 * round trip: this is every team's work list); when the page is empty they are counted apart.
 */
export async function dueReviews(
  tx: Tx,
  teamIds: readonly string[] | null,
  today: string,
  until: string,
  limit: number,
  offset = 0,
): Promise<{ reviews: DueReview[]; total: number; overdue: number }> {
  if (teamIds !== null && teamIds.length === 0) return { reviews: [], total: 0, overdue: 0 };
  const inTeams = teamIds === null ? sql`true` : sql`c.team_id = any(${[...teamIds]}::uuid[])`;
  let q = tx
    .selectFrom('reviews as r')
    .innerJoin('people as p', 'p.id', 'r.person_id')
    .leftJoin('teams as t', 't.id', 'p.team_id')
    .leftJoin('users as u', 'u.id', 'p.care_coordinator_id')
    .select([
      'r.id',
      'r.person_id',
      'p.given_name',
      'p.family_name',
      't.name as team_name',
      'u.full_name as coordinator_name',
      'r.kind',
      'r.rule',
      'r.earliest_on',
      'r.due_on',
      sql<number>`(select count(*)::int from reviews c
                    where c.status = 'due' and c.due_on <= ${until} and ${inTeams})`.as('total'),
      sql<number>`(select count(*)::int from reviews c
                    where c.status = 'due' and c.due_on < ${today} and c.due_on <= ${until}
                      and ${inTeams})`.as('overdue'),
    ])
    .where('r.status', '=', 'due')
    .where('r.due_on', '<=', until);
  if (teamIds !== null) q = q.where('r.team_id', 'in', [...teamIds]);
  const rows = await q.orderBy('r.due_on').orderBy('r.id').limit(limit).offset(offset).execute();
  const first = rows[0];
  const counts = first
    ? { total: first.total, overdue: first.overdue }
    : await countDueReviews(tx, teamIds, today, until);
  return {
    ...counts,
    reviews: rows.map((r) => ({
      id: r.id,
      personId: r.person_id,
      personName: `${r.given_name} ${r.family_name}`,
      teamName: r.team_name,
      coordinatorName: r.coordinator_name,
      kind: r.kind,
      rule: r.rule,
      earliestOn: r.earliest_on,
      dueOn: r.due_on,
      overdue: r.due_on < today,
    })),
  };
}

/** How many outstanding reviews `dueReviews` would list in all, and how many are overdue. */
export async function countDueReviews(
  tx: Tx,
  teamIds: readonly string[] | null,
  today: string,
  until: string,
): Promise<{ total: number; overdue: number }> {
  if (teamIds !== null && teamIds.length === 0) return { total: 0, overdue: 0 };
  let q = tx
    .selectFrom('reviews as r')
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where r.due_on < ${today}))::int`.as('overdue'),
    ])
    .where('r.status', '=', 'due')
    .where('r.due_on', '<=', until);
  if (teamIds !== null) q = q.where('r.team_id', 'in', [...teamIds]);
  const row = await q.executeTakeFirstOrThrow();
  return { total: row.total, overdue: row.overdue };
}

export async function reviewsOf(
  tx: Tx,
  personId: string,
): Promise<
  {
    id: string;
    kind: string;
    rule: string;
    dueOn: string;
    status: string;
    completedOn: string | null;
  }[]
> {
  const rows = await tx
    .selectFrom('reviews')
    .select(['id', 'kind', 'rule', 'due_on', 'status', 'completed_on'])
    .where('person_id', '=', personId)
    .orderBy('due_on')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    rule: r.rule,
    dueOn: r.due_on,
    status: r.status,
    completedOn: r.completed_on,
  }));
}
