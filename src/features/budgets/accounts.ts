// Payee and account details of a person's holding accounts (direct payment, third-party and ISF
// money), for finance officers. Kept with their history in payment_accounts (migration 0013);
// the details in force are copied to the account's budgets (what a payment run takes its lines
// from) and to the lines of runs still waiting for approval, so a change applies to every
// payment not yet in an approved run, and an approved run keeps what it was approved with (the
// database refuses a change to its lines). A card reference becomes the holding account's
// ledger reference, which the statement import matches card lines by. Reads and writes go
// through the people access rule and are audited (personal data).
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { hasRole } from '../../platform/auth/principal.js';
import { Forbidden, Invalid, NotFound } from '../../platform/http/errors.js';
import { isUuid } from '../../platform/ids.js';
import { withPerson, type PersonRecord } from '../people/index.js';
import type { AccountDetails, AccountKind } from './accounts-rules.js';
import type { FundingBody, Holding } from './rules.js';

export const ACCOUNT_NOT_FOUND = 'This person has no such account for payments';

export interface PaymentAccountRecord {
  id: string;
  kind: AccountKind;
  payeeName: string;
  sortCode: string | null;
  accountNumber: string | null;
  cardReference: string | null;
  organisationReference: string | null;
  fileReference: string;
  recordedAt: Date;
  recordedByName: string | null;
}

export interface HoldingAccountView {
  id: string;
  streamName: string;
  body: FundingBody;
  holding: Holding;
  /** What payments go to now: the budget's payee (the default until details are recorded). */
  payeeName: string | null;
  accountReference: string | null;
  /** The reference statements name the account by. */
  statementReference: string | null;
  /** Newest first; the first is in force. */
  history: PaymentAccountRecord[];
}

function requireFinance(ctx: AuditContext): string {
  const p = ctx.principal;
  if (p.kind !== 'user' || !hasRole(p, 'finance_officer'))
    throw new Forbidden('Only finance officers can see and change payee and account details.');
  return p.userId;
}

async function holdingAccountsOf(
  tx: Tx,
  personId: string,
  accountId?: string,
): Promise<HoldingAccountView[]> {
  const accounts = await sql<{
    id: string;
    reference: string | null;
    stream_name: string | null;
    funding_body: FundingBody | null;
    holding: Holding | null;
    payee_name: string | null;
    payee_reference: string | null;
  }>`
    select a.id, a.reference, b.stream_name, coalesce(b.funding_body, a.funding_body) as funding_body,
           b.holding, b.payee_name, b.payee_reference
      from ledger_accounts a
      left join lateral (
        select stream_name, funding_body, holding, payee_name, payee_reference from budgets
         where holding_account_id = a.id order by financial_year desc, created_at desc limit 1) b on true
     where a.kind = 'holding_account' and a.person_id = ${personId}::uuid
       ${accountId ? sql`and a.id = ${accountId}::uuid` : sql``}
     order by b.stream_name, a.id`.execute(tx);
  if (accounts.rows.length === 0) return [];
  const history = await sql<{
    id: string;
    holding_account_id: string;
    kind: AccountKind;
    payee_name: string;
    sort_code: string | null;
    account_number: string | null;
    card_reference: string | null;
    organisation_reference: string | null;
    file_reference: string;
    recorded_at: Date;
    recorded_by_name: string | null;
  }>`
    select pa.id, pa.holding_account_id, pa.kind, pa.payee_name, pa.sort_code, pa.account_number,
           pa.card_reference, pa.organisation_reference, pa.file_reference, pa.recorded_at,
           u.full_name as recorded_by_name
      from payment_accounts pa left join users u on u.id = pa.recorded_by
     where pa.holding_account_id = any(${accounts.rows.map((a) => a.id)}::uuid[])
     order by pa.recorded_at desc, pa.id desc`.execute(tx);
  return accounts.rows.map((a) => ({
    id: a.id,
    streamName: a.stream_name ?? 'Account',
    body: a.funding_body ?? 'council',
    holding: a.holding ?? 'direct_payment',
    payeeName: a.payee_name,
    accountReference: a.payee_reference,
    statementReference: a.reference,
    history: history.rows
      .filter((h) => h.holding_account_id === a.id)
      .map((h) => ({
        id: h.id,
        kind: h.kind,
        payeeName: h.payee_name,
        sortCode: h.sort_code,
        accountNumber: h.account_number,
        cardReference: h.card_reference,
        organisationReference: h.organisation_reference,
        fileReference: h.file_reference,
        recordedAt: h.recorded_at,
        recordedByName: h.recorded_by_name,
      })),
  }));
}

/**
 * Payees change under a transaction lock per partnership: preparing a payment run holds it
 * shared (runs may be prepared side by side), recording details holds it alone. So a run being
 * prepared never takes details that are being changed, and a change waits for it to finish and
 * then updates its lines.
 */
export async function lockPayees(tx: Tx, partnershipId: string, alone: boolean): Promise<void> {
  const key = `payees:${partnershipId}`;
  await (
    alone
      ? sql`select pg_advisory_xact_lock(hashtext(${key}))`
      : sql`select pg_advisory_xact_lock_shared(hashtext(${key}))`
  ).execute(tx);
}

export interface PaymentAccountsDeps {
  db: Db;
  now: () => Date;
}

export function createPaymentAccountsService(deps: PaymentAccountsDeps) {
  const { db, now } = deps;
  return {
    /** The person's holding accounts with their details and history (finance officers). */
    async list(
      ctx: AuditContext,
      personId: string,
    ): Promise<{ person: PersonRecord; accounts: HoldingAccountView[] }> {
      requireFinance(ctx);
      if (!isUuid(personId)) throw new NotFound(ACCOUNT_NOT_FOUND);
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const accounts = await holdingAccountsOf(tx, personId);
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'payment_account',
          personId,
          detail: { accounts: accounts.length },
        });
        return { person, accounts };
      });
    },

    /** One holding account of the person, for the details form. */
    async get(
      ctx: AuditContext,
      personId: string,
      accountId: string,
    ): Promise<{ person: PersonRecord; account: HoldingAccountView }> {
      requireFinance(ctx);
      if (!isUuid(personId) || !isUuid(accountId)) throw new NotFound(ACCOUNT_NOT_FOUND);
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const [account] = await holdingAccountsOf(tx, personId, accountId);
        if (!account) throw new NotFound(ACCOUNT_NOT_FOUND);
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'payment_account',
          recordId: account.history[0]?.id ?? null,
          personId,
          detail: { holdingAccountId: accountId },
        });
        return { person, account };
      });
    },

    /**
     * Records new details for a holding account. Refused (Invalid) when the kind does not suit
     * the holding option or a card reference is another account's. Returns how many lines of
     * runs waiting for approval now carry them.
     */
    async record(
      ctx: AuditContext,
      personId: string,
      accountId: string,
      details: AccountDetails,
    ): Promise<{ id: string; runLines: number }> {
      const userId = requireFinance(ctx);
      if (!isUuid(personId) || !isUuid(accountId)) throw new NotFound(ACCOUNT_NOT_FOUND);
      // 'read': money details, not the person's record (which only casework staff change).
      return withPerson(db, ctx, personId, 'read', now(), async (tx) => {
        await lockPayees(tx, ctx.principal.partnershipId, true);
        const [account] = await holdingAccountsOf(tx, personId, accountId);
        if (!account) throw new NotFound(ACCOUNT_NOT_FOUND);
        if (details.kind === 'card') {
          const taken = await sql<{ n: number }>`
            select count(*)::int as n from ledger_accounts
             where kind = 'holding_account' and reference = ${details.cardReference}
               and id <> ${accountId}::uuid`.execute(tx);
          if ((taken.rows[0]?.n ?? 0) > 0)
            throw new Invalid([
              {
                field: 'cardReference',
                message: 'This card reference is already recorded for another account',
              },
            ]);
        }
        const row = await sql<{ id: string; file_reference: string }>`
          insert into payment_accounts (partnership_id, holding_account_id, person_id, kind,
            payee_name, sort_code, account_number, card_reference, organisation_reference,
            recorded_by)
          values (${ctx.principal.partnershipId}::uuid, ${accountId}::uuid, ${personId}::uuid,
            ${details.kind}, ${details.payeeName},
            ${details.kind === 'bank' ? details.sortCode : null},
            ${details.kind === 'bank' ? details.accountNumber : null},
            ${details.kind === 'card' ? details.cardReference : null},
            ${details.kind === 'organisation' ? details.organisationReference : null},
            ${userId}::uuid)
          returning id, file_reference`.execute(tx);
        const saved = row.rows[0];
        if (!saved) throw new Error('payment account not saved');
        await sql`
          update budgets set payee_name = ${details.payeeName}, payee_reference = ${saved.file_reference}
           where holding_account_id = ${accountId}::uuid`.execute(tx);
        // Runs still waiting for approval, locked so an approval cannot slip in between.
        const runs = await sql<{ id: string }>`
          select r.id from payment_runs r
           where r.status = 'prepared'
             and exists (select 1 from payment_run_lines rl
                           join payment_schedule_lines l on l.id = rl.line_id
                           join budgets b on b.id = l.budget_id
                          where rl.run_id = r.id and b.holding_account_id = ${accountId}::uuid)
           order by r.id
             for update of r`.execute(tx);
        let runLines = 0;
        const runIds = runs.rows.map((r) => r.id);
        if (runIds.length > 0) {
          const updated = await sql`
            update payment_run_lines rl
               set payee = ${details.payeeName}, account_reference = ${saved.file_reference}
              from payment_schedule_lines l join budgets b on b.id = l.budget_id
             where rl.run_id = any(${runIds}::uuid[]) and l.id = rl.line_id
               and b.holding_account_id = ${accountId}::uuid`.execute(tx);
          runLines = Number(updated.numAffectedRows ?? 0);
        }
        if (details.kind === 'card')
          await sql`
            update ledger_accounts set reference = ${details.cardReference}
             where id = ${accountId}::uuid`.execute(tx);
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'payment_account',
          recordId: saved.id,
          personId,
          detail: { holdingAccountId: accountId, kind: details.kind, runLines },
        });
        return { id: saved.id, runLines };
      });
    },
  };
}

export type PaymentAccountsService = ReturnType<typeof createPaymentAccountsService>;
