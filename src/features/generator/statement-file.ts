// A prepaid-card statement file for a generated partnership (issue 5 point 9), in the statements
// feature's built-in 'prepaid-card' format: the card transactions of the four weeks after the
// generated day, spread over the partnership's prepaid-card holders, for the import benchmark
// (`pooled generate … --statement-file FILE --statement-rows N`, then
// `pooled import statements FILE --format prepaid-card`). Deterministic from the seed: the same
// file written twice has the same transaction ids, so importing both adds nothing the second time.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { addDays } from '../budgets/index.js';
import { MERCHANTS, type Merchant } from './cards.js';
import { hash32, makeRandom } from './rules.js';

export const STATEMENT_FILE_HEADER = 'Transaction ID,Date,Card Number,Merchant,MCC,Amount\n';

export interface PrepaidCard {
  reference: string;
  /** What the card holds now (pence). */
  balance: number;
}

/** The prepaid cards of a generated partnership's direct payment holders, with their balances. */
export async function prepaidCards(db: Db, partnershipId: string): Promise<PrepaidCard[]> {
  const rows = await sql<{ reference: string; balance: number }>`
    select a.reference, coalesce((select sum(e.amount_pence) from ledger_entries e
                                   where e.account_id = a.id), 0)::bigint as balance
      from budgets b join ledger_accounts a on a.id = b.holding_account_id
     where b.partnership_id = ${partnershipId} and b.holding = 'direct_payment'
       and a.reference is not null
     order by a.reference`.execute(db.system);
  return rows.rows.map((r) => ({ reference: r.reference, balance: r.balance }));
}

const ddmmyyyy = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
const pounds = (p: number) => `${String(Math.floor(p / 100))}.${String(p % 100).padStart(2, '0')}`;
const quoted = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * The file's lines after the header, a chunk at a time: a row a transaction on a card picked at
 * random, never more than the card holds (when it holds too little, a refund); mostly in the
 * generated plans' categories, about one in 500 outside them or on something never to be bought.
 */
export function* statementLines(input: {
  seed: number;
  cards: readonly PrepaidCard[];
  from: CivilDate;
  rows: number;
  chunkRows?: number;
}): Generator<string> {
  const rand = makeRandom(hash32(`${String(input.seed)}:statement-file`));
  const within = [
    ...(MERCHANTS.personal_assistant ?? []),
    ...(MERCHANTS.leisure ?? []),
    ...(MERCHANTS.transport ?? []),
    ...(MERCHANTS.unknown ?? []),
  ];
  const rare = [...(MERCHANTS.outside ?? []), ...(MERCHANTS.neverBuy ?? [])];
  const pick = (list: readonly Merchant[]) =>
    list[Math.floor(rand() * list.length)] ?? (['Shop', null] as const);
  const size = input.chunkRows ?? 10_000;
  const left = input.cards.map((c) => c.balance);
  let parts: string[] = [];
  for (let n = 0; n < input.rows; n++) {
    const k = Math.floor(rand() * input.cards.length);
    const card = input.cards[k]?.reference ?? '';
    const merchant = rand() < 0.002 ? pick(rare) : pick(within);
    const wanted = 100 + Math.floor(rand() * 6000);
    const held = left[k] ?? 0;
    const refund = wanted > held || rand() < 0.01;
    const amount = refund ? Math.min(wanted, 2000) : wanted;
    left[k] = held + (refund ? amount : -amount);
    parts.push(
      `SF-${String(input.seed)}-${String(n)},${ddmmyyyy(addDays(input.from, Math.floor(rand() * 28)))},` +
        `${card},${quoted(refund ? 'Refund' : merchant[0])},${refund ? '' : (merchant[1] ?? '')},` +
        `${refund ? '' : '-'}${pounds(amount)}\n`,
    );
    if (parts.length >= size) {
      yield parts.join('');
      parts = [];
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** Write the file; returns its rows and cards. Refused when the partnership has no prepaid cards. */
export async function writeStatementFile(
  db: Db,
  input: { partnershipId: string; seed: number; asOf: CivilDate; path: string; rows: number },
): Promise<{ rows: number; cards: number }> {
  const cards = await prepaidCards(db, input.partnershipId);
  if (cards.length === 0)
    throw new Error('The partnership has no prepaid cards to write a statement for');
  const out = createWriteStream(input.path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(STATEMENT_FILE_HEADER);
  for (const chunk of statementLines({
    seed: input.seed,
    cards,
    from: addDays(input.asOf, 1),
    rows: input.rows,
  }))
    await write(chunk);
  out.end();
  await once(out, 'finish');
  return { rows: input.rows, cards: cards.length };
}
