// Outcome measures for the generated partnership (issue 4 point 8): for each approved plan, a
// baseline of SWEMWBS, EQ-5D-5L, ASCOT SCT4, employment and accommodation status on the day it
// was approved, and the same five again on the day its first review was done. As CSV lines for
// COPY, deterministic from the row number.
//
// Speed: a million people make up to ten million rows, so the answers are not drawn row by row.
// Each instrument has a small pool of answer sets drawn once from the seed and scored once by the
// measures feature's own rules; a row picks one of them and reuses its ready-made CSV fields.
import {
  ACCOMMODATION_STATUSES,
  ASCOT_DOMAINS,
  ASCOT_LEVELS,
  EMPLOYMENT_STATUSES,
  EQ5D_DIMENSIONS,
  parseMeasure,
  scoreMeasure,
  SWEMWBS_ITEMS,
  type Instrument,
} from '../measures/index.js';
import { csvField, makeRandom } from './rules.js';

export const MEASURE_COLUMNS = [
  'id',
  'partnership_id',
  'person_id',
  'plan_id',
  'review_id',
  'instrument',
  'taken_on',
  'answers',
  'score',
  'recorded_by',
  'recorded_at',
] as const;

/** The instruments generated, in the order their rows are written. */
export const GENERATED_INSTRUMENTS = [
  'swemwbs',
  'eq5d5l',
  'ascot_sct4',
  'employment',
  'accommodation',
] as const satisfies readonly Instrument[];
type GeneratedInstrument = (typeof GENERATED_INSTRUMENTS)[number];

/** Answer sets in each instrument's pool. */
export const POOL_SIZE = 64;

export interface PooledMeasure {
  answers: Record<string, unknown>;
  /** The CSV fields answers,score: JSON, the score given by the measures rules. */
  fields: string;
}

const pick = <T>(rand: () => number, values: readonly T[]): T => {
  const v = values[Math.floor(rand() * values.length)];
  if (v === undefined) throw new RangeError('nothing to pick from');
  return v;
};

/** A level 1–5 around `centre` (1 lowest), clamped. */
const around = (rand: () => number, centre: number): number =>
  Math.min(5, Math.max(1, Math.round(centre + (rand() - 0.5) * 2.5)));

function draw(
  instrument: GeneratedInstrument,
  rand: () => number,
  better: boolean,
): Record<string, unknown> {
  switch (instrument) {
    case 'swemwbs': {
      // Wellbeing a little better at review than at baseline, on average.
      const centre = better ? 3.4 : 2.7;
      return Object.fromEntries(SWEMWBS_ITEMS.map((i) => [i, around(rand, centre)]));
    }
    case 'eq5d5l': {
      // Levels 1 (no problems) to 5; anxiety or depression worse than mobility.
      const centre = better ? 1.6 : 2.1;
      const levels = EQ5D_DIMENSIONS.map((d): [string, number] => [
        d,
        around(rand, d === 'AD' ? centre + 1 : centre),
      ]);
      return { ...Object.fromEntries(levels), vas: 30 + Math.floor(rand() * (better ? 66 : 56)) };
    }
    case 'ascot_sct4':
      return Object.fromEntries(
        ASCOT_DOMAINS.map((d) => [d, pick(rand, better ? ASCOT_LEVELS.slice(0, 3) : ASCOT_LEVELS)]),
      );
    case 'employment':
      return { status: pick(rand, EMPLOYMENT_STATUSES) };
    case 'accommodation':
      return { status: pick(rand, ACCOMMODATION_STATUSES) };
  }
}

/**
 * Each instrument's pool of answer sets, baseline-like in the first half and review-like in the
 * second, each scored by the measures rules. Throws if the rules refuse one (they never should).
 */
export function measurePools(seed: number): Record<GeneratedInstrument, PooledMeasure[]> {
  const rand = makeRandom(seed ^ 0x5eed_3ea5);
  const pools = {} as Record<GeneratedInstrument, PooledMeasure[]>;
  for (const instrument of GENERATED_INSTRUMENTS) {
    pools[instrument] = Array.from({ length: POOL_SIZE }, (_, k) => {
      const answers = draw(instrument, rand, k >= POOL_SIZE / 2);
      const parsed = parseMeasure({ instrument, answers });
      if (!parsed.ok) throw new Error(`${instrument}: ${parsed.messages.join('; ')}`);
      const score = scoreMeasure(parsed.measure);
      return {
        answers,
        fields: `${csvField(JSON.stringify(answers))},${csvField(JSON.stringify(score))}`,
      };
    });
  }
  return pools;
}

export interface MeasureRowsContext {
  partnershipId: string;
  seed: number;
  personId: (r: number) => string;
  coordinatorId: (r: number) => string;
  planId: (r: number) => string;
  /** The day the plan of row r was approved, or null when row r has no approved plan. */
  approvedDay: (r: number) => Date | null;
  /** The first review of row r's plan and the day it was done, or null if not done. */
  reviewDone: (r: number) => { reviewId: string; on: Date } | null;
  /** Ids for measure rows: row r, k from 0 to 9. */
  measureId: (r: number, k: number) => string;
}

/** Which answer set of the pool row r uses, baseline (0) or review (1): spread by a hash. */
const slot = (r: number, instrument: number, atReview: 0 | 1): number => {
  const h = Math.imul(r * 5 + instrument, 0x9e3779b1) >>> 0;
  return (h % (POOL_SIZE / 2)) + (atReview * POOL_SIZE) / 2;
};

export function measureRows(ctx: MeasureRowsContext) {
  const pools = measurePools(ctx.seed);
  const lists = GENERATED_INSTRUMENTS.map((i) => [i, pools[i]] as const);
  /** The rows of one sitting: the five instruments on one day, in MEASURE_COLUMNS order. */
  const sitting = (r: number, on: Date, reviewId: string | null, atReview: 0 | 1): string => {
    const at = on.toISOString();
    const head = `${ctx.partnershipId},${ctx.personId(r)},${ctx.planId(r)},${reviewId ?? ''}`;
    const by = ctx.coordinatorId(r);
    let out = '';
    lists.forEach(([instrument, pool], i) => {
      const m = pool[slot(r, i, atReview)];
      if (!m) throw new RangeError('the pool is smaller than POOL_SIZE');
      const id = ctx.measureId(r, atReview * GENERATED_INSTRUMENTS.length + i);
      out += `${id},${head},${instrument},${at.slice(0, 10)},${m.fields},${by},${at}\n`;
    });
    return out;
  };
  return {
    /** The measures of row r: a baseline at approval and, if done, the first review's. */
    measures: (r: number): string | null => {
      const approved = ctx.approvedDay(r);
      if (approved === null) return null;
      const done = ctx.reviewDone(r);
      return sitting(r, approved, null, 0) + (done ? sitting(r, done.on, done.reviewId, 1) : '');
    },
  };
}
