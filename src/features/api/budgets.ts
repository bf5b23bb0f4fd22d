// /api/v1 for a person's money (issue 5 points 8 and 9) and for payment runs. A person's budgets
// (balance and breakdown from the ledger, next payment, spending by plan item against the plan),
// their ledger transactions and their card and bank transactions go through the people feature's
// access rule (withPerson) and are audited in the same transaction as the read.
//
// Payment runs are read only. Preparing, approving and posting a run, and proposing or
// confirming a recovery, need named finance officers with four eyes (decision 14), and an API
// client is a system: see decision 15. A finance system may collect a posted run's payment file.
import { z } from 'zod';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { hasRole } from '../../platform/auth/principal.js';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { Conflict, Forbidden, NotFound } from '../../platform/http/errors.js';
import { isUuid } from '../../platform/ids.js';
import {
  budgetsForApi,
  paymentFile,
  paymentFileForApi,
  paymentRunForApi,
  paymentRunsForApi,
} from '../budgets/index.js';
import { balances, netByTransactionKind, personLedgerPage } from '../ledger/index.js';
import { withPerson } from '../people/index.js';
import { cardTransactionsOfPerson, spendByPlanItem } from '../statements/index.js';
import { pence } from '../../platform/money.js';
import {
  budgetQuerySchema,
  budgetToJson,
  cardCursor,
  cardTransactionToJson,
  ledgerCursor,
  ledgerTransactionToJson,
  nextHref,
  pageQuerySchema,
  runListQuerySchema,
  runQuerySchema,
  runSummaryToJson,
  runToJson,
} from './budgets-schemas.js';
import { defineOperation, type Operation } from './operations.js';

export interface BudgetApiDeps {
  db: Db;
  now: () => Date;
}

export const RUN_NOT_FOUND = 'There is no payment run with this ID in your partnership';

const personIdParams = z.strictObject({
  id: z.string().meta({ description: 'The person’s ID (a UUID)' }),
});
const runIdParams = z.strictObject({
  id: z.string().meta({ description: 'The payment run’s ID (a UUID)' }),
});

/** Signed-in staff read payment runs only as finance officers; API clients by permission. */
function requireFinanceReader(ctx: AuditContext): void {
  const p = ctx.principal;
  if (p.kind === 'user' && !hasRole(p, 'finance_officer'))
    throw new Forbidden('Only finance officers can see payment runs.');
}

export function budgetOperations(deps: BudgetApiDeps): Operation[] {
  const { db, now } = deps;

  return [
    defineOperation({
      method: 'GET',
      path: '/people/:id/budgets',
      operationId: 'listPersonBudgets',
      summary: 'List a person’s budgets, with balances and spending against the plan',
      description:
        'One budget a funding stream and financial year, made from the approved support plan: the amount, what is left (the sum of its ledger entries) with the ledger broken down by kind, what the holding account holds, the next payment, contributions, commitments to providers with their invoices, and for each plan item what was spent against what the plan meant it to cost.',
      tag: 'Budgets',
      permission: 'budgets:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      query: budgetQuerySchema,
      responses: { 200: { description: 'The budgets', schema: 'BudgetList' } },
      async handler({ params, query, ctx, reply }) {
        const c = ctx();
        const items = await withPerson(db, c, params.id, 'read', now(), async (tx, { person }) => {
          const budgets = await budgetsForApi(tx, person.id, query.financialYear);
          const accounts = budgets.flatMap((b) => [
            b.budget.ledgerAccountId,
            ...(b.budget.holdingAccountId ? [b.budget.holdingAccountId] : []),
          ]);
          const windows = budgets.flatMap((b) =>
            b.budget.holdingAccountId
              ? [
                  {
                    holdingAccountId: b.budget.holdingAccountId,
                    from: b.budget.startsOn,
                    to: b.endsOn,
                  },
                ]
              : [],
          );
          const [bal, byKind, spend] = await Promise.all([
            balances(tx, accounts),
            netByTransactionKind(
              tx,
              budgets.map((b) => b.budget.ledgerAccountId),
            ),
            spendByPlanItem(tx, windows),
          ]);
          await audit(tx, c, {
            action: 'read',
            recordType: 'budget',
            personId: person.id,
            detail: { financialYear: query.financialYear ?? null, budgets: budgets.length },
          });
          return budgets.map((b) => {
            const holding = b.budget.holdingAccountId;
            const w = holding
              ? windows.findIndex(
                  (x) => x.holdingAccountId === holding && x.from === b.budget.startsOn,
                )
              : -1;
            return budgetToJson(b, {
              balance: bal.get(b.budget.ledgerAccountId) ?? 0,
              held: holding ? (bal.get(holding) ?? 0) : null,
              byKind: byKind.get(b.budget.ledgerAccountId) ?? new Map(),
              spend: spend.filter((s) => s.window === w),
            });
          });
        });
        reply.header('Cache-Control', 'no-store');
        return { items };
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/people/:id/ledger',
      operationId: 'listPersonLedgerTransactions',
      summary: 'List the ledger transactions on a person’s accounts',
      description:
        'Every transaction posted to the person’s budget and holding accounts (allocations, contributions, payments, invoices, card spending, recoveries and reversals), newest first, a page at a time, with their entries in whole pence (positive a debit, negative a credit). Follow `next` for the page after.',
      tag: 'Budgets',
      permission: 'budgets:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      query: pageQuerySchema('transactions'),
      responses: { 200: { description: 'A page of transactions', schema: 'LedgerPage' } },
      async handler({ params, query, ctx, reply }) {
        const c = ctx();
        const after = ledgerCursor.decode(query.cursor);
        const page = await withPerson(db, c, params.id, 'read', now(), async (tx, { person }) => {
          const found = await personLedgerPage(tx, person.id, { limit: query.limit, after });
          await audit(tx, c, {
            action: 'list',
            recordType: 'ledger_transaction',
            personId: person.id,
            detail: { shown: found.transactions.length, firstPage: after === null },
          });
          return found;
        });
        reply.header('Cache-Control', 'no-store');
        return {
          items: page.transactions.map(ledgerTransactionToJson),
          next: nextHref(
            `/people/${params.id}/ledger`,
            query.limit,
            page.next ? ledgerCursor.encode(page.next) : null,
          ),
        };
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/people/:id/transactions',
      operationId: 'listPersonCardTransactions',
      summary: 'List a person’s card and bank transactions',
      description:
        'The transactions imported from the statements of the person’s prepaid cards and bank accounts, newest first, a page at a time, each with the category it was given and the plan item it was matched to. Follow `next` for the page after.',
      tag: 'Budgets',
      permission: 'budgets:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      query: pageQuerySchema('transactions'),
      responses: {
        200: { description: 'A page of transactions', schema: 'CardTransactionPage' },
      },
      async handler({ params, query, ctx, reply }) {
        const c = ctx();
        const after = cardCursor.decode(query.cursor);
        const page = await withPerson(db, c, params.id, 'read', now(), async (tx, { person }) => {
          const found = await cardTransactionsOfPerson(tx, person.id, {
            limit: query.limit,
            after,
          });
          await audit(tx, c, {
            action: 'list',
            recordType: 'card_transaction',
            personId: person.id,
            detail: { shown: found.transactions.length, firstPage: after === null },
          });
          return found;
        });
        reply.header('Cache-Control', 'no-store');
        return {
          items: page.transactions.map(cardTransactionToJson),
          next: nextHref(
            `/people/${params.id}/transactions`,
            query.limit,
            page.next ? cardCursor.encode(page.next) : null,
          ),
        };
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/payment-runs',
      operationId: 'listPaymentRuns',
      summary: 'List payment runs',
      description:
        'The latest payment runs, newest first, with their status, totals and who prepared and approved them. A posted run’s payment file is at `fileHref`. Runs are prepared and approved by finance officers in Pooled (four eyes), never through the API.',
      tag: 'Payment runs',
      permission: 'payments:read',
      query: runListQuerySchema,
      responses: { 200: { description: 'The runs', schema: 'PaymentRunList' } },
      async handler({ query, ctx, reply }) {
        const c = ctx();
        requireFinanceReader(c);
        const runs = await inPartnership(db, c.principal.partnershipId, async (tx) => {
          const found = await paymentRunsForApi(tx, query.limit);
          await audit(tx, c, {
            action: 'list',
            recordType: 'payment_run',
            detail: { shown: found.length },
          });
          return found;
        });
        reply.header('Cache-Control', 'no-store');
        return { items: runs.map(runSummaryToJson) };
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/payment-runs/:id',
      operationId: 'getPaymentRun',
      summary: 'Read one payment run with its lines',
      description:
        'The run, its totals by funding body, and a page of its lines (payee, account reference, amount and reference of each payment), by reference.',
      tag: 'Payment runs',
      permission: 'payments:read',
      params: runIdParams,
      query: runQuerySchema,
      responses: { 200: { description: 'The run', schema: 'PaymentRun' } },
      async handler({ params, query, ctx, reply }) {
        const c = ctx();
        requireFinanceReader(c);
        if (!isUuid(params.id)) throw new NotFound(RUN_NOT_FOUND);
        const found = await inPartnership(db, c.principal.partnershipId, async (tx) => {
          const run = await paymentRunForApi(tx, params.id, {
            limit: query.limit,
            offset: query.offset,
          });
          if (!run) return undefined;
          // One event for the run: the people in it are the run's lines, kept for good.
          await audit(tx, c, {
            action: 'list',
            recordType: 'payment_run',
            recordId: run.run.id,
            detail: { shown: run.lines.length, offset: query.offset, lines: run.run.lineCount },
          });
          return run;
        });
        if (!found) throw new NotFound(RUN_NOT_FOUND);
        reply.header('Cache-Control', 'no-store');
        return runToJson(found, query.offset);
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/payment-runs/:id/file',
      operationId: 'getPaymentFile',
      summary: 'Collect a posted run’s payment file (CSV)',
      description:
        'The same file finance officers download in Pooled: one row a payment (payee, account or card reference, amount in pounds, reference). Only for a posted run (409 before). Audited as an export of the run.',
      tag: 'Payment runs',
      permission: 'payments:read',
      params: runIdParams,
      responses: {
        200: {
          description: 'The payment file',
          schema: 'PaymentFile',
          mediaType: 'text/csv',
          headers: { 'Content-Disposition': 'attachment; filename="payment-run-<id>.csv"' },
        },
        409: { description: 'The run has not been approved and posted yet', schema: 'Problem' },
      },
      async handler({ params, ctx, reply }) {
        const c = ctx();
        requireFinanceReader(c);
        if (!isUuid(params.id)) throw new NotFound(RUN_NOT_FOUND);
        const found = await inPartnership(db, c.principal.partnershipId, async (tx) => {
          const file = await paymentFileForApi(tx, params.id);
          if (!file || file.run.status !== 'posted') return file;
          await audit(tx, c, {
            action: 'export',
            recordType: 'payment_run',
            recordId: file.run.id,
            detail: { lines: file.rows.length, file: 'payment-file.csv' },
          });
          return file;
        });
        if (!found) throw new NotFound(RUN_NOT_FOUND);
        if (found.run.status !== 'posted')
          throw new Conflict('The payment file is made once the run has been approved and posted.');
        const csv = paymentFile(
          found.rows.map((r) => ({
            payee: r.payee,
            accountReference: r.accountReference,
            amount: pence(r.amount),
            reference: r.reference,
            body: r.body,
          })),
        );
        return reply
          .header('Cache-Control', 'no-store')
          .header('Content-Disposition', `attachment; filename="payment-run-${found.run.id}.csv"`)
          .type('text/csv; charset=utf-8')
          .send(csv);
      },
    }),
  ];
}
