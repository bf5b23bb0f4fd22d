// The few lookups the budget pages need beyond store.ts: whose allocation an id is, a person's
// current allocation, and the partnership's public code. Each takes a transaction already
// inside a partnership (row-level security applies) and audits nothing.
import type { Tx } from '../../platform/db/database.js';
import { isUuid } from './store.js';

/** The person an allocation is about, or undefined when there is no such allocation here. */
export async function personOfAllocation(
  tx: Tx,
  allocationId: string,
): Promise<string | undefined> {
  if (!isUuid(allocationId)) return undefined;
  const r = await tx
    .selectFrom('allocations')
    .select('person_id')
    .where('id', '=', allocationId)
    .executeTakeFirst();
  return r?.person_id;
}

/** The allocation of the person's latest completed assessment, if any. */
export async function currentAllocationId(tx: Tx, personId: string): Promise<string | undefined> {
  const r = await tx
    .selectFrom('allocations as a')
    .innerJoin('assessments as s', 's.id', 'a.assessment_id')
    .select('a.id')
    .where('a.person_id', '=', personId)
    .where('s.status', '=', 'completed')
    .orderBy('s.sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.id;
}

/** The code that names the partnership in public addresses such as /allocation/<code>. */
export async function partnershipCode(tx: Tx, partnershipId: string): Promise<string> {
  const r = await tx
    .selectFrom('partnerships')
    .select('code')
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return r.code;
}
