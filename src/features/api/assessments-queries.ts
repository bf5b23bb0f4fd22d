// A read the allocation feature has no service call for yet: one allocation by its id, through
// the people feature's access rule (withPerson), audited as a read of the allocation in the same
// transaction.
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { NotFound } from '../../platform/http/errors.js';
import {
  allocationById,
  rasVersionById,
  type StoredAllocation,
  type StoredRasVersion,
} from '../allocation/index.js';
import { withPerson } from '../people/index.js';

export const ALLOCATION_NOT_FOUND = 'There is no budget with this ID in your partnership';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AllocationRead {
  allocation: StoredAllocation;
  /** The RAS version it was worked out with (for the questions' and answers' text). */
  ras: StoredRasVersion | undefined;
}

export async function readAllocation(
  deps: { db: Db; now: () => Date },
  ctx: AuditContext,
  allocationId: string,
): Promise<AllocationRead> {
  if (!UUID.test(allocationId)) throw new NotFound(ALLOCATION_NOT_FOUND);
  const personId = await inPartnership(deps.db, ctx.principal.partnershipId, async (tx) => {
    const row = await tx
      .selectFrom('allocations')
      .select('person_id')
      .where('id', '=', allocationId)
      .executeTakeFirst();
    return row?.person_id;
  });
  if (!personId) throw new NotFound(ALLOCATION_NOT_FOUND);
  return withPerson(deps.db, ctx, personId, 'read', deps.now(), async (tx, { person }) => {
    const allocation = await allocationById(tx, allocationId);
    if (allocation?.personId !== person.id) throw new NotFound(ALLOCATION_NOT_FOUND);
    await audit(tx, ctx, {
      action: 'read',
      recordType: 'allocation',
      recordId: allocation.id,
      personId: person.id,
    });
    return { allocation, ras: await rasVersionById(tx, allocation.rasVersionId) };
  });
}
