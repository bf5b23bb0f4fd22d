// Light-touch monitoring in the database (issue 5 point 7): computing flags for holding accounts
// (after a statement import and from the daily job), the finance queue, and its proportionate
// actions: dismiss with a reason, record that the person was contacted, propose a recovery with
// the written-notice details, confirm it (a ledger posting, refused beyond the balance) or
// withdraw it (nothing was posted, so nothing is reversed).
// Finance officers only; every action is audited in the same transaction.
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { hasRole, type Principal } from '../../platform/auth/principal.js';
import type { CivilDate } from '../../platform/dates.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/http/errors.js';
import { isUuid } from '../../platform/ids.js';
import { ensureAccounts, LedgerError, recover } from '../ledger/index.js';
import { st, type FlagKind, type FlagStatus, type RecoveryStatus } from '../statements/index.js';
import { settingsOf } from './settings.js';
import {
  checkRecovery,
  evaluate,
  transactionIdsOf,
  type AccountPosition,
  type FlagDetails,
  type FlagHistory,
  type FlagProposal,
  type RecoveryInput,
  type SpendTransaction,
} from './rules.js';

export const FLAG_NOT_FOUND = 'There is no monitoring flag with this ID in your partnership';
export const RECOVERY_NOT_FOUND = 'There is no recovery with this ID in your partnership';
export const STALE_FLAG = 'Someone else acted on this flag while you were looking at it';
/** Spending looked at for category flags: the last 13 weeks. */
export const LOOKBACK_DAYS = 91;

const UNRESOLVED: FlagStatus[] = ['open', 'contacted', 'recovery_proposed'];

/** Positions of holding accounts (all of the partnership's, or those given). */
async function positions(
  tx: Tx,
  partnershipId: string,
  today: CivilDate,
  accountIds: readonly string[] | null,
): Promise<AccountPosition[]> {
  const rows = await sql<{
    id: string;
    person_id: string;
    body: 'council' | 'nhs';
    balance: number;
    last_activity: string | null;
    weekly: number | null;
    categories: string[] | null;
  }>`
    select a.id, a.person_id, coalesce(a.funding_body, 'council') as body,
      coalesce((select sum(e.amount_pence) from ledger_entries e where e.account_id = a.id), 0)::bigint as balance,
      coalesce(
        (select max(c.occurred_on) from card_transactions c where c.holding_account_id = a.id),
        (select min(t.occurred_on) from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
          where e.account_id = a.id)
      )::text as last_activity,
      (select l.amount_pence / 4 from payment_schedule_lines l
        where l.budget_id = b.id and l.kind = 'periodic' and l.status <> 'cancelled'
        order by (l.due_on <= ${today}::date) desc, abs(l.due_on - ${today}::date) limit 1)::bigint as weekly,
      case when b.plan_id is null then null else coalesce(
        (select array_agg(distinct i->>'category') from support_plans p,
            jsonb_array_elements(p.document->'items') i
          where p.id = b.plan_id and (i->>'streamId' is null or i->>'streamId' = b.stream_id)),
        '{}') end as categories
    from ledger_accounts a
    left join lateral (
      select bb.id, bb.plan_id, bb.stream_id from budgets bb
       where bb.holding_account_id = a.id
       order by bb.financial_year desc, bb.ends_on desc nulls first limit 1) b on true
    where a.partnership_id = ${partnershipId} and a.kind = 'holding_account' and a.person_id is not null
      ${accountIds === null ? sql`` : sql`and a.id = any(${accountIds}::uuid[])`}`.execute(tx);
  if (rows.rows.length === 0) return [];
  const ids = rows.rows.map((r) => r.id);
  const spending = await sql<{
    id: string;
    holding_account_id: string;
    occurred_on: string;
    description: string;
    amount_pence: number;
    category: string | null;
    plan_item_id: string | null;
  }>`
    select id, holding_account_id, occurred_on::text, description, amount_pence, category, plan_item_id
      from card_transactions
     where holding_account_id = any(${ids}::uuid[]) and amount_pence < 0 and category is not null
       and plan_item_id is null and occurred_on >= ${today}::date - ${LOOKBACK_DAYS}::int`.execute(
    tx,
  );
  const byAccount = new Map<string, SpendTransaction[]>();
  for (const s of spending.rows) {
    const list = byAccount.get(s.holding_account_id) ?? [];
    list.push({
      id: s.id,
      occurredOn: s.occurred_on as CivilDate,
      description: s.description,
      amountPence: s.amount_pence,
      category: s.category,
      planItemId: s.plan_item_id,
    });
    byAccount.set(s.holding_account_id, list);
  }
  return rows.rows.map((r) => ({
    personId: r.person_id,
    holdingAccountId: r.id,
    body: r.body,
    balancePence: r.balance,
    weeklyPaymentPence: r.weekly,
    lastActivityOn: r.last_activity as CivilDate | null,
    planCategories: r.categories,
    recentSpending: byAccount.get(r.id) ?? [],
  }));
}

export interface MonitoringRun {
  accounts: number;
  raised: number;
  updated: number;
  cleared: number;
}

/**
 * Compute flags for holding accounts on a day: raise new ones, add new evidence to open ones,
 * and close open (not yet acted on) account-level flags that no longer apply. Used after each
 * statement import (the accounts it touched) and by the daily job (all accounts).
 */
export async function runMonitoring(
  db: Db,
  partnershipId: string,
  today: CivilDate,
  accountIds: readonly string[] | null = null,
): Promise<MonitoringRun> {
  return inPartnership(db, partnershipId, async (tx) => {
    const settings = await settingsOf(tx, partnershipId);
    const ps = await positions(tx, partnershipId, today, accountIds);
    const result: MonitoringRun = { accounts: ps.length, raised: 0, updated: 0, cleared: 0 };
    if (ps.length === 0) return result;
    const people = [...new Set(ps.map((p) => p.personId))];
    const flags = await st(tx)
      .selectFrom('monitoring_flags')
      .select(['id', 'person_id', 'kind', 'status', 'holding_account_id', 'details', 'actioned_at'])
      .where('person_id', 'in', people)
      .execute();
    const history = new Map<string, FlagHistory[]>();
    const unresolved = new Map<string, (typeof flags)[number]>();
    for (const f of flags) {
      const h = history.get(f.person_id) ?? [];
      h.push({
        kind: f.kind,
        status: f.status,
        holdingAccountId: f.holding_account_id,
        closedOn:
          f.actioned_at && (f.status === 'dismissed' || f.status === 'resolved')
            ? (f.actioned_at.toISOString().slice(0, 10) as CivilDate)
            : null,
        transactionIds: transactionIdsOf(f.details),
      });
      history.set(f.person_id, h);
      if (UNRESOLVED.includes(f.status)) unresolved.set(`${f.person_id} ${f.kind}`, f);
    }
    const proposals: FlagProposal[] = [];
    const applies = new Set<string>();
    for (const p of ps) {
      for (const f of evaluate(p, settings, today, history.get(p.personId) ?? [])) {
        proposals.push(f);
        applies.add(`${f.personId} ${f.kind}`);
      }
    }
    for (const f of proposals) {
      const key = `${f.personId} ${f.kind}`;
      const open = unresolved.get(key);
      if (!open) {
        const inserted = await st(tx)
          .insertInto('monitoring_flags')
          .values({
            partnership_id: partnershipId,
            person_id: f.personId,
            holding_account_id: f.holdingAccountId,
            kind: f.kind,
            details: JSON.stringify(f.details),
            raised_on: today,
          })
          .returning([
            'id',
            'person_id',
            'kind',
            'status',
            'holding_account_id',
            'details',
            'actioned_at',
          ])
          .executeTakeFirstOrThrow();
        unresolved.set(key, inserted);
        result.raised++;
      } else if (open.status === 'open') {
        const details = merge(open.details as FlagDetails, f.details);
        // Nothing new (the same figures, no new transactions): the flag is left as it is, so
        // that a finance officer looking at it is not turned away as stale.
        if (isDeepStrictEqual(details, open.details)) continue;
        await st(tx)
          .updateTable('monitoring_flags')
          .set({ details: JSON.stringify(details), version: sql`version + 1` })
          .where('id', '=', open.id)
          .execute();
        open.details = details;
        result.updated++;
      }
    }
    // Open account-level flags nobody has acted on yet, whose condition has gone: closed.
    const checked = new Set(ps.map((p) => p.personId));
    for (const [key, f] of unresolved) {
      if (f.status !== 'open' || applies.has(key) || !checked.has(f.person_id)) continue;
      if (!(['balance_above_weeks', 'overspend', 'no_activity'] as FlagKind[]).includes(f.kind))
        continue;
      if (accountIds !== null && f.holding_account_id && !accountIds.includes(f.holding_account_id))
        continue;
      await st(tx)
        .updateTable('monitoring_flags')
        .set({
          status: 'resolved',
          reason: 'No longer applies: found when the account was checked again',
          actioned_at: new Date(),
          version: sql`version + 1`,
        })
        .where('id', '=', f.id)
        .execute();
      result.cleared++;
    }
    return result;
  });
}

/** New evidence added to an open flag: transactions are added to the list, figures replaced. */
function merge(old: FlagDetails, next: FlagDetails): FlagDetails {
  if (
    (old.kind === 'never_buy_category' || old.kind === 'outside_plan_categories') &&
    next.kind === old.kind
  ) {
    const ids = new Set(old.transactions.map((t) => t.id));
    const transactions = [...old.transactions, ...next.transactions.filter((t) => !ids.has(t.id))];
    return {
      kind: old.kind,
      transactions,
      totalPence: transactions.reduce((s, t) => s + t.amountPence, 0),
    };
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// The finance queue

export interface QueueFlag {
  id: string;
  personId: string;
  personName: string;
  kind: FlagKind;
  status: FlagStatus;
  details: FlagDetails;
  raisedOn: string;
  raisedAt: Date;
  version: number;
}

export function requireFinance(principal: Principal): void {
  if (!hasRole(principal, 'finance_officer'))
    throw new Forbidden('Only finance officers can see and act on monitoring flags');
}

const flagColumns = (tx: Tx) =>
  st(tx)
    .selectFrom('monitoring_flags as f')
    .innerJoin('people as p', 'p.id', 'f.person_id')
    .select([
      'f.id',
      'f.person_id',
      'f.kind',
      'f.status',
      'f.details',
      'f.raised_on',
      'f.raised_at',
      'f.version',
      'f.holding_account_id',
      'f.reason',
      'f.actioned_at',
      sql<string>`coalesce(p.preferred_name, p.given_name) || ' ' || p.family_name`.as(
        'person_name',
      ),
    ]);

type FlagRow = Awaited<ReturnType<ReturnType<typeof flagColumns>['execute']>>[number];
const toQueueFlag = (r: FlagRow): QueueFlag => ({
  id: r.id,
  personId: r.person_id,
  personName: r.person_name,
  kind: r.kind,
  status: r.status,
  details: r.details as FlagDetails,
  raisedOn: String(r.raised_on),
  raisedAt: r.raised_at,
  version: r.version,
});

export interface MonitoringDeps {
  db: Db;
  now: () => Date;
}

export interface FlagView extends QueueFlag {
  holdingAccountId: string | null;
  balancePence: number;
  body: 'council' | 'nhs';
  reason: string | null;
  recoveries: RecoveryRecord[];
}

export interface RecoveryRecord {
  id: string;
  amountPence: number;
  reasons: string;
  repayBy: string;
  whoMustRepay: string;
  reconsideration: string;
  status: RecoveryStatus;
  proposedAt: Date;
  confirmedAt: Date | null;
  /** Why it was withdrawn (null unless withdrawn). */
  withdrawalReason: string | null;
}

export function createMonitoringService(deps: MonitoringDeps) {
  const { db } = deps;
  const ctxOf = (principal: Principal, ip?: string): AuditContext => ({ principal, ip });

  async function loadFlag(tx: Tx, flagId: string): Promise<FlagRow> {
    if (!isUuid(flagId)) throw new NotFound(FLAG_NOT_FOUND);
    const row = await flagColumns(tx).where('f.id', '=', flagId).executeTakeFirst();
    if (!row) throw new NotFound(FLAG_NOT_FOUND);
    return row;
  }

  async function accountOf(tx: Tx, accountId: string | null) {
    if (!accountId) return { balance: 0, body: 'council' as const };
    const r = await sql<{ balance: number; body: 'council' | 'nhs' | null }>`
      select coalesce((select sum(amount_pence) from ledger_entries where account_id = a.id), 0)::bigint as balance,
             a.funding_body as body
        from ledger_accounts a where a.id = ${accountId}`.execute(tx);
    return { balance: r.rows[0]?.balance ?? 0, body: r.rows[0]?.body ?? 'council' };
  }

  async function act(
    principal: Principal,
    ip: string | undefined,
    flagId: string,
    version: number,
    change: { status: FlagStatus; reason: string },
    action: string,
  ): Promise<void> {
    requireFinance(principal);
    await inPartnership(db, principal.partnershipId, async (tx) => {
      const flag = await loadFlag(tx, flagId);
      const updated = await st(tx)
        .updateTable('monitoring_flags')
        .set({
          status: change.status,
          reason: change.reason,
          actioned_by: principal.kind === 'user' ? principal.userId : null,
          actioned_at: deps.now(),
          version: sql`version + 1`,
        })
        .where('id', '=', flagId)
        .where('version', '=', version)
        .where('status', 'in', UNRESOLVED)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new Conflict(STALE_FLAG);
      await audit(tx, ctxOf(principal, ip), {
        action: 'update',
        recordType: 'monitoring_flag',
        recordId: flagId,
        personId: flag.person_id,
        detail: { action, kind: flag.kind },
        reason: change.reason,
      });
    });
  }

  const service = {
    /** Unresolved flags, oldest first, up to 500 (the queue page reads it a page at a time). */
    async queue(principal: Principal, ip?: string): Promise<QueueFlag[]> {
      return (await service.queuePage(principal, ip, 1, 500)).flags;
    },

    /** One page of the unresolved flags, oldest first, and how many there are in all. */
    async queuePage(
      principal: Principal,
      ip: string | undefined,
      page: number,
      pageSize: number,
    ): Promise<{ flags: QueueFlag[]; total: number }> {
      requireFinance(principal);
      return inPartnership(db, principal.partnershipId, async (tx) => {
        const [rows, count] = await Promise.all([
          flagColumns(tx)
            .where('f.status', 'in', UNRESOLVED)
            .orderBy('f.raised_at')
            .orderBy('f.id')
            .limit(pageSize)
            .offset((page - 1) * pageSize)
            .execute(),
          st(tx)
            .selectFrom('monitoring_flags')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('status', 'in', UNRESOLVED)
            .executeTakeFirstOrThrow(),
        ]);
        await audit(tx, ctxOf(principal, ip), {
          action: 'list',
          recordType: 'monitoring_flag',
          detail: { page, count: rows.length },
        });
        return { flags: rows.map(toQueueFlag), total: count.n };
      });
    },

    async flag(principal: Principal, flagId: string, ip?: string): Promise<FlagView> {
      requireFinance(principal);
      return inPartnership(db, principal.partnershipId, async (tx) => {
        const row = await loadFlag(tx, flagId);
        const account = await accountOf(tx, row.holding_account_id);
        const recoveries = await st(tx)
          .selectFrom('recoveries')
          .selectAll()
          .where('flag_id', '=', flagId)
          .orderBy('proposed_at')
          .execute();
        // The withdrawal columns (migration 0013) are read here, not in statements' table types.
        const withdrawn = await sql<{ id: string; withdrawal_reason: string }>`
          select id, withdrawal_reason from recoveries
           where flag_id = ${flagId}::uuid and status = 'withdrawn'`.execute(tx);
        const whyWithdrawn = new Map(withdrawn.rows.map((w) => [w.id, w.withdrawal_reason]));
        await audit(tx, ctxOf(principal, ip), {
          action: 'read',
          recordType: 'monitoring_flag',
          recordId: flagId,
          personId: row.person_id,
        });
        return {
          ...toQueueFlag(row),
          holdingAccountId: row.holding_account_id,
          balancePence: account.balance,
          body: account.body,
          reason: row.reason,
          recoveries: recoveries.map((r) => ({
            id: r.id,
            amountPence: r.amount_pence,
            reasons: r.reasons,
            repayBy: String(r.repay_by),
            whoMustRepay: r.who_must_repay,
            reconsideration: r.reconsideration,
            status: r.status,
            proposedAt: r.proposed_at,
            confirmedAt: r.confirmed_at,
            withdrawalReason: whyWithdrawn.get(r.id) ?? null,
          })),
        };
      });
    },

    async dismiss(
      principal: Principal,
      flagId: string,
      version: number,
      reason: string,
      ip?: string,
    ) {
      if (reason.trim().length < 5)
        throw new Invalid([
          { field: 'reason', message: 'Give the reason for dismissing this flag' },
        ]);
      await act(
        principal,
        ip,
        flagId,
        version,
        { status: 'dismissed', reason: reason.trim() },
        'dismissed',
      );
    },

    async recordContact(
      principal: Principal,
      flagId: string,
      version: number,
      note: string,
      ip?: string,
    ) {
      if (note.trim().length < 5)
        throw new Invalid([
          { field: 'note', message: 'Say how and when the person was contacted' },
        ]);
      await act(
        principal,
        ip,
        flagId,
        version,
        { status: 'contacted', reason: note.trim() },
        'contacted',
      );
    },

    /** Propose a recovery for a flag; refused when more than the holding account's balance. */
    async proposeRecovery(
      principal: Principal,
      flagId: string,
      version: number,
      input: RecoveryInput,
      today: CivilDate,
      ip?: string,
    ): Promise<string> {
      requireFinance(principal);
      return inPartnership(db, principal.partnershipId, async (tx) => {
        const flag = await loadFlag(tx, flagId);
        if (!flag.holding_account_id)
          throw new Invalid([{ field: 'amount', message: 'This flag is not about an account' }]);
        const account = await accountOf(tx, flag.holding_account_id);
        const problems = checkRecovery(input, account.balance, today);
        if (problems.length) throw new Invalid(problems);
        const updated = await st(tx)
          .updateTable('monitoring_flags')
          .set({
            status: 'recovery_proposed',
            actioned_by: principal.kind === 'user' ? principal.userId : null,
            actioned_at: deps.now(),
            version: sql`version + 1`,
          })
          .where('id', '=', flagId)
          .where('version', '=', version)
          .where('status', 'in', UNRESOLVED)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new Conflict(STALE_FLAG);
        const r = await st(tx)
          .insertInto('recoveries')
          .values({
            partnership_id: principal.partnershipId,
            person_id: flag.person_id,
            holding_account_id: flag.holding_account_id,
            flag_id: flagId,
            amount_pence: input.amountPence ?? 0,
            reasons: input.reasons.trim(),
            repay_by: input.repayBy ?? today,
            who_must_repay: input.whoMustRepay.trim(),
            reconsideration: input.reconsideration.trim(),
            proposed_by: principal.kind === 'user' ? principal.userId : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit(tx, ctxOf(principal, ip), {
          action: 'create',
          recordType: 'recovery',
          recordId: r.id,
          personId: flag.person_id,
          detail: { flagId, amountPence: input.amountPence },
          reason: input.reasons.trim(),
        });
        return r.id;
      });
    },

    /** Confirm a proposed recovery: posted to the ledger, refused beyond the balance held. */
    async confirmRecovery(principal: Principal, recoveryId: string, today: CivilDate, ip?: string) {
      requireFinance(principal);
      if (!isUuid(recoveryId)) throw new NotFound(RECOVERY_NOT_FOUND);
      return inPartnership(db, principal.partnershipId, async (tx) => {
        const r = await st(tx)
          .selectFrom('recoveries')
          .selectAll()
          .where('id', '=', recoveryId)
          .executeTakeFirst();
        if (!r) throw new NotFound(RECOVERY_NOT_FOUND);
        if (r.status !== 'proposed')
          throw new Conflict(`This recovery has been ${r.status} already`);
        const account = await accountOf(tx, r.holding_account_id);
        const ids = await ensureAccounts(tx, principal.partnershipId, [
          {
            key: `recoveries:${account.body}`,
            kind: 'recoveries',
            name: `Recovered (${account.body === 'nhs' ? 'NHS' : 'council'})`,
            fundingBody: account.body,
          },
        ]);
        let posted;
        try {
          posted = await recover(tx, principal.partnershipId, {
            idempotencyKey: `recovery:${recoveryId}`,
            occurredOn: today,
            description: `Recovery: ${r.reasons}`.slice(0, 500),
            holdingAccountId: r.holding_account_id,
            recoveriesAccountId: ids.get(`recoveries:${account.body}`) ?? '',
            amountPence: r.amount_pence,
            postedBy: principal.kind === 'user' ? principal.userId : null,
          });
        } catch (error) {
          if (error instanceof LedgerError && error.code === 'insufficient')
            throw new Invalid([
              {
                field: 'amount',
                message: 'The account no longer holds enough to recover this amount',
              },
            ]);
          throw error;
        }
        await st(tx)
          .updateTable('recoveries')
          .set({
            status: 'confirmed',
            confirmed_by: principal.kind === 'user' ? principal.userId : null,
            confirmed_at: deps.now(),
            ledger_transaction_id: posted.transactionId,
          })
          .where('id', '=', recoveryId)
          .execute();
        if (r.flag_id)
          await st(tx)
            .updateTable('monitoring_flags')
            .set({
              status: 'resolved',
              reason: 'Recovery confirmed',
              actioned_at: deps.now(),
              version: sql`version + 1`,
            })
            .where('id', '=', r.flag_id)
            .where('status', 'in', UNRESOLVED)
            .execute();
        await audit(tx, ctxOf(principal, ip), {
          action: 'update',
          recordType: 'recovery',
          recordId: recoveryId,
          personId: r.person_id,
          detail: { confirmed: true, ledgerTransactionId: posted.transactionId },
        });
        return posted.transactionId;
      });
    },
  };
  return service;
}
export type MonitoringService = ReturnType<typeof createMonitoringService>;
