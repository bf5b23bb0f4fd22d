// Budgets for a new financial year (decision 14, addendum "New years and new plan versions"):
// every person whose signed-off plan is still in force on 1 April gets that year's budgets from
// it, exactly as approval makes a first year's (without one-off items, met in the first year).
// Nothing is paid here: the payment run picks up the new schedule lines.
import { sql } from 'kysely';
import { inPartnership, type Db } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { planDocumentSchema } from '../planning/index.js';
import { yearStart } from './rules.js';
import { makeBudgets } from './service.js';

export const DEFAULT_RENEW_BATCH = 200;

export interface RenewalResult {
  /** People who got at least one budget in this call. */
  people: number;
  budgets: number;
  batches: number;
}

/**
 * Makes the budgets of `year` for every approved (not replaced) plan whose support started on or
 * before that year's 1 April and that has no budget for the year yet. People are taken in
 * batches in person order, each batch in its own transaction: a run stopped half way has made
 * whole batches, and running it again makes the rest (plans with budgets for the year are
 * skipped, and a budget per plan, stream and year is unique in the database).
 */
export async function renewBudgetsForYear(
  db: Db,
  partnershipId: string,
  year: number,
  o: { batchSize?: number; onBatch?: (r: RenewalResult) => void } = {},
): Promise<RenewalResult> {
  const size = o.batchSize ?? DEFAULT_RENEW_BATCH;
  const from = yearStart(year);
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
      }>`
        select s.id, s.person_id, s.document, s.approved_on, p.given_name, p.family_name
          from support_plans s
          join people p on p.id = s.person_id
         where s.partnership_id = ${partnershipId}::uuid
           and s.status = 'approved'
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
          { from, oneOffs: false },
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
