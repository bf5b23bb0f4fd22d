// Budgets for a new financial year (decision 14, addendum "New years and new plan versions"):
// every person whose signed-off plan is still in force on 1 April gets that year's budgets from
// it, exactly as approval makes a first year's (without one-off items, met in the first year).
// A version already replaced by one that starts after 1 April is still in force until then: it
// gets the year's budgets from 1 April to the day before the new version starts.
// Nothing is paid here: the payment run picks up the new schedule lines.
import { sql } from 'kysely';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { addDays, type CivilDate } from '../../platform/dates.js';
import { planDocumentSchema } from '../planning/index.js';
import { yearEnd, yearStart } from './rules.js';
import { makeBudgets } from './make.js';

export const DEFAULT_RENEW_BATCH = 200;

export interface RenewalResult {
  /** People who got at least one budget in this call. */
  people: number;
  budgets: number;
  batches: number;
}

/**
 * Makes the budgets of `year` for every plan in force on that year's 1 April (its support started
 * on or before it) that has no budget for the year yet: approved plans, for the whole year, and a
 * replaced version whose later versions all start after 1 April, from 1 April to the day before
 * the earliest of them starts (a version's start is the later of its start date and its sign-off,
 * as for its own budgets), made already ended and replaced by it. People are taken in batches in
 * person order, each batch in its own transaction: a run stopped half way has made whole
 * batches, and running it again makes the rest (plans with budgets for the year are skipped,
 * and a budget per plan, stream and year is unique in the database).
 */
export async function renewBudgetsForYear(
  db: Db,
  partnershipId: string,
  year: number,
  o: { batchSize?: number; onBatch?: (r: RenewalResult) => void; at?: Date } = {},
): Promise<RenewalResult> {
  const size = o.batchSize ?? DEFAULT_RENEW_BATCH;
  const from = yearStart(year);
  const at = o.at ?? new Date();
  const result: RenewalResult = { people: 0, budgets: 0, batches: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const last = await inPartnership(db, partnershipId, async (tx) => {
      // Two renewals at once would make the same budgets: one waits for the other's batch.
      await sql`select pg_advisory_xact_lock(hashtext(${`pooled:renew:${partnershipId}`}))`.execute(
        tx,
      );
      const plans = await sql<{
        id: string;
        person_id: string;
        document: unknown;
        approved_on: CivilDate | null;
        given_name: string;
        family_name: string;
        next_id: string | null;
        next_starts_on: CivilDate | null;
      }>`
        select s.id, s.person_id, s.document, s.approved_on, p.given_name, p.family_name,
               n.id as next_id, n.starts_on as next_starts_on
          from support_plans s
          join people p on p.id = s.person_id
          -- A replaced version's successor: of the versions signed off after it, the one that
          -- starts first (its budgets start on the later of its start date and its sign-off).
          left join lateral (
            select v.id,
                   greatest(coalesce(v.document->>'startsOn', v.approved_on::text),
                            v.approved_on::text) as starts_on
              from support_plans v
             where s.status = 'superseded'
               and v.person_id = s.person_id
               and v.sequence > s.sequence
               and v.status in ('approved', 'superseded')
             order by 2, v.sequence
             limit 1) n on true
         where s.partnership_id = ${partnershipId}::uuid
           and (s.status = 'approved' or (s.status = 'superseded' and n.starts_on > ${from}))
           and s.person_id > ${after}::uuid
           and coalesce(s.document->>'startsOn', s.approved_on::text) <= ${from}
           and not exists (select 1 from budgets b
                            where b.plan_id = s.id and b.financial_year = ${year})
         order by s.person_id
         limit ${size}`.execute(tx);
      for (const r of plans.rows) {
        const parsed = planDocumentSchema.safeParse(r.document);
        if (!parsed.success) continue;
        const made = await makeBudgets(
          tx,
          {
            partnershipId,
            plan: {
              id: r.id,
              personId: r.person_id,
              document: parsed.data,
              approvedOn: r.approved_on,
            },
            person: { id: r.person_id, name: `${r.given_name} ${r.family_name}` },
            userId: null,
          },
          {
            from,
            oneOffs: false,
            // Replaced from a later year still: in force for the whole of this one.
            ...(r.next_id !== null && r.next_starts_on !== null && r.next_starts_on <= yearEnd(year)
              ? {
                  until: {
                    endsOn: addDays(r.next_starts_on, -1),
                    replacedByPlanId: r.next_id,
                    at,
                  },
                }
              : {}),
          },
        );
        if (made.created.length > 0) {
          result.people++;
          result.budgets += made.created.length;
        }
      }
      return plans.rows.at(-1)?.person_id ?? null;
    });
    if (last === null) break;
    after = last;
    result.batches++;
    o.onBatch?.({ ...result });
  }
  return result;
}
