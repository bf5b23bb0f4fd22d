// The ledger page for finance officers, to reconcile Pooled with the council's or ICB's own
// ledger: the trial balance on a day (debits and credits by account kind and funding body, which
// always agree), each account's balance on that day as CSV, and every posting between two days as
// CSV (one row per entry, debit and credit in their own columns). The CSVs name people's accounts,
// so each download is audited as an export.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { csvCell, csvFile } from '../../platform/csv.js';
import { inPartnership, type Db } from '../../platform/db/database.js';
import {
  civilDateFromParts,
  financialYearOf,
  todayInLondon,
  yearStart,
  type CivilDate,
} from '../../platform/dates.js';
import type { FieldError } from '../../platform/http/errors.js';
import { currentUser } from '../../platform/http/app.js';
import { csvDownload } from '../../platform/http/csv-download.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import { formatPounds, pence, plainPounds } from '../../platform/money.js';
import {
  accountBalances,
  postingsPage,
  trialBalance,
  type PostingsCursor,
} from './finance-reads.js';
import { ACCOUNT_KINDS, type AccountKind, type FundingBody } from './rules.js';

export interface LedgerRouteDeps {
  db: Db;
  now: () => Date;
}

/** Transactions read per page of the postings CSV. */
const POSTINGS_PAGE = 2000;

/** Each account kind as finance officers name it, and what it holds. */
export const ACCOUNT_KIND_TEXT: Readonly<Record<AccountKind, { name: string; holds: string }>> = {
  stream_pot: { name: 'Funding pots', holds: 'what each funding body has allocated to budgets' },
  person_budget: { name: 'Personal budgets', holds: 'what each budget has left to pay or commit' },
  holding_account: {
    name: 'Direct payment and held accounts',
    holds: 'money paid to people, third parties and service funds, not yet spent',
  },
  provider_payable: { name: 'Providers', holds: 'invoices from providers, not yet paid' },
  contributions: { name: 'Client contributions', holds: 'people’s own contributions' },
  recoveries: { name: 'Recoveries', holds: 'money taken back from held accounts' },
  spending: { name: 'Spent', holds: 'card and bank spending, and invoices' },
  payments_out: { name: 'Paid out', holds: 'payments sent in payment files' },
};

const BODY_TEXT: Readonly<Record<FundingBody, string>> = { council: 'Council', nhs: 'NHS' };
const bodyText = (b: FundingBody | null) => (b ? BODY_TEXT[b] : 'Not set');

/** A debit and a credit cell (one of them empty) for an amount: positive is a debit. */
const debitCredit = (amount: number): [string, string] =>
  amount >= 0 ? [plainPounds(pence(amount)), ''] : ['', plainPounds(pence(-amount))];

type DateField = 'on' | 'from' | 'to';

/** The day a date input names, or an error for it; empty inputs give `fallback`. */
function readDate(
  query: unknown,
  name: DateField,
  label: string,
  fallback: CivilDate,
  values: Record<string, string>,
  errors: FieldError[],
): CivilDate {
  const parts = ['day', 'month', 'year'].map((p) => {
    const v = field(query, `${name}-${p}`).trim();
    values[`${name}-${p}`] = v;
    return v;
  });
  if (parts.every((p) => p === '')) return fallback;
  const date = civilDateFromParts(parts[0] ?? '', parts[1] ?? '', parts[2] ?? '');
  if (date) return date;
  errors.push({
    field: `${name}-day`,
    message: `Enter a real date for ${label}, for example 31 3 2027`,
  });
  return fallback;
}

export function ledgerRoutes(deps: LedgerRouteDeps) {
  const ctxOf = (req: FastifyRequest): AuditContext => ({
    principal: currentUser(req, 'finance_officer'),
    ip: req.ip,
  });

  /** The three dates from the query (the form's answers kept), and any errors. */
  const datesOf = (req: FastifyRequest) => {
    const today = todayInLondon(deps.now());
    const values: Record<string, string> = {};
    const errors: FieldError[] = [];
    const on = readDate(req.query, 'on', 'the balances', today, values, errors);
    const from = readDate(
      req.query,
      'from',
      'the first day',
      yearStart(financialYearOf(today)),
      values,
      errors,
    );
    const to = readDate(req.query, 'to', 'the last day', today, values, errors);
    if (!errors.length && from > to)
      errors.push({
        field: 'to-day',
        message: 'The last day must be the same as or after the first day',
      });
    return { today, on, from, to, values, errors };
  };

  const renderPage = async (req: FastifyRequest, reply: FastifyReply) => {
    const ctx = ctxOf(req);
    const d = datesOf(req);
    const rows = d.errors.length
      ? []
      : await inPartnership(deps.db, ctx.principal.partnershipId, (tx) => trialBalance(tx, d.on));
    // In the order money moves: pots, budgets, held money, providers, then where it went.
    const order = (r: (typeof rows)[number]) =>
      ACCOUNT_KINDS.indexOf(r.kind) * 3 + (r.fundingBody === 'council' ? 0 : r.fundingBody ? 1 : 2);
    const lines = [...rows]
      .sort((x, y) => order(x) - order(y))
      .map((r) => ({
        kind: ACCOUNT_KIND_TEXT[r.kind].name,
        holds: ACCOUNT_KIND_TEXT[r.kind].holds,
        body: bodyText(r.fundingBody),
        accounts: r.accounts,
        debit: r.balancePence > 0 ? formatPounds(pence(r.balancePence)) : '',
        credit: r.balancePence < 0 ? formatPounds(pence(-r.balancePence)) : '',
      }));
    const debits = rows.reduce((t, r) => t + Math.max(0, r.balancePence), 0);
    const credits = rows.reduce((t, r) => t + Math.max(0, -r.balancePence), 0);
    const query = (names: readonly DateField[]) =>
      new URLSearchParams(
        names.flatMap((n): [string, string][] => {
          const day = n === 'on' ? d.on : n === 'from' ? d.from : d.to;
          return [
            [`${n}-day`, String(Number(day.slice(8, 10)))],
            [`${n}-month`, String(Number(day.slice(5, 7)))],
            [`${n}-year`, day.slice(0, 4)],
          ];
        }),
      ).toString();
    return reply.render(
      'ledger/views/ledger.njk',
      {
        pageTitle: 'Ledger',
        values: d.values,
        shown: d.errors.length ? null : { on: d.on, from: d.from, to: d.to },
        lines,
        totals: { debit: formatPounds(pence(debits)), credit: formatPounds(pence(credits)) },
        balanced: debits === credits,
        balancesHref: `/finance/ledger/balances.csv?${query(['on'])}`,
        postingsHref: `/finance/ledger/postings.csv?${query(['from', 'to'])}`,
        ...(d.errors.length ? describeErrors(d.errors) : {}),
      },
      d.errors.length ? 400 : 200,
    );
  };

  return (app: FastifyInstance): void => {
    app.get('/finance/ledger', (req, reply) => renderPage(req, reply));

    // Each account's balance on a day.
    app.get('/finance/ledger/balances.csv', async (req, reply) => {
      const ctx = ctxOf(req);
      const d = datesOf(req);
      if (d.errors.length) return renderPage(req, reply);
      const rows = await inPartnership(deps.db, ctx.principal.partnershipId, async (tx) => {
        const found = await accountBalances(tx, d.on);
        await audit(tx, ctx, {
          action: 'export',
          recordType: 'ledger',
          detail: { file: 'ledger-balances.csv', on: d.on, accounts: found.length },
        });
        return found;
      });
      return csvDownload(reply, `ledger-balances-${d.on}.csv`).send(
        csvFile(
          [
            'balance_on',
            'account_id',
            'account',
            'kind',
            'funding_body',
            'person_id',
            'debit',
            'credit',
          ],
          rows.map((r) => [
            d.on,
            r.id,
            r.name,
            r.kind,
            r.fundingBody ?? '',
            r.personId ?? '',
            ...debitCredit(r.balancePence),
          ]),
        ),
      );
    });

    // Every entry of the postings between two days, read a page of transactions at a time.
    app.get('/finance/ledger/postings.csv', async (req, reply) => {
      const ctx = ctxOf(req);
      const d = datesOf(req);
      if (d.errors.length) return renderPage(req, reply);
      const { partnershipId } = ctx.principal;
      await inPartnership(deps.db, partnershipId, (tx) =>
        audit(tx, ctx, {
          action: 'export',
          recordType: 'ledger',
          detail: { file: 'ledger-postings.csv', from: d.from, to: d.to },
        }),
      );
      const header = [
        'occurred_on',
        'transaction_id',
        'posting_key',
        'transaction_kind',
        'description',
        'account_id',
        'account',
        'account_kind',
        'funding_body',
        'debit',
        'credit',
      ];
      const db = deps.db;
      async function* lines() {
        yield header.map(csvCell).join(',') + '\r\n';
        let cursor: PostingsCursor | null = null;
        do {
          const page = await inPartnership(db, partnershipId, (tx) =>
            postingsPage(tx, { from: d.from, to: d.to }, cursor, POSTINGS_PAGE),
          );
          yield page.rows
            .map(
              (r) =>
                [
                  r.occurredOn,
                  r.transactionId,
                  r.idempotencyKey,
                  r.transactionKind,
                  r.description,
                  r.accountId,
                  r.accountName,
                  r.accountKind,
                  r.fundingBody ?? '',
                  ...debitCredit(r.amountPence),
                ]
                  .map(csvCell)
                  .join(',') + '\r\n',
            )
            .join('');
          cursor = page.next;
        } while (cursor);
      }
      return csvDownload(reply, `ledger-postings-${d.from}-to-${d.to}.csv`).send(
        Readable.from(lines()),
      );
    });
  };
}
