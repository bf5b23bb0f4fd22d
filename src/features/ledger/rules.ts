// The ledger's rules, pure: what a valid posting is (whole, non-zero, safe amounts in pence on at
// least two lines summing to zero), the reversal of a posting, whether two postings move the same
// money, and a small in-memory ledger used as the model in tests. The database enforces the same
// balance rule again (migration 0005); these checks give a clear error first.
import { isCivilDate } from '../../platform/dates.js';

export const ACCOUNT_KINDS = [
  'stream_pot',
  'person_budget',
  'holding_account',
  'provider_payable',
  'contributions',
  'recoveries',
  'spending',
  'payments_out',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const TRANSACTION_KINDS = [
  'allocation',
  'contribution',
  'payment',
  'spend',
  'invoice',
  'recovery',
  'reversal',
  'adjustment',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

export type FundingBody = 'council' | 'nhs';

export interface AccountSpec {
  key: string;
  kind: AccountKind;
  name: string;
  fundingBody?: FundingBody | null;
  personId?: string | null;
  budgetId?: string | null;
  reference?: string | null;
}

/** One line of a posting: a signed, non-zero whole number of pence (positive = debit). */
export interface PostingLine {
  accountId: string;
  amountPence: number;
  sourceRef?: string | null;
}

export interface PostingInput {
  idempotencyKey: string;
  kind: TransactionKind;
  /** CivilDate, YYYY-MM-DD. */
  occurredOn: string;
  description: string;
  lines: readonly PostingLine[];
  postedBy?: string | null;
  /**
   * The new transaction's id, when the caller must record it before posting (a statement import
   * writes it on its card transactions first); a uuid. Default: one made by the database.
   */
  transactionId?: string;
  /**
   * Accounts whose balance must not go below zero because of this posting (a recovery from a
   * holding account): refused with LedgerError 'insufficient' otherwise.
   */
  nonNegative?: readonly string[];
}

/** created=false: the idempotency key had been posted already and nothing was written. */
export interface PostResult {
  transactionId: string;
  created: boolean;
}

export type LedgerErrorCode =
  | 'unbalanced' // the lines do not sum to zero
  | 'empty' // fewer than two lines
  | 'invalid' // an amount that is not a whole, non-zero, safe number of pence; a bad key or date
  | 'not_found' // no such transaction or account
  | 'already_reversed' // the transaction has been reversed already
  | 'not_reversible' // the transaction is itself a reversal
  | 'insufficient' // the posting would take an account below zero
  | 'conflict'; // an idempotency key or account key reused for different money or a different kind

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  constructor(code: LedgerErrorCode, message: string) {
    super(message);
    this.name = 'LedgerError';
    this.code = code;
  }
}

/** Throws LedgerError unless the posting is one the ledger accepts. */
export function validatePosting(input: PostingInput): void {
  if (input.idempotencyKey.trim().length === 0) {
    throw new LedgerError('invalid', 'A posting needs an idempotency key');
  }
  if (!(TRANSACTION_KINDS as readonly string[]).includes(input.kind)) {
    throw new LedgerError('invalid', `Unknown transaction kind ${input.kind}`);
  }
  if (!isCivilDate(input.occurredOn)) {
    throw new LedgerError('invalid', `Not a date: ${input.occurredOn}`);
  }
  if (input.lines.length < 2) {
    throw new LedgerError(
      'empty',
      `Posting ${input.idempotencyKey} has ${String(input.lines.length)} lines; at least two are needed`,
    );
  }
  let total = 0n;
  for (const line of input.lines) {
    if (!Number.isSafeInteger(line.amountPence) || line.amountPence === 0) {
      throw new LedgerError(
        'invalid',
        `Posting ${input.idempotencyKey}: ${String(line.amountPence)} is not a whole, non-zero, safe number of pence`,
      );
    }
    total += BigInt(line.amountPence);
  }
  if (total !== 0n) {
    throw new LedgerError(
      'unbalanced',
      `Posting ${input.idempotencyKey} is unbalanced by ${total.toString()} pence`,
    );
  }
}

/** The net movement of a posting on each account (accounts that net to zero are left out). */
export function netByAccount(lines: readonly PostingLine[]): Map<string, number> {
  const totals = new Map<string, bigint>();
  for (const l of lines)
    totals.set(l.accountId, (totals.get(l.accountId) ?? 0n) + BigInt(l.amountPence));
  const out = new Map<string, number>();
  for (const [account, total] of totals) if (total !== 0n) out.set(account, Number(total));
  return out;
}

/**
 * Whether two postings move the same money: the same lines (account and amount), in any order.
 * Used to tell a harmless retry of an idempotency key from a key reused for different money.
 */
export function sameMoney(a: readonly PostingLine[], b: readonly PostingLine[]): boolean {
  if (a.length !== b.length) return false;
  const key = (l: PostingLine) => `${l.accountId}|${String(l.amountPence)}`;
  const counts = new Map<string, number>();
  for (const l of a) counts.set(key(l), (counts.get(key(l)) ?? 0) + 1);
  for (const l of b) {
    const n = counts.get(key(l)) ?? 0;
    if (n === 0) return false;
    counts.set(key(l), n - 1);
  }
  return true;
}

/** The lines of the reversal of a posting: the same accounts and sources, amounts negated. */
export function reversalLines(lines: readonly PostingLine[]): PostingLine[] {
  return lines.map((l) => ({
    accountId: l.accountId,
    amountPence: 0 - l.amountPence + 0,
    sourceRef: l.sourceRef ?? null,
  }));
}

export interface ReversalOptions {
  idempotencyKey: string;
  occurredOn: string;
  reason: string;
  postedBy?: string | null;
}

export function reversalDescription(original: string, reason: string): string {
  return `Reversal of “${original}”: ${reason}`;
}

/** The posting that reverses another. */
export function reversalOf(
  original: { description: string; lines: readonly PostingLine[] },
  opts: ReversalOptions,
): PostingInput {
  return {
    idempotencyKey: opts.idempotencyKey,
    kind: 'reversal',
    occurredOn: opts.occurredOn,
    description: reversalDescription(original.description, opts.reason),
    lines: reversalLines(original.lines),
    postedBy: opts.postedBy ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// An in-memory ledger: the model the database ledger is tested against. Transactions are named
// by their idempotency keys.

interface ModelTransaction {
  kind: TransactionKind;
  lines: readonly PostingLine[];
  reverses: string | null;
  reversedBy: string | null;
}

export type ModelResult = { ok: true; created: boolean } | { ok: false; code: LedgerErrorCode };

export class ModelLedger {
  readonly #balances = new Map<string, number>();
  readonly #transactions = new Map<string, ModelTransaction>();

  balance(accountId: string): number {
    return this.#balances.get(accountId) ?? 0;
  }

  /** Every account that has ever had an entry, with its balance. */
  balances(): ReadonlyMap<string, number> {
    return this.#balances;
  }

  /** The sum of every entry: always zero. */
  total(): number {
    let t = 0;
    for (const b of this.#balances.values()) t += b;
    return t;
  }

  keys(): string[] {
    return [...this.#transactions.keys()];
  }

  has(key: string): boolean {
    return this.#transactions.has(key);
  }

  post(input: PostingInput): ModelResult {
    try {
      validatePosting(input);
    } catch (e) {
      if (e instanceof LedgerError) return { ok: false, code: e.code };
      throw e;
    }
    const existing = this.#transactions.get(input.idempotencyKey);
    if (existing) {
      return sameMoney(existing.lines, input.lines)
        ? { ok: true, created: false }
        : { ok: false, code: 'conflict' };
    }
    const net = netByAccount(input.lines);
    for (const account of input.nonNegative ?? []) {
      if (this.balance(account) + (net.get(account) ?? 0) < 0) {
        return { ok: false, code: 'insufficient' };
      }
    }
    this.#record(input.idempotencyKey, input.kind, input.lines, null);
    return { ok: true, created: true };
  }

  reverse(originalKey: string, opts: ReversalOptions): ModelResult {
    const original = this.#transactions.get(originalKey);
    if (!original) return { ok: false, code: 'not_found' };
    if (original.reversedBy !== null) {
      return original.reversedBy === opts.idempotencyKey
        ? { ok: true, created: false }
        : { ok: false, code: 'already_reversed' };
    }
    if (original.kind === 'reversal') return { ok: false, code: 'not_reversible' };
    if (this.#transactions.has(opts.idempotencyKey)) return { ok: false, code: 'conflict' };
    this.#record(opts.idempotencyKey, 'reversal', reversalLines(original.lines), originalKey);
    original.reversedBy = opts.idempotencyKey;
    return { ok: true, created: true };
  }

  #record(
    key: string,
    kind: TransactionKind,
    lines: readonly PostingLine[],
    reverses: string | null,
  ) {
    this.#transactions.set(key, { kind, lines, reverses, reversedBy: null });
    for (const l of lines)
      this.#balances.set(l.accountId, this.balance(l.accountId) + l.amountPence);
  }
}
