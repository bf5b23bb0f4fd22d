// Card spending for the generated partnership's prepaid-card holders (issue 5 point 9): card
// references, merchants with their merchant category codes, and a holder's spending from the
// payments into the card. Pure and deterministic from the random source given.
import { addDays, dayNumber } from '../budgets/index.js';
import type { CivilDate } from '../../platform/dates.js';
import { categorise } from '../statements/index.js';
import { GENERATED_ITEMS } from './plans.js';

/** The card or account reference of a person's holding account (unique in the partnership). */
export function holdingReference(holding: string, person: number): string {
  const n = String(person + 1).padStart(8, '0');
  if (holding === 'third_party') return `TP-${n}`;
  if (holding === 'individual_service_fund') return `ISF-${n}`;
  return `5354 0000 ${n.slice(0, 4)} ${n.slice(4)}`;
}

/** Who a holding account's payments go to. */
export function payeeName(holding: string, personName: string): string {
  if (holding === 'third_party') return 'Synthetic Third Party Trust';
  if (holding === 'individual_service_fund') return 'Synthetic ISF Provider Ltd';
  return personName;
}

export type Merchant = readonly [description: string, mcc: string | null];

/** Merchants for spending in each of the generated plan's categories, and beyond them. */
export const MERCHANTS: Readonly<Record<string, readonly Merchant[]>> = {
  personal_assistant: [
    ['PA WAGES', null],
    ['Payroll bureau', '8931'],
  ],
  leisure: [
    ['Better Leisure Centre', '7997'],
    ['Odeon Cinema', '7832'],
    ['Pure Gym', '7997'],
    ['Theatre Royal', '7922'],
  ],
  transport: [
    ['Stagecoach Bus', '4131'],
    ['Trainline', '4112'],
    ['A1 Taxi', '4121'],
    ['Northern Rail', '4112'],
  ],
  // Allowed, but not in the generated plans' categories.
  outside: [
    ['City College', '8220'],
    ['Argos', '5732'],
    ['Premier Inn', '7011'],
    ['Waterstones', '5942'],
  ],
  // Pooled cannot tell what these are: never a flag on their own.
  unknown: [
    ['Tesco Stores', '5411'],
    ['Boots', '5912'],
  ],
  neverBuy: [
    ['Bet365', '7995'],
    ['Bargain Booze', '5921'],
    ['Cash withdrawal ATM', '6011'],
  ],
};

const categories = new Map<string, string | null>();

/** A merchant's category as the statements import finds it (categorise), worked out once. */
export function merchantCategory(m: Merchant): string | null {
  const key = `${m[1] ?? ''}|${m[0]}`;
  let category = categories.get(key);
  if (category === undefined) {
    category = categorise(m[1], m[0]);
    categories.set(key, category);
  }
  return category;
}

export interface CardSpend {
  day: CivilDate;
  /** Signed as the holding account sees it: negative is money out, positive a refund. */
  amount: number;
  merchant: Merchant;
}

/** How a card holder spends: most spend nearly all, a few save, a very few never use the card. */
export type SpendingProfile = 'active' | 'saver' | 'inactive';

export function spendingProfile(rand: () => number): SpendingProfile {
  const u = rand();
  return u < 0.03 ? 'inactive' : u < 0.09 ? 'saver' : 'active';
}

/** x split into n positive parts at random (parts of zero dropped), summing to x. */
function split(rand: () => number, x: number, n: number): number[] {
  if (x <= 0 || n <= 0) return [];
  const w = Array.from({ length: n }, () => 0.5 + rand());
  const total = w.reduce((a, b) => a + b, 0);
  const parts = w.map((v) => Math.floor((x * v) / total));
  parts[n - 1] = x - parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return parts.filter((p) => p > 0);
}

/**
 * A card holder's spending from the payments into the card (date order) up to asOf, never more
 * than the card holds. Each four weeks: the personal assistant paid, leisure and fares in the
 * plan's proportions, sometimes a supermarket; for some people a purchase outside the plan's
 * categories, and for a very few one the money may never buy; now and then a refund.
 */
export function cardSpending(
  rand: () => number,
  payments: readonly { day: CivilDate; amount: number }[],
  asOf: CivilDate,
): CardSpend[] {
  const profile = spendingProfile(rand);
  if (profile === 'inactive') return [];
  const ratio = profile === 'saver' ? 0.25 + rand() * 0.2 : 0.88 + rand() * 0.12;
  const outside = rand() < 0.06;
  const neverBuy = rand() < 0.015;
  const pick = (list: readonly Merchant[]) =>
    list[Math.floor(rand() * list.length)] ?? (['Shop', null] as const);
  const paMerchant = pick(MERCHANTS.personal_assistant ?? []);
  const out: CardSpend[] = [];
  let balance = 0;
  const last = dayNumber(asOf);
  for (let k = 0; k < payments.length; k++) {
    const p = payments[k];
    if (!p) continue;
    balance += p.amount;
    const from = dayNumber(p.day);
    const next = payments[k + 1];
    const to = Math.min(last, next ? dayNumber(next.day) - 1 : from + 27);
    const days = to - from + 1;
    if (days <= 0) continue;
    const scale = Math.min(1, days / 28);
    const budget = Math.floor(p.amount * ratio * scale);
    const spends: CardSpend[] = [];
    const add = (merchant: Merchant, parts: number[]) => {
      for (const amount of parts)
        spends.push({ day: addDays(p.day, Math.floor(rand() * days)), amount: -amount, merchant });
    };
    const [pa = 70, leisure = 15] = GENERATED_ITEMS.map((i) => i.share);
    const paShare = Math.floor((budget * pa) / 100);
    const leisureShare = Math.floor((budget * leisure) / 100);
    add(paMerchant, split(rand, paShare, days > 14 ? 2 : 1));
    for (const amount of split(rand, leisureShare, 2)) add(pick(MERCHANTS.leisure ?? []), [amount]);
    for (const amount of split(rand, budget - paShare - leisureShare, 3))
      add(pick(MERCHANTS.transport ?? []), [amount]);
    if (rand() < 0.3) add(pick(MERCHANTS.unknown ?? []), [500 + Math.floor(rand() * 2500)]);
    if (outside && rand() < 0.5)
      add(pick(MERCHANTS.outside ?? []), [1500 + Math.floor(rand() * 6000)]);
    if (neverBuy && rand() < 0.4)
      add(pick(MERCHANTS.neverBuy ?? []), [1000 + Math.floor(rand() * 4000)]);
    spends.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    for (const s of spends) {
      if (balance + s.amount < 0) continue; // the card declines it
      balance += s.amount;
      out.push(s);
    }
    // Now and then a refund from the leisure centre.
    if (rand() < 0.03 && days > 1) {
      const refund = 300 + Math.floor(rand() * 1200);
      balance += refund;
      out.push({
        day: addDays(p.day, days - 1),
        amount: refund,
        merchant: ['Better Leisure Centre', '7997'],
      });
    }
  }
  return out;
}

/**
 * The ledger lines of an import batch, as the statements import posts one: an entry per holding
 * account, the net of its rows (none when that is 0), balanced per funding body on the spending
 * account; and the batch's latest day. No lines when every account nets to zero.
 */
export function batchLines<B extends string>(
  batch: readonly { holding: string; amount: number; day: string; body: B }[],
  ref: string,
  spending: (body: B) => string,
): { lines: [account: string, amount: number, ref: string][]; latest: string | undefined } {
  const nets = new Map<string, number>();
  const bodies = new Map<B, number>();
  let latest: string | undefined;
  for (const t of batch) {
    nets.set(t.holding, (nets.get(t.holding) ?? 0) + t.amount);
    bodies.set(t.body, (bodies.get(t.body) ?? 0) + t.amount);
    if (latest === undefined || t.day > latest) latest = t.day;
  }
  const lines: [string, number, string][] = [];
  for (const [holding, net] of nets) if (net !== 0) lines.push([holding, net, ref]);
  for (const [body, net] of bodies) if (net !== 0) lines.push([spending(body), -net, ref]);
  return { lines, latest };
}
