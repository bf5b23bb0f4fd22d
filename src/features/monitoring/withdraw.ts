// Withdrawing a proposed recovery (issue 5 point 7): a finance officer, with the reason, audited.
// Only confirming a recovery posts to the ledger, so withdrawing one reverses nothing.
import { sql } from 'kysely';
import { inPartnership } from '../../platform/db/database.js';
import { audit } from '../../platform/audit/audit.js';
import type { Principal } from '../../platform/auth/principal.js';
import { Conflict, Invalid, NotFound } from '../../platform/http/errors.js';
import { isUuid } from '../../platform/ids.js';
import { st, type RecoveryStatus } from '../statements/index.js';
import { RECOVERY_NOT_FOUND, requireFinance, type MonitoringDeps } from './service.js';

/**
 * Withdraw a proposed recovery, with the reason. A proposed recovery has posted nothing (only
 * confirming posts, under the key recovery:<id>), which is checked here, so the ledger is not
 * touched. Its flag is open again, for another action.
 */
export async function withdrawRecovery(
  deps: MonitoringDeps,
  principal: Principal,
  recoveryId: string,
  reason: string,
  ip?: string,
): Promise<{ flagId: string | null }> {
  requireFinance(principal);
  if (!isUuid(recoveryId)) throw new NotFound(RECOVERY_NOT_FOUND);
  if (reason.trim().length < 5)
    throw new Invalid([
      { field: 'withdrawReason', message: 'Give the reason for withdrawing the recovery' },
    ]);
  return inPartnership(deps.db, principal.partnershipId, async (tx) => {
    const found = await sql<{
      status: RecoveryStatus;
      flag_id: string | null;
      person_id: string;
      amount_pence: number;
      posted: boolean;
    }>`
        select r.status, r.flag_id, r.person_id, r.amount_pence,
               (r.ledger_transaction_id is not null or exists (
                 select 1 from ledger_transactions t
                  where t.idempotency_key = 'recovery:' || r.id::text)) as posted
          from recoveries r where r.id = ${recoveryId}::uuid for update`.execute(tx);
    const r = found.rows[0];
    if (!r) throw new NotFound(RECOVERY_NOT_FOUND);
    if (r.status !== 'proposed') throw new Conflict(`This recovery has been ${r.status} already`);
    if (r.posted) throw new Error(`proposed recovery ${recoveryId} has a ledger posting`);
    const userId = principal.kind === 'user' ? principal.userId : null;
    await sql`
        update recoveries
           set status = 'withdrawn', withdrawn_by = ${userId}, withdrawn_at = ${deps.now()},
               withdrawal_reason = ${reason.trim()}
         where id = ${recoveryId}::uuid and status = 'proposed'`.execute(tx);
    if (r.flag_id)
      await st(tx)
        .updateTable('monitoring_flags')
        .set({
          status: 'open',
          reason: `Recovery withdrawn: ${reason.trim()}`,
          actioned_by: userId,
          actioned_at: deps.now(),
          version: sql`version + 1`,
        })
        .where('id', '=', r.flag_id)
        .where('status', '=', 'recovery_proposed')
        .execute();
    await audit(
      tx,
      { principal, ip },
      {
        action: 'update',
        recordType: 'recovery',
        recordId: recoveryId,
        personId: r.person_id,
        detail: { withdrawn: true, amountPence: r.amount_pence, flagId: r.flag_id },
        reason: reason.trim(),
      },
    );
    return { flagId: r.flag_id };
  });
}
