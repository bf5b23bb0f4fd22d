// Synthetic people for benchmarks: deterministic from a seed, fictional throughout.
// Pure: no I/O. The same seed always gives the same partnership, people and NHS numbers.
import { nhsCheckDigit } from '../../platform/nhs-number.js';
import { PRIMARY_SUPPORT_REASONS, S117_SECTIONS } from '../people/schema.js';

/** A small, fast, seedable generator (mulberry32). Returns numbers in [0, 1). */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a stable 32-bit hash of a string (for seeds and id prefixes). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const pick = <T>(rand: () => number, items: readonly T[]): T =>
  items[Math.floor(rand() * items.length)] as T;

const GIVEN_START = ['Al', 'Be', 'Ca', 'Da', 'El', 'Fa', 'Ga', 'Ha', 'Is', 'Ja', 'Ka', 'Le', 'Ma'];
const GIVEN_MORE = ['Mi', 'Na', 'Ol', 'Pa', 'Ra', 'Sa', 'Ta', 'Vi', 'Wi', 'Yu', 'Zo', 'Ro', 'Li'];
const GIVEN_END = ['n', 'ra', 'la', 'ni', 'ssa', 'th', 'ron', 'lie', 'die', 'mon', 'na', 'ro'];
const FAMILY_START = [
  'Ash',
  'Black',
  'Brook',
  'Carr',
  'Dun',
  'East',
  'Fair',
  'Green',
  'Hart',
  'Hol',
  'King',
  'Lang',
  'Mar',
  'New',
  'Oak',
  'Pen',
  'Red',
  'Stan',
  'Thorn',
  'West',
  'Whit',
  'Wood',
  'Bar',
  'Cole',
];
const FAMILY_MIDDLE = ['', '', 'er', 'en', 'ing', 'el', 'ow', 'ey', 'al', 'in'];
const FAMILY_END = [
  'ley',
  'ton',
  'field',
  'wood',
  'ford',
  'by',
  'well',
  'worth',
  'ham',
  'bridge',
  'more',
  'son',
  'shaw',
  'croft',
];
const STREETS = ['Mill', 'Church', 'Station', 'Park', 'Victoria', 'Queen', 'High', 'Chapel'];
const STREET_KINDS = ['Road', 'Street', 'Lane', 'Avenue', 'Close', 'Terrace'];
const TOWNS = ['Leeds', 'Bradford', 'Wakefield', 'Halifax', 'Huddersfield', 'Dewsbury', 'Keighley'];
const OUTWARD = ['LS1', 'LS6', 'LS11', 'BD3', 'BD7', 'WF1', 'WF13', 'HX1', 'HD1', 'BD21'];
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ'.split('');
const COMMUNICATION = [
  'Prefers letters in large print',
  'Uses British Sign Language: book an interpreter',
  'Prefers text messages to phone calls',
  'Needs an Urdu interpreter',
  'Easy read documents, please',
];

export function givenName(rand: () => number): string {
  const start = pick(rand, GIVEN_START);
  const middle = rand() < 0.5 ? pick(rand, GIVEN_MORE).toLowerCase() : '';
  return start + middle + pick(rand, GIVEN_END);
}

export function familyName(rand: () => number): string {
  return pick(rand, FAMILY_START) + pick(rand, FAMILY_MIDDLE) + pick(rand, FAMILY_END);
}

/**
 * The nth synthetic NHS number (n from 0, below 10 million): ten digits with a valid modulus-11
 * check. The first eight digits are 90 000 000 + n, so different n never collide; the ninth is
 * chosen so that a check digit exists (at most one of the ten choices has none).
 */
export function syntheticNhsNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 10_000_000)
    throw new RangeError(`synthetic NHS numbers run from 0 to 9,999,999, not ${n}`);
  const eight = String(90_000_000 + n);
  for (let k = 0; k < 10; k++) {
    const nine = eight + String((n + k) % 10);
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return nine + String(check);
  }
  throw new Error('unreachable: one of ten ninth digits always has a check digit');
}

/** Primary support reasons weighted towards mental health, as in a mental health partnership. */
const REASON_WEIGHTS: readonly [string, number][] = [
  ['Mental Health Support', 0.82],
  ['Social Support: Substance misuse support', 0.05],
  ['Support with Memory & Cognition', 0.04],
  ['Social Support: Support for Social Isolation/Other', 0.03],
  ['Physical Support: Personal care support', 0.02],
  ['Learning Disability Support', 0.02],
  ['Unknown', 0.02],
];

export function primarySupportReason(rand: () => number): string {
  let r = rand();
  for (const [reason, weight] of REASON_WEIGHTS) {
    if (r < weight) return reason;
    r -= weight;
  }
  return 'Mental Health Support';
}

/** The reference day for generated dates, fixed so output does not depend on when it runs. */
export const REFERENCE_DAY = '2025-01-01';
const REFERENCE_MS = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;

export function daysBefore(days: number): string {
  return new Date(REFERENCE_MS - days * DAY_MS).toISOString().slice(0, 10);
}

export const SCOPES = [
  'full_record',
  'full_record',
  'assessment_and_planning',
  'finance_only',
] as const;
export const HOW_GIVEN = ['written', 'verbal', 'electronic', 'by_representative'] as const;

export interface GeneratedPerson {
  index: number;
  externalId: string;
  councilPersonId: string;
  nhsNumber: string | null;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  addressLine1: string;
  town: string;
  postcode: string;
  phone: string | null;
  email: string | null;
  communicationNeeds: string | null;
  primarySupportReason: string;
  s117Section: string | null;
  s117DischargeDate: string | null;
  coordinatorIndex: number;
  consent: {
    scope: (typeof SCOPES)[number];
    howGiven: (typeof HOW_GIVEN)[number];
    givenOn: string;
  } | null;
}

/** One person, from the random stream. Consumes a varying number of draws: call in order. */
export function generatePerson(
  rand: () => number,
  index: number,
  coordinators: number,
): GeneratedPerson {
  const given = givenName(rand);
  const family = familyName(rand);
  const ageDays = 18 * 365 + Math.floor(rand() * 67 * 365);
  const dateOfBirth = daysBefore(ageDays);
  const hasNhs = rand() < 0.96;
  const s117 = rand() < 0.08;
  const consent = rand() < 0.85;
  const outward = pick(rand, OUTWARD);
  const inward = String(Math.floor(rand() * 10)) + pick(rand, LETTERS) + pick(rand, LETTERS);
  const phone =
    rand() < 0.7 ? `07700 900${String(Math.floor(rand() * 1000)).padStart(3, '0')}` : null;
  const email =
    rand() < 0.4 ? `${given.toLowerCase()}.${family.toLowerCase()}${index}@example.com` : null;
  return {
    index,
    externalId: `GEN-${String(index + 1).padStart(7, '0')}`,
    councilPersonId: `C${String(index + 1).padStart(8, '0')}`,
    nhsNumber: hasNhs ? syntheticNhsNumber(index) : null,
    givenName: given,
    familyName: family,
    dateOfBirth,
    addressLine1: `${String(1 + Math.floor(rand() * 200))} ${pick(rand, STREETS)} ${pick(rand, STREET_KINDS)}`,
    town: pick(rand, TOWNS),
    postcode: `${outward} ${inward}`,
    phone,
    email,
    communicationNeeds: rand() < 0.1 ? pick(rand, COMMUNICATION) : null,
    primarySupportReason: primarySupportReason(rand),
    s117Section: s117 ? pick(rand, S117_SECTIONS) : null,
    s117DischargeDate: s117 ? daysBefore(Math.floor(rand() * 5 * 365)) : null,
    coordinatorIndex: Math.floor(rand() * coordinators),
    consent: consent
      ? {
          scope: pick(rand, SCOPES),
          howGiven: pick(rand, HOW_GIVEN),
          givenOn: daysBefore(Math.floor(rand() * 6 * 365)),
        }
      : null,
  };
}

/** Sizes of the generated organisation for N people. */
export function plan(people: number): { teams: number; coordinators: number } {
  const teams = Math.max(2, Math.round(people / 2000));
  const coordinators = Math.max(teams, Math.round(people / 30));
  return { teams, coordinators };
}

/**
 * Deterministic UUIDs: a prefix from the partnership, a kind, and a counter. Shaped as version 4
 * with the RFC variant so every tool accepts them; unique because the counter is.
 */
export function makeIdFactory(partnershipCode: string, seed: number) {
  const prefix = hash32(`${partnershipCode}:${seed}`).toString(16).padStart(8, '0');
  const kinds = {
    partnership: 0,
    organisation: 1,
    team: 2,
    user: 3,
    person: 4,
    consent: 5,
    rasVersion: 6,
    assessment: 7,
    decision: 8,
    allocation: 9,
    plan: 10,
    review: 11,
    measure: 12,
    budget: 13,
    ledgerAccount: 14,
    ledgerTransaction: 15,
    cardTransaction: 16,
    statementImport: 17,
    paymentRun: 18,
    commitment: 19,
    financialAssessment: 20,
  };
  return (kind: keyof typeof kinds, n: number): string => {
    const counter = n.toString(16).padStart(12, '0');
    return `${prefix}-${kinds[kind].toString(16).padStart(4, '0')}-4000-8000-${counter}`;
  };
}

/** One CSV field: empty for null, quoted only when it must be. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | null)[]): string {
  return values.map(csvField).join(',') + '\n';
}

export { PRIMARY_SUPPORT_REASONS };

// ---------------------------------------------------------------------------------------------
// Assessments and allocations

/** How many eligibility profiles (kinds of assessed need) generated assessments are drawn from. */
export const ELIGIBILITY_PROFILES = 24;

export interface AssessmentShares {
  /** The share of people with a completed assessment, from 0 to 1. */
  assessed: number;
  /** The share of those assessed who have been reassessed once since, from 0 to 1. */
  reassessed: number;
}

/**
 * Every completed assessment to generate, as compact arrays (row r of count): whose it is, its
 * sequence (1, or 2 for a reassessment), the day it was completed (days after the RAS took
 * effect), its eligibility profile (0 = least need) and, for each RAS question in order, the
 * index of the answer chosen. Rows are in person order, a reassessment straight after the
 * first. Deterministic from the seed.
 */
export interface AssessmentPlan {
  count: number;
  questions: number;
  person: Int32Array;
  sequence: Uint8Array;
  day: Uint16Array;
  profile: Uint8Array;
  answers: Uint8Array;
}

/**
 * Draws the plan. answerCounts holds how many answers each RAS question has (answers are in
 * order of need, as in the demo RAS). A person's need, drawn once, makes their answers and their
 * profile rise together; a reassessment moves it a little.
 */
export function planAssessments(
  seed: number,
  people: number,
  answerCounts: readonly number[],
  shares: AssessmentShares,
): AssessmentPlan {
  for (const n of answerCounts)
    if (!Number.isInteger(n) || n < 1 || n > 255)
      throw new RangeError('each question needs 1 to 255 answers');
  const rand = makeRandom(hash32(`${String(seed)}:assessments`));
  const q = answerCounts.length;
  const capacity = people * 2;
  const plan: AssessmentPlan = {
    count: 0,
    questions: q,
    person: new Int32Array(capacity),
    sequence: new Uint8Array(capacity),
    day: new Uint16Array(capacity),
    profile: new Uint8Array(capacity),
    answers: new Uint8Array(capacity * q),
  };
  const emit = (person: number, sequence: number, day: number, need: number) => {
    const r = plan.count++;
    plan.person[r] = person;
    plan.sequence[r] = sequence;
    plan.day[r] = day;
    plan.profile[r] = Math.min(ELIGIBILITY_PROFILES - 1, Math.floor(need * ELIGIBILITY_PROFILES));
    for (let k = 0; k < q; k++) {
      const n = answerCounts[k] ?? 1;
      plan.answers[r * q + k] = Math.min(n - 1, Math.floor((0.6 * need + 0.4 * rand()) * n));
    }
  };
  for (let i = 0; i < people; i++) {
    if (rand() >= shares.assessed) continue;
    const need = rand();
    const day = Math.floor(rand() * 120);
    emit(i, 1, day, need);
    if (rand() < shares.reassessed) {
      const moved = Math.min(0.999, Math.max(0, need + (rand() - 0.5) * 0.3));
      emit(i, 2, day + 14 + Math.floor(rand() * 60), moved);
    }
  }
  return plan;
}
