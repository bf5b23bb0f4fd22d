// Categorising a statement transaction (issue 5 point 6): the card scheme's merchant category
// code (MCC) when there is one, else keywords in the description, to a support plan category or
// to a category that money from a stream may never buy. Pure.
//
// The MCC table is our reading of the card schemes' published code lists (ISO 18245), kept
// deliberately small: a code not listed is "not known" and never raises a flag on its own
// (light-touch monitoring: we do not question what we cannot classify). What may never be
// bought comes from DOMAIN.md 2.5 (NHS: alcohol, tobacco, gambling, debt repayment, primary care
// and dental treatment) and 3.3 / the councils' direct payment policies (alcohol, tobacco,
// gambling, debt repayment); cash and money transfers are listed too because money leaving the
// account for cash cannot be audited from the statement (DOMAIN.md 2.4, the account must be
// auditable from its statements).
import type { FundingBody, PlanItemCategory } from '../planning/index.js';

export const NEVER_BUY_CATEGORIES = [
  'gambling',
  'alcohol',
  'tobacco',
  'debt_repayment',
  'cash_or_money_transfer',
  'primary_care',
] as const;
export type NeverBuyCategory = (typeof NEVER_BUY_CATEGORIES)[number];

export const NEVER_BUY_LABELS: Readonly<Record<NeverBuyCategory, string>> = {
  gambling: 'Gambling',
  alcohol: 'Alcohol',
  tobacco: 'Tobacco',
  debt_repayment: 'Paying off debts',
  cash_or_money_transfer: 'Cash or money transfers',
  primary_care: 'GP, prescription or dental care',
};

/** What each funding body's money may never buy. */
export const NEVER_BUY_BY_BODY: Readonly<Record<FundingBody, readonly NeverBuyCategory[]>> = {
  council: ['gambling', 'alcohol', 'tobacco', 'debt_repayment', 'cash_or_money_transfer'],
  nhs: [
    'gambling',
    'alcohol',
    'tobacco',
    'debt_repayment',
    'cash_or_money_transfer',
    'primary_care',
  ],
};

export type SpendCategory = PlanItemCategory | NeverBuyCategory;

export function isNeverBuy(category: string | null): category is NeverBuyCategory {
  return category !== null && (NEVER_BUY_CATEGORIES as readonly string[]).includes(category);
}

type Range = readonly [from: number, to: number, category: SpendCategory];

// Single codes and ranges, first match wins.
const MCC_RANGES: readonly Range[] = [
  // Never buy
  [7995, 7995, 'gambling'], // betting, lottery tickets, casino chips
  [7800, 7802, 'gambling'], // government lotteries, online gambling, horse and dog racing
  [5921, 5921, 'alcohol'], // package stores: beer, wine and liquor
  [5813, 5813, 'alcohol'], // drinking places: bars, pubs, nightclubs
  [5993, 5993, 'tobacco'], // cigar stores and stands
  [6010, 6012, 'cash_or_money_transfer'], // cash at a counter or ATM, financial institutions
  [6051, 6051, 'cash_or_money_transfer'], // quasi-cash: foreign currency, money orders
  [6540, 6540, 'cash_or_money_transfer'], // loading stored-value cards
  [4829, 4829, 'cash_or_money_transfer'], // money transfer (wire transfer)
  [6211, 6211, 'cash_or_money_transfer'], // securities brokers
  [7321, 7321, 'debt_repayment'], // debt collection agencies
  [6141, 6141, 'debt_repayment'], // personal loans
  [8011, 8011, 'primary_care'], // doctors
  [8021, 8021, 'primary_care'], // dentists and orthodontists
  // Plan categories
  [4111, 4131, 'transport'], // commuter transport, rail, taxis, buses
  [4784, 4784, 'transport'], // tolls and bridge fees
  [4789, 4789, 'transport'], // transport services
  [5541, 5542, 'transport'], // fuel
  [7523, 7523, 'transport'], // parking
  [7512, 7512, 'transport'], // car hire
  [8211, 8299, 'education_or_training'], // schools, colleges, vocational and other education
  [5942, 5942, 'education_or_training'], // book shops
  [7361, 7361, 'agency_support'], // employment and temporary help agencies (care agencies)
  [8050, 8050, 'agency_support'], // nursing and personal care
  [8931, 8931, 'personal_assistant'], // accounting and payroll (a personal assistant's payroll)
  [8041, 8049, 'therapy'], // chiropractors, optometrists, podiatrists, other practitioners
  [8099, 8099, 'therapy'], // medical services and health practitioners not elsewhere listed
  [8398, 8398, 'day_or_community_activity'], // charitable and social service organisations
  [8641, 8641, 'day_or_community_activity'], // civic, social and fraternal associations
  [8699, 8699, 'peer_support'], // membership organisations
  [7011, 7012, 'short_breaks'], // hotels, lodging
  [7032, 7033, 'short_breaks'], // recreational camps, caravan parks
  [4722, 4722, 'short_breaks'], // travel agencies and tour operators
  [7832, 7833, 'leisure'], // cinemas
  [7911, 7911, 'leisure'], // dance halls, studios and schools
  [7922, 7922, 'leisure'], // theatres, concerts
  [7929, 7929, 'leisure'], // bands, orchestras, entertainers
  [7941, 7941, 'leisure'], // sports clubs and fields
  [7991, 7991, 'leisure'], // tourist attractions and exhibits
  [7996, 7999, 'leisure'], // amusement parks, clubs, gyms, recreation services
  [5045, 5045, 'equipment'], // computers
  [5047, 5047, 'equipment'], // medical and orthopaedic equipment
  [5712, 5712, 'equipment'], // furniture
  [5722, 5722, 'equipment'], // household appliances
  [5732, 5734, 'equipment'], // electronics, music, computer software
  [5940, 5941, 'equipment'], // bicycles, sporting goods
  [5976, 5976, 'equipment'], // orthopaedic goods, prosthetic devices
];

// Lookup table for all four-digit codes, built once.
const MCC_TABLE: (SpendCategory | null)[] = (() => {
  const t = new Array<SpendCategory | null>(10000).fill(null);
  for (const [from, to, c] of [...MCC_RANGES].reverse()) for (let i = from; i <= to; i++) t[i] = c;
  return t;
})();

/** Keyword rules on the description, used only when there is no merchant category code. */
const KEYWORDS: readonly (readonly [RegExp, SpendCategory])[] = [
  [
    /\b(bet365|betfair|betway|paddy ?power|william hill|ladbrokes|coral|sky ?bet|casino|bingo|lottery|betting|bookmakers?)\b/,
    'gambling',
  ],
  [/\b(off[- ]licen[cs]e|wine|liquor|spirits|brewery)\b/, 'alcohol'],
  [/\b(tobacco|tobacconist|cigar(ette)?s?|vape)\b/, 'tobacco'],
  [
    /\b(loan repayment|credit card (payment|repayment)|debt|payday|arrears|klarna|clearpay)\b/,
    'debt_repayment',
  ],
  [
    /\b(cash withdrawal|atm|western union|moneygram|money transfer|cashback|bureau de change)\b/,
    'cash_or_money_transfer',
  ],
  [/\b(gp surgery|prescription|pharmacy|dentist|dental)\b/, 'primary_care'],
  [/\b(wages?|salary|payroll|personal assistant|pa pay)\b/, 'personal_assistant'],
  [/\b(care agency|home ?care|domiciliary|support services)\b/, 'agency_support'],
  [/\b(peer support|recovery college|support group)\b/, 'peer_support'],
  [/\b(counsell?ing|therapy|therapist|psychotherap\w*|cbt)\b/, 'therapy'],
  [/\b(college|course|tuition|university|training)\b/, 'education_or_training'],
  [/\b(employment support|job coach|supported employment)\b/, 'employment_support'],
  [/\b(taxi|uber|trainline|railway|rail|bus|coach|tfl|parking|petrol|fuel)\b/, 'transport'],
  [/\b(gym|leisure cent(re|er)|swimming|cinema|theatre|football|yoga|art class)\b/, 'leisure'],
  [/\b(hotel|holiday|respite|short break|b ?& ?b|caravan)\b/, 'short_breaks'],
  [
    /\b(day cent(re|er)|community cent(re|er)|allotment|day service)\b/,
    'day_or_community_activity',
  ],
  [/\b(laptop|computer|tablet|furniture|equipment)\b/, 'equipment'],
];

/**
 * The category of a transaction, or null when Pooled cannot tell. A merchant category code
 * decides on its own when it is one we know; otherwise (no code, or one not listed) the
 * description's keywords do.
 */
/** The category a merchant category code (0-9999) names, or null when the table has none. */
export function categoryOfMcc(code: number): SpendCategory | null {
  return MCC_TABLE[code] ?? null;
}

export function categorise(mcc: string | null, description: string): SpendCategory | null {
  if (mcc !== null) {
    const code = Number(mcc);
    if (Number.isInteger(code) && code >= 0 && code < 10000) {
      const c = MCC_TABLE[code];
      if (c) return c;
    }
  }
  const text = description.toLowerCase();
  if (text === '') return null;
  for (const [re, c] of KEYWORDS) if (re.test(text)) return c;
  return null;
}

/** The plan item a transaction is matched to: the first of the stream's items in its category. */
export function matchPlanItem(
  category: SpendCategory | null,
  items: readonly { readonly id: string; readonly category: string }[],
): string | null {
  if (category === null || isNeverBuy(category)) return null;
  return items.find((i) => i.category === category)?.id ?? null;
}
