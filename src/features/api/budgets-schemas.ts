// The API's view of a person's money (budgets, ledger transactions, card and bank transactions)
// and of payment runs: the zod schemas it answers with and the queries it accepts (so they appear
// in the OpenAPI document), the functions that turn the features' records into those shapes, and
// the page cursors. Money is whole pence in fields ending Pence, as everywhere in the API.
import { z } from 'zod';
import { Invalid } from '../../platform/http/errors.js';
import { maskAccountReference, type BudgetForApi, type RunForApi } from '../budgets/index.js';
import type { CardCursor, CardTransactionView, SpendByItem } from '../statements/index.js';
import {
  ACCOUNT_KINDS,
  TRANSACTION_KINDS,
  type LedgerCursor,
  type LedgerTransactionView,
  type TransactionKind,
} from '../ledger/index.js';
import { API_BASE } from './operations.js';

const instant = z.iso.datetime().meta({ description: 'An instant, ISO 8601 in UTC' });
const civilDate = z.iso.date().meta({ description: 'A calendar date, YYYY-MM-DD' });
const id = z.uuid();
const pence = (description: string) =>
  z
    .number()
    .int()
    .meta({ description: `${description}, in whole pence` });
const FUNDING_BODIES = ['council', 'nhs'] as const;
const HOLDINGS = [
  'direct_payment',
  'managed',
  'third_party',
  'individual_service_fund',
  'mixed',
] as const;

const personHref = (personId: string) => `${API_BASE}/people/${personId}`;
const planHref = (planId: string) => `${API_BASE}/plans/${planId}`;
export const paymentRunHref = (runId: string) => `${API_BASE}/payment-runs/${runId}`;

// ---------------------------------------------------------------------------------------------
// Queries and cursors

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 50;

const limitField = (max: number, fallback: number, what: string) =>
  z.coerce
    .number({ error: `Limit must be a whole number from 1 to ${max}` })
    .int(`Limit must be a whole number from 1 to ${max}`)
    .min(1, `Limit must be a whole number from 1 to ${max}`)
    .max(max, `Limit must be a whole number from 1 to ${max}`)
    .default(fallback)
    .meta({ description: `How many ${what} to return (1 to ${max}; ${fallback} if left out)` });

export const budgetQuerySchema = z.strictObject({
  financialYear: z.coerce
    .number({ error: 'Financial year must be a year such as 2026 (for 2026/27)' })
    .int('Financial year must be a year such as 2026 (for 2026/27)')
    .min(2000, 'Financial year must be a year such as 2026 (for 2026/27)')
    .max(2100, 'Financial year must be a year such as 2026 (for 2026/27)')
    .optional()
    .meta({
      description:
        'Only the budgets of this financial year, named by the year it starts in (2026 is 1 April 2026 to 31 March 2027). Every year if left out.',
    }),
});

const cursorField = z
  .string()
  .max(200, 'The cursor is not one this API gave: start again without it')
  .optional()
  .meta({ description: 'Where to start: the `next` link of the page before gives it' });

export const pageQuerySchema = (what: string) =>
  z.strictObject({
    limit: limitField(MAX_PAGE, DEFAULT_PAGE, what),
    cursor: cursorField,
  });

export const runListQuerySchema = z.strictObject({
  limit: limitField(MAX_PAGE, 25, 'payment runs'),
});

export const runQuerySchema = z.strictObject({
  limit: limitField(1000, 500, 'lines'),
  offset: z.coerce
    .number({ error: 'Offset must be a whole number, 0 or more' })
    .int('Offset must be a whole number, 0 or more')
    .min(0, 'Offset must be a whole number, 0 or more')
    .default(0)
    .meta({ description: 'How many lines to skip (by reference order); 0 if left out' }),
});

const BAD_CURSOR = 'The cursor is not one this API gave: start again without it';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const encode = (parts: readonly string[]) =>
  Buffer.from(parts.join('|'), 'utf8').toString('base64url');

function decode(cursor: string, count: number): string[] {
  const parts = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8').split('|')
    : [];
  if (parts.length !== count) throw new Invalid([{ field: 'cursor', message: BAD_CURSOR }]);
  return parts;
}

const isDate = (s: string | undefined): s is string =>
  s !== undefined && z.iso.date().safeParse(s).success;

export const ledgerCursor = {
  encode: (c: LedgerCursor) => encode([c.occurredOn, c.postedAt, c.id]),
  decode(cursor: string | undefined): LedgerCursor | null {
    if (cursor === undefined) return null;
    const [occurredOn, postedAt, cid] = decode(cursor, 3);
    if (!isDate(occurredOn) || !TIMESTAMP.test(postedAt ?? '') || !UUID.test(cid ?? ''))
      throw new Invalid([{ field: 'cursor', message: BAD_CURSOR }]);
    return { occurredOn, postedAt: postedAt ?? '', id: cid ?? '' };
  },
};

export const cardCursor = {
  encode: (c: CardCursor) => encode([c.occurredOn, c.id]),
  decode(cursor: string | undefined): CardCursor | null {
    if (cursor === undefined) return null;
    const [occurredOn, cid] = decode(cursor, 2);
    if (!isDate(occurredOn) || !UUID.test(cid ?? ''))
      throw new Invalid([{ field: 'cursor', message: BAD_CURSOR }]);
    return { occurredOn, id: cid ?? '' };
  },
};

/** The link to the next page: the same query with the new cursor. */
export const nextHref = (path: string, limit: number, cursor: string | null): string | null =>
  cursor === null
    ? null
    : `${API_BASE}${path}?${new URLSearchParams({ limit: String(limit), cursor }).toString()}`;

const nextField = z
  .string()
  .nullable()
  .meta({ description: 'The URL of the next page, or null on the last page' });

// ---------------------------------------------------------------------------------------------
// Budgets

const ledgerBreakdownSchema = z
  .strictObject({
    allocatedPence: pence('Allocated to the budget from the funding body’s pot'),
    contributionsPence: pence('Client contributions taken from it (what the person pays)'),
    paidPence: pence('Paid out of it to the holding account (direct payments, third party, ISF)'),
    invoicedPence: pence('Paid out of it on providers’ invoices (managed)'),
    otherPence: pence('Everything else, signed: recoveries, reversals and adjustments'),
  })
  .meta({
    description:
      'The budget account’s entries on the ledger by kind: balancePence = allocatedPence − contributionsPence − paidPence − invoicedPence + otherPence.',
  });

const spendByItemSchema = z.strictObject({
  itemId: z.string().meta({ description: 'The plan item’s ID in the plan document' }),
  what: z.string(),
  category: z.string().nullable(),
  route: z.enum(['payment', 'commitment']).meta({
    description:
      'payment: paid to the person’s holding account and spent from it (card or bank); commitment: bought from a provider on invoice',
  }),
  plannedPence: pence(
    'What the plan meant the item to cost from the budget’s start to the end of its year (a one-off item: in full in the plan’s first year, nothing in a renewal for a later year)',
  ),
  spentPence: pence(
    'Spent on it so far: card or bank transactions matched to the item in the budget’s year, less refunds (payment); invoiced (commitment)',
  ),
  remainingPence: pence('Planned less spent (negative when more was spent)'),
  transactions: z
    .number()
    .int()
    .meta({ description: 'How many card or bank transactions (or invoices) that is' }),
});

const commitmentSchema = z.strictObject({
  id,
  itemId: z.string(),
  what: z.string(),
  providerName: z.string(),
  amountPence: pence('Committed to the provider for the year'),
  invoicedPence: pence('Invoiced so far'),
  remainingPence: pence('Left of the commitment'),
  invoices: z.array(
    z.strictObject({ number: z.string(), date: civilDate, amountPence: pence('The invoice') }),
  ),
});

export const budgetSchema = z.strictObject({
  id,
  personId: id,
  personHref: z.string(),
  planId: id,
  planHref: z.string().meta({ description: 'The approved support plan the budget was made from' }),
  streamId: z.string(),
  streamName: z.string(),
  fundingBody: z.enum(FUNDING_BODIES),
  holding: z.enum(HOLDINGS).meta({ description: 'How the money is held' }),
  financialYear: z.number().int().meta({ description: 'The year it starts in: 2026 is 2026/27' }),
  startsOn: civilDate,
  endsOn: civilDate,
  amountPence: pence('The budget for its part of the year'),
  balancePence: pence('What is left in the budget: the sum of its entries on the ledger'),
  ledger: ledgerBreakdownSchema,
  heldPence: pence('What the holding account (bank, prepaid card or holding organisation) holds')
    .nullable()
    .meta({
      description:
        'What the holding account holds, on the ledger, in whole pence; null when nothing is paid to one (managed)',
    }),
  payee: z.strictObject({ name: z.string(), reference: z.string() }).nullable().meta({
    description:
      'Who the payments go to and their account or card reference (a bank account or card number shows only its last 4 digits)',
  }),
  nextPayment: z
    .strictObject({
      dueOn: civilDate,
      amountPence: pence('The payment, net of the contribution'),
      contributionPence: pence('The contribution netted from it'),
      reference: z.string(),
      description: z.string(),
      status: z.enum(['due', 'in_run']).meta({ description: 'in_run: in a payment run already' }),
    })
    .nullable()
    .meta({ description: 'The next payment to the holding account, or null when none is left' }),
  schedule: z.strictObject({
    lines: z.number().int().meta({ description: 'Payments scheduled for the year' }),
    paid: z.number().int().meta({ description: 'Of which paid' }),
    contributionPence: pence('Contributions netted from the scheduled payments'),
  }),
  commitments: z.array(commitmentSchema),
  spendByItem: z
    .array(spendByItemSchema)
    .meta({ description: 'Each of the stream’s plan items: spent against planned' }),
  unmatchedSpentPence: pence('Spent from the holding account in the year on no plan item')
    .nullable()
    .meta({
      description:
        'Spent from the holding account in the budget’s year but matched to no plan item (less refunds), in whole pence; null without a holding account',
    }),
});

export const budgetListSchema = z.strictObject({
  items: z
    .array(budgetSchema)
    .meta({ description: 'Newest financial year first, then by stream name' }),
});

export interface BudgetMoney {
  balance: number;
  held: number | null;
  byKind: ReadonlyMap<TransactionKind, number>;
  /** Spending from this budget's holding account in its year (spendByPlanItem for its window). */
  spend: readonly SpendByItem[];
}

export function budgetToJson(b: BudgetForApi, money: BudgetMoney): z.output<typeof budgetSchema> {
  const r = b.budget;
  const net = (k: TransactionKind) => money.byKind.get(k) ?? 0;
  const known: TransactionKind[] = ['allocation', 'contribution', 'payment', 'invoice'];
  const other = [...money.byKind]
    .filter(([k]) => !known.includes(k))
    .reduce((t, [, v]) => t + v, 0);
  const spendOf = (itemId: string | null) =>
    money.spend
      .filter((s) => s.planItemId === itemId)
      .reduce((t, s) => ({ spent: t.spent + s.spentPence, count: t.count + s.count }), {
        spent: 0,
        count: 0,
      });
  const next = b.nextPayment;
  return {
    id: r.id,
    personId: r.personId,
    personHref: personHref(r.personId),
    planId: r.planId,
    planHref: planHref(r.planId),
    streamId: r.streamId,
    streamName: r.streamName,
    fundingBody: r.body,
    holding: r.holding,
    financialYear: r.financialYear,
    startsOn: r.startsOn,
    endsOn: b.endsOn,
    amountPence: r.amount,
    balancePence: money.balance,
    ledger: {
      allocatedPence: net('allocation'),
      contributionsPence: -net('contribution'),
      paidPence: -net('payment'),
      invoicedPence: -net('invoice'),
      otherPence: other,
    },
    heldPence: money.held,
    payee:
      r.payeeName !== null && r.payeeReference !== null
        ? { name: r.payeeName, reference: maskAccountReference(r.payeeReference) }
        : null,
    nextPayment:
      next && (next.status === 'due' || next.status === 'in_run')
        ? {
            dueOn: next.dueOn,
            amountPence: next.amount,
            contributionPence: next.contribution,
            reference: next.reference,
            description: next.description,
            status: next.status,
          }
        : null,
    schedule: {
      lines: b.schedule.lines,
      paid: b.schedule.paid,
      contributionPence: b.schedule.contributionPence,
    },
    commitments: b.commitments.map((c) => ({
      id: c.id,
      itemId: c.itemId,
      what: c.what,
      providerName: c.providerName,
      amountPence: c.amount,
      invoicedPence: c.invoiced,
      remainingPence: c.amount - c.invoiced,
      invoices: c.invoices.map((i) => ({ number: i.number, date: i.date, amountPence: i.amount })),
    })),
    spendByItem: b.items.map((item) => {
      const commitment = b.commitments.find((c) => c.itemId === item.itemId);
      const spent =
        item.route === 'commitment'
          ? { spent: commitment?.invoiced ?? 0, count: commitment?.invoices.length ?? 0 }
          : spendOf(item.itemId);
      return {
        itemId: item.itemId,
        what: item.what,
        category: item.category,
        route: item.route,
        plannedPence: item.plannedPence,
        spentPence: spent.spent,
        remainingPence: item.plannedPence - spent.spent,
        transactions: spent.count,
      };
    }),
    unmatchedSpentPence: r.holdingAccountId === null ? null : spendOf(null).spent,
  };
}

// ---------------------------------------------------------------------------------------------
// Ledger transactions

const entrySchema = z.strictObject({
  id: z.number().int(),
  accountId: id,
  accountKey: z.string().meta({
    description:
      'The account’s natural key: budget:<budget id>, holding:<person id>:<stream id>, pot:<body>, spending:<body>, contributions:<body>, recoveries:<body>, provider:<body>:<name>',
  }),
  accountKind: z.enum(ACCOUNT_KINDS),
  accountName: z.string(),
  fundingBody: z.enum(FUNDING_BODIES).nullable(),
  amountPence: pence('Signed: positive is a debit (money into the account), negative a credit'),
  sourceRef: z.string().nullable().meta({
    description:
      'What caused the entry: import:<statement import id> (the net of its card or bank transactions on the account in one batch), line:<schedule line id>, invoice:<invoice id>; null for none',
  }),
});

export const ledgerTransactionSchema = z.strictObject({
  id,
  kind: z.enum(TRANSACTION_KINDS),
  occurredOn: civilDate.meta({ description: 'The day the money moved' }),
  description: z.string(),
  reversesId: id.nullable().meta({ description: 'For a reversal: the transaction it reverses' }),
  postedAt: instant,
  entryCount: z.number().int().min(2).meta({ description: 'All the transaction’s entries' }),
  complete: z.boolean().meta({
    description:
      'True when every entry is listed (they sum to zero). A statement import posts one transaction for many people: only this person’s entries are listed then.',
  }),
  entries: z.array(entrySchema),
});

export const ledgerPageSchema = z.strictObject({
  items: z.array(ledgerTransactionSchema).meta({
    description:
      'Newest first: by the day the money moved, then by when it was posted. A budget’s allocations for later periods are dated the first day of their period, so they come first until then.',
  }),
  next: nextField,
});

export function ledgerTransactionToJson(
  t: LedgerTransactionView,
): z.output<typeof ledgerTransactionSchema> {
  return {
    id: t.id,
    kind: t.kind,
    occurredOn: t.occurredOn,
    description: t.description,
    reversesId: t.reversesId,
    postedAt: t.postedAt.toISOString(),
    entryCount: t.entryCount,
    complete: t.complete,
    entries: t.entries.map((e) => ({
      id: e.id,
      accountId: e.accountId,
      accountKey: e.accountKey,
      accountKind: e.accountKind,
      accountName: e.accountName,
      fundingBody: e.fundingBody,
      amountPence: e.amountPence,
      sourceRef: e.sourceRef,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Card and bank transactions

export const cardTransactionSchema = z.strictObject({
  id,
  occurredOn: civilDate,
  amountPence: pence('Signed as on the statement: negative is money spent, positive a refund'),
  description: z.string(),
  merchantCategoryCode: z.string().nullable(),
  category: z
    .string()
    .nullable()
    .meta({ description: 'The spending category given on import, or null when none fitted' }),
  planItemId: z
    .string()
    .nullable()
    .meta({ description: 'The plan item it was matched to, or null for none' }),
  fundingBody: z.enum(FUNDING_BODIES).nullable(),
  accountReference: z.string().meta({
    description:
      "The holding account's card or bank account reference (its current one), with all but the last 4 digits masked",
  }),
  provider: z.string().meta({ description: 'The statement format it was imported with' }),
  providerTransactionId: z.string(),
  importId: id,
  lineNo: z.number().int().meta({ description: 'The line of the statement file it came from' }),
});

export const cardTransactionPageSchema = z.strictObject({
  items: z
    .array(cardTransactionSchema)
    .meta({ description: 'Newest first, by the day on the statement' }),
  next: nextField,
});

export function cardTransactionToJson(
  c: CardTransactionView,
): z.output<typeof cardTransactionSchema> {
  return {
    id: c.id,
    occurredOn: c.occurredOn,
    amountPence: c.amountPence,
    description: c.description,
    merchantCategoryCode: c.mcc,
    category: c.category,
    planItemId: c.planItemId,
    fundingBody: c.fundingBody,
    // The holding account's reference, masked as elsewhere in the API (decision 0019).
    accountReference: maskAccountReference(c.accountReference),
    provider: c.provider,
    providerTransactionId: c.providerTransactionId,
    importId: c.importId,
    lineNo: c.lineNo,
  };
}

// ---------------------------------------------------------------------------------------------
// Payment runs

const RUN_STATUSES = ['prepared', 'approved', 'posted', 'cancelled'] as const;

export const paymentRunSummarySchema = z.strictObject({
  id,
  href: z.string(),
  status: z.enum(RUN_STATUSES).meta({
    description:
      'prepared (waiting for a second finance officer), approved (being posted), posted (paid on the ledger; the file can be collected) or cancelled',
  }),
  dueUpTo: civilDate.meta({ description: 'Every line due on or before this day was taken' }),
  preparedByName: z.string().nullable(),
  preparedAt: instant,
  approvedByName: z.string().nullable(),
  approvedAt: instant.nullable(),
  postedAt: instant.nullable(),
  lineCount: z.number().int(),
  totalPence: pence('The run’s total'),
  fileHref: z
    .string()
    .nullable()
    .meta({ description: 'Where to GET the payment file (CSV) once posted; null before' }),
});

export const paymentRunListSchema = z.strictObject({
  items: z.array(paymentRunSummarySchema).meta({ description: 'Newest first' }),
});

export const paymentRunSchema = z.strictObject({
  ...paymentRunSummarySchema.shape,
  byFundingBody: z.array(
    z.strictObject({
      fundingBody: z.enum(FUNDING_BODIES),
      count: z.number().int(),
      totalPence: pence('Paid from this body’s money'),
    }),
  ),
  lines: z
    .array(
      z.strictObject({
        lineId: id,
        personId: id,
        personName: z.string(),
        fundingBody: z.enum(FUNDING_BODIES),
        payee: z.string(),
        accountReference: z.string().meta({
          description:
            'The account or card reference (a bank account or card number shows only its last 4 digits; the payment file has it whole)',
        }),
        amountPence: pence('The payment'),
        reference: z.string().meta({
          description:
            'The payment’s reference (PB and 16 letters and digits: 18 characters, the longest a Bacs reference may be)',
        }),
        dueOn: civilDate,
        description: z.string(),
        status: z.enum(['due', 'in_run', 'paid', 'cancelled']),
      }),
    )
    .meta({ description: 'A page of the run’s lines, by reference' }),
  offset: z.number().int(),
  more: z.boolean().meta({ description: 'True when the run has lines after this page' }),
});

export const paymentFileSchema = z.string().meta({
  description:
    'CSV with the header payee,account_reference,amount,reference; amounts in pounds with two decimals; CRLF line ends; a cell that a spreadsheet could run as a formula starts with an apostrophe.',
});

type RunRecord = RunForApi['run'];

export function runSummaryToJson(r: RunRecord): z.output<typeof paymentRunSummarySchema> {
  return {
    id: r.id,
    href: paymentRunHref(r.id),
    status: r.status,
    dueUpTo: r.dueUpTo,
    preparedByName: r.preparedByName,
    preparedAt: r.preparedAt.toISOString(),
    approvedByName: r.approvedByName,
    approvedAt: r.approvedAt?.toISOString() ?? null,
    postedAt: r.postedAt?.toISOString() ?? null,
    lineCount: r.lineCount,
    totalPence: r.total,
    fileHref: r.status === 'posted' ? `${paymentRunHref(r.id)}/file` : null,
  };
}

export function runToJson(x: RunForApi, offset: number): z.output<typeof paymentRunSchema> {
  return {
    ...runSummaryToJson(x.run),
    byFundingBody: x.byBody.map((b) => ({
      fundingBody: b.body,
      count: b.count,
      totalPence: b.total,
    })),
    lines: x.lines.map((l) => ({
      lineId: l.lineId,
      personId: l.personId,
      personName: l.personName,
      fundingBody: l.body,
      payee: l.payee,
      accountReference: maskAccountReference(l.accountReference),
      amountPence: l.amount,
      reference: l.reference,
      dueOn: l.dueOn,
      description: l.description,
      status: l.status,
    })),
    offset,
    more: offset + x.lines.length < x.run.lineCount,
  };
}

export const BUDGET_OUTPUT_SCHEMAS = {
  Budget: budgetSchema,
  BudgetList: budgetListSchema,
  LedgerTransaction: ledgerTransactionSchema,
  LedgerPage: ledgerPageSchema,
  CardTransaction: cardTransactionSchema,
  CardTransactionPage: cardTransactionPageSchema,
  PaymentRunSummary: paymentRunSummarySchema,
  PaymentRunList: paymentRunListSchema,
  PaymentRun: paymentRunSchema,
  PaymentFile: paymentFileSchema,
};
