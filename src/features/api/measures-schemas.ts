// The API's view of outcome measures: the zod schemas it answers with and accepts (so they appear
// in the OpenAPI document), and the functions that turn the measures service's records into
// those shapes. Answers are item ids and levels, never the licensed questionnaire wording. Scores
// are exact integers: SWEMWBS metric scores in hundredths, EQ-5D indices in thousandths.
import { z } from 'zod';
import { isCivilDate } from '../../platform/dates.js';
import {
  ACCOMMODATION_STATUSES,
  accommodationAnswersSchema,
  ASCOT_DOMAINS,
  ASCOT_LEVELS,
  EMPLOYMENT_STATUSES,
  employmentAnswersSchema,
  EQ5D_DIMENSIONS,
  RECORDED_INSTRUMENTS,
  SWEMWBS_ITEMS,
  type InstrumentHistory,
  type MeasureChanges,
  type Measurement,
  type NumberChange,
  type RecordedInstrument,
} from '../measures/index.js';

const civilDate = z.iso.date().meta({ description: 'A calendar date, YYYY-MM-DD' });
const id = z.uuid();
const int = z.number().int();

// ---------------------------------------------------------------------------------------------
// Request body

const level5 = (item: string) =>
  z.literal([1, 2, 3, 4, 5], { error: `Answer ${item} with a whole number from 1 to 5` });

/** Every SWEMWBS item answered 1–5: the rules give no score to an incomplete one. */
export const swemwbsApiAnswersSchema = z
  .strictObject(
    Object.fromEntries(SWEMWBS_ITEMS.map((item) => [item, level5(item)])) as Record<
      (typeof SWEMWBS_ITEMS)[number],
      ReturnType<typeof level5>
    >,
  )
  .meta({
    description:
      'SWEMWBS: the 7 items by their WEMWBS number, each 1 (none of the time) to 5 (all of the time)',
  });

export const eq5dApiAnswersSchema = z
  .strictObject({
    ...(Object.fromEntries(EQ5D_DIMENSIONS.map((d) => [d, level5(d)])) as Record<
      (typeof EQ5D_DIMENSIONS)[number],
      ReturnType<typeof level5>
    >),
    vas: z
      .number({ error: 'The EQ VAS must be a whole number from 0 to 100' })
      .int('The EQ VAS must be a whole number from 0 to 100')
      .min(0, 'The EQ VAS must be from 0 to 100')
      .max(100, 'The EQ VAS must be from 0 to 100')
      .nullable()
      .optional()
      .meta({ description: 'The EQ VAS, 0 to 100; optional' }),
  })
  .meta({
    description: 'EQ-5D-5L: the 5 dimensions MO, SC, UA, PD, AD, each 1 (no problems) to 5',
  });

const ascotLevel = (domain: string) =>
  z.enum(ASCOT_LEVELS, { error: `Answer ${domain} with one of ${ASCOT_LEVELS.join(', ')}` });

export const ascotApiAnswersSchema = z
  .strictObject(
    Object.fromEntries(ASCOT_DOMAINS.map((d) => [d, ascotLevel(d)])) as Record<
      (typeof ASCOT_DOMAINS)[number],
      ReturnType<typeof ascotLevel>
    >,
  )
  .meta({ description: 'ASCOT SCT4: the 8 domains, each ideal, noNeeds, someNeeds or highNeeds' });

/** The answers each instrument needs, complete. */
export const API_ANSWERS_SCHEMAS: Record<RecordedInstrument, z.ZodType> = {
  swemwbs: swemwbsApiAnswersSchema,
  eq5d5l: eq5dApiAnswersSchema,
  ascot_sct4: ascotApiAnswersSchema,
  employment: employmentAnswersSchema.meta({
    description: 'Employment status: one CLD Employment Status value',
  }),
  accommodation: accommodationAnswersSchema.meta({
    description: 'Accommodation status: one CLD Accommodation Status value',
  }),
};

const optionalId = (description: string) =>
  z
    .uuid({ error: `${description} must be an ID (a UUID)` })
    .nullable()
    .optional()
    .meta({ description: `${description} (a UUID); optional` });

/** The fields around the answers; the answers are checked against the instrument after. */
export const measureEnvelopeSchema = z.strictObject({
  instrument: z
    .enum(RECORDED_INSTRUMENTS, {
      error: `Say which instrument: one of ${RECORDED_INSTRUMENTS.join(', ')}`,
    })
    .meta({ description: 'Which questionnaire or status' }),
  takenOn: z.iso
    .date({ error: 'The date taken must be a real date, YYYY-MM-DD' })
    .refine(isCivilDate, 'The date taken must be a real date, YYYY-MM-DD')
    .meta({ description: 'The day it was taken: today or in the past, YYYY-MM-DD' }),
  reviewId: optionalId('The review it was taken at'),
  planId: optionalId('The support plan it was taken for'),
  answers: z
    .record(z.string(), z.unknown(), { error: 'Send the answers as an object of item ids' })
    .meta({ description: 'Answers by item id, as the instrument needs them' }),
});

/** As documented: the envelope with the answers of one of the instruments. */
export const measureInputSchema = measureEnvelopeSchema.extend({
  answers: z
    .union([
      swemwbsApiAnswersSchema,
      eq5dApiAnswersSchema,
      ascotApiAnswersSchema,
      employmentAnswersSchema,
      accommodationAnswersSchema,
    ])
    .meta({
      description:
        'Answers by item id, every item answered, in the shape of the instrument named (one of these)',
    }),
});

// ---------------------------------------------------------------------------------------------
// Answers

const numberChangeSchema = z.strictObject({
  from: int.nullable().meta({ description: 'At the baseline (the first measurement)' }),
  to: int.nullable().meta({ description: 'At the latest measurement' }),
  change: int.nullable().meta({ description: 'to − from; null when either is missing' }),
});

const statusChangeSchema = <S extends readonly [string, ...string[]]>(values: S) =>
  z.strictObject({
    from: z.enum(values).nullable(),
    to: z.enum(values).nullable(),
    changed: z.boolean().nullable(),
  });

const flagChangeSchema = z.strictObject({
  from: z.boolean().nullable(),
  to: z.boolean().nullable(),
});

const measurementBase = {
  id,
  takenOn: civilDate,
  planId: id.nullable().meta({ description: 'The support plan it was taken for, if any' }),
  reviewId: id.nullable().meta({ description: 'The review it was taken at, if any' }),
};

const scoreSchemas = {
  swemwbs: z.strictObject({
    instrument: z.literal('swemwbs'),
    answered: int,
    raw: int.nullable().meta({ description: 'The sum of the 7 items, 7–35' }),
    metricHundredths: int
      .nullable()
      .meta({ description: 'The Rasch metric score × 100 (1688 is 16.88)' }),
  }),
  eq5d5l: z.strictObject({
    instrument: z.literal('eq5d5l'),
    profile: z.string().nullable().meta({ description: 'Five digits, MO SC UA PD AD' }),
    vas: int.nullable(),
    indexThousandths: z
      .strictObject({ england2018: int, ukCrosswalk: int, uk2026: int })
      .nullable()
      .meta({
        description:
          'The index × 1000 by the England 2018 value set, the NICE-recommended crosswalk to the 3L UK set, and the 2026 UK 5L set',
      }),
  }),
  ascot_sct4: z.strictObject({
    instrument: z.literal('ascot_sct4'),
    answered: int,
    score: int.nullable().meta({ description: 'The simple score, 0–24' }),
  }),
  employment: z.strictObject({
    instrument: z.literal('employment'),
    status: z.enum(EMPLOYMENT_STATUSES),
    paid: z.boolean().nullable(),
  }),
  accommodation: z.strictObject({
    instrument: z.literal('accommodation'),
    status: z.enum(ACCOMMODATION_STATUSES),
    settled: z
      .boolean()
      .nullable()
      .meta({ description: 'Settled accommodation (the SALT flag); null when not known' }),
  }),
} as const;

const changeSchemas = {
  swemwbs: z.strictObject({ metricHundredths: numberChangeSchema }),
  eq5d5l: z.strictObject({
    indexThousandths: z.strictObject({
      england2018: numberChangeSchema,
      ukCrosswalk: numberChangeSchema,
    }),
    vas: numberChangeSchema,
  }),
  ascot_sct4: z.strictObject({ score: numberChangeSchema }),
  employment: z.strictObject({
    status: statusChangeSchema(EMPLOYMENT_STATUSES),
    paid: flagChangeSchema,
  }),
  accommodation: z.strictObject({
    status: statusChangeSchema(ACCOMMODATION_STATUSES),
    settled: flagChangeSchema,
  }),
} as const;

function historySchema<I extends RecordedInstrument>(instrument: I) {
  return z.strictObject({
    instrument: z.literal(instrument),
    measurements: z
      .array(
        z.strictObject({
          ...measurementBase,
          answers: API_ANSWERS_SCHEMAS[instrument],
          score: scoreSchemas[instrument],
        }),
      )
      .meta({ description: 'Oldest first: the first is the baseline' }),
    change: changeSchemas[instrument]
      .nullable()
      .meta({ description: 'From the baseline to the latest; null with fewer than two' }),
  });
}

export const measureHistorySchema = z.discriminatedUnion('instrument', [
  historySchema('swemwbs'),
  historySchema('eq5d5l'),
  historySchema('ascot_sct4'),
  historySchema('employment'),
  historySchema('accommodation'),
]);

export const measureListSchema = z.strictObject({
  items: z
    .array(measureHistorySchema)
    .meta({ description: 'One entry an instrument, in a fixed order, even when never taken' }),
});

export const measureRecordedSchema = z.strictObject({
  id,
  measures: measureListSchema.shape.items,
});

// ---------------------------------------------------------------------------------------------
// Records → JSON

const num = (c: NumberChange) => ({ from: c.from, to: c.to, change: c.change });

function changeToJson(instrument: RecordedInstrument, england: MeasureChanges, uk: MeasureChanges) {
  switch (instrument) {
    case 'swemwbs':
      return { metricHundredths: num(england.swemwbsMetricHundredths) };
    case 'eq5d5l':
      return {
        indexThousandths: {
          england2018: num(england.eq5dIndexThousandths),
          ukCrosswalk: num(uk.eq5dIndexThousandths),
        },
        vas: num(england.eq5dVas),
      };
    case 'ascot_sct4':
      return { score: num(england.ascotScore) };
    case 'employment': {
      const e = england.employment;
      return {
        status: { from: e.from, to: e.to, changed: e.changed },
        paid: { from: e.paidFrom, to: e.paidTo },
      };
    }
    case 'accommodation': {
      const a = england.accommodation;
      return {
        status: { from: a.from, to: a.to, changed: a.changed },
        settled: { from: a.settledFrom, to: a.settledTo },
      };
    }
  }
}

function measurementToJson(m: Measurement) {
  return {
    id: m.id,
    takenOn: m.takenOn,
    planId: m.planId,
    reviewId: m.reviewId,
    answers: m.answers,
    score: m.score,
  };
}

export function historyToJson(h: InstrumentHistory) {
  return {
    instrument: h.instrument,
    measurements: h.measurements.map(measurementToJson),
    change: h.changes ? changeToJson(h.instrument, h.changes.england, h.changes.crosswalk) : null,
  };
}

/** The schemas the document names for this part of the API, by component name. */
export const MEASURE_OUTPUT_SCHEMAS = {
  MeasureList: measureListSchema,
  MeasureHistory: measureHistorySchema,
  MeasureRecorded: measureRecordedSchema,
};

export const MEASURE_INPUT_SCHEMAS: Record<string, () => z.ZodType> = {
  MeasureInput: () => measureInputSchema,
};
