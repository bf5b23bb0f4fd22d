// The outcome questionnaires as structure only: instrument ids, item ids and response-level ids,
// never the questions themselves. SWEMWBS, EQ-5D-5L and ASCOT wording is copyrighted and licensed
// (DOMAIN.md section 7), so it comes from a wording file named in configuration and checked here
// with zod; the demo uses DEMO_WORDING, placeholder text we wrote ourselves that says on its face
// that it is not the licensed wording. Pure: no I/O (the app reads the file and passes the text).
import { z } from 'zod';

/** The instruments, spelled as migrations/0004 spells outcome_measures.instrument. */
export const INSTRUMENTS = [
  'swemwbs',
  'eq5d5l',
  'ascot_sct4',
  'employment',
  'accommodation',
  'goal_attainment',
] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

/**
 * SWEMWBS: the 7 items of the short scale, named by their number in the 14-item WEMWBS
 * (DOMAIN.md 7.3 and 7.4): 1 optimistic, 2 useful, 3 relaxed, 6 dealing with problems well,
 * 7 thinking clearly, 9 close to other people, 11 able to make up one's own mind.
 */
export const SWEMWBS_ITEMS = [
  'wemwbs1',
  'wemwbs2',
  'wemwbs3',
  'wemwbs6',
  'wemwbs7',
  'wemwbs9',
  'wemwbs11',
] as const;
export type SwemwbsItem = (typeof SWEMWBS_ITEMS)[number];

/** SWEMWBS response levels: the score of each of the 5 response categories (1 = least often). */
export const SWEMWBS_LEVELS = [1, 2, 3, 4, 5] as const;
export type SwemwbsLevel = (typeof SWEMWBS_LEVELS)[number];

/** EQ-5D-5L dimensions in profile order: mobility, self-care, usual activities, pain or
 * discomfort, anxiety or depression (DOMAIN.md 7.2). */
export const EQ5D_DIMENSIONS = ['MO', 'SC', 'UA', 'PD', 'AD'] as const;
export type Eq5dDimension = (typeof EQ5D_DIMENSIONS)[number];

/** EQ-5D-5L levels: 1 no problems … 5 extreme problems or unable. */
export const EQ5D_LEVELS = [1, 2, 3, 4, 5] as const;
export type Eq5dLevel = (typeof EQ5D_LEVELS)[number];

/** ASCOT SCT4 domains, in the order of DOMAIN.md 7.1. */
export const ASCOT_DOMAINS = [
  'controlOverDailyLife',
  'personalCleanlinessAndComfort',
  'foodAndDrink',
  'personalSafety',
  'socialParticipation',
  'occupation',
  'accommodationCleanlinessAndComfort',
  'dignity',
] as const;
export type AscotDomain = (typeof ASCOT_DOMAINS)[number];

/** ASCOT SCT4 levels, best first: ideal state, no needs, some needs, high needs. */
export const ASCOT_LEVELS = ['ideal', 'noNeeds', 'someNeeds', 'highNeeds'] as const;
export type AscotLevel = (typeof ASCOT_LEVELS)[number];

// ---------------------------------------------------------------------------------------------
// Wording configuration

const wordingText = z
  .string({ message: 'Each piece of wording must be text' })
  .trim()
  .min(1, { message: 'Each piece of wording must not be empty' })
  .max(2_000, { message: 'Each piece of wording must be 2,000 characters or fewer' });

/** An object with exactly these keys, each holding `value` (unknown keys are refused, so a
 * misspelt item id in the wording file is caught when the file is loaded). */
function exactly<const K extends string, V extends z.ZodType>(keys: readonly K[], value: V) {
  const shape = Object.fromEntries(keys.map((k) => [k, value])) as Record<K, V>;
  return z.strictObject(shape);
}

const levelKeys = <L extends number>(levels: readonly L[]) => levels.map((l) => `${l}` as const);

const instrumentHeader = {
  title: wordingText,
  /** The copyright line the licence asks to be shown with the questionnaire. */
  copyright: wordingText,
  introduction: wordingText,
};

export const questionnaireWordingSchema = z.strictObject({
  /** True for wording that is not the licensed text (the demo); pages say so. */
  placeholder: z.boolean(),
  /** Shown with every questionnaire, e.g. whose licence the wording is used under. */
  notice: wordingText,
  swemwbs: z.strictObject({
    ...instrumentHeader,
    items: exactly(SWEMWBS_ITEMS, wordingText),
    responses: exactly(levelKeys(SWEMWBS_LEVELS), wordingText),
  }),
  eq5d5l: z.strictObject({
    ...instrumentHeader,
    dimensions: exactly(
      EQ5D_DIMENSIONS,
      z.strictObject({
        question: wordingText,
        levels: exactly(levelKeys(EQ5D_LEVELS), wordingText),
      }),
    ),
    vas: z.strictObject({ question: wordingText, best: wordingText, worst: wordingText }),
  }),
  ascot_sct4: z.strictObject({
    ...instrumentHeader,
    domains: exactly(
      ASCOT_DOMAINS,
      z.strictObject({ question: wordingText, levels: exactly(ASCOT_LEVELS, wordingText) }),
    ),
  }),
});
export type QuestionnaireWording = z.infer<typeof questionnaireWordingSchema>;

export type WordingRefused = { readonly ok: false; readonly messages: readonly string[] };

/** Checks wording already parsed from JSON; never throws. Each message names where it is. */
export function parseQuestionnaireWording(
  input: unknown,
): { readonly ok: true; readonly wording: QuestionnaireWording } | WordingRefused {
  const r = questionnaireWordingSchema.safeParse(input);
  if (r.success) return { ok: true, wording: r.data };
  return {
    ok: false,
    messages: r.error.issues.map((i) =>
      i.path.length === 0 ? i.message : `${i.path.join('.')}: ${i.message}`,
    ),
  };
}

/** Checks the text of a wording file (the caller reads the file); never throws. */
export function parseQuestionnaireWordingJson(
  text: string,
): { readonly ok: true; readonly wording: QuestionnaireWording } | WordingRefused {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, messages: ['The questionnaire wording file is not valid JSON'] };
  }
  return parseQuestionnaireWording(data);
}

// ---------------------------------------------------------------------------------------------
// Demo wording: written by us for Pooled. It is NOT the licensed text of SWEMWBS, EQ-5D-5L or
// ASCOT and says so in every line. config/questionnaires/demo-wording.json holds the same
// content (a test keeps the two equal).

const NOT_LICENSED = '(licensed wording not included)';

const SWEMWBS_TOPICS: Record<SwemwbsItem, string> = {
  wemwbs1: 'feeling optimistic about the future',
  wemwbs2: 'feeling useful',
  wemwbs3: 'feeling relaxed',
  wemwbs6: 'dealing with problems well',
  wemwbs7: 'thinking clearly',
  wemwbs9: 'feeling close to other people',
  wemwbs11: 'being able to make up your own mind',
};

const EQ5D_TOPICS: Record<Eq5dDimension, string> = {
  MO: 'getting about',
  SC: 'looking after yourself',
  UA: 'doing your usual activities',
  PD: 'pain or discomfort',
  AD: 'feeling anxious or low',
};

const ASCOT_TOPICS: Record<AscotDomain, string> = {
  controlOverDailyLife: 'control over daily life',
  personalCleanlinessAndComfort: 'personal cleanliness and comfort',
  foodAndDrink: 'food and drink',
  personalSafety: 'feeling safe',
  socialParticipation: 'social contact and involvement',
  occupation: 'how you spend your time',
  accommodationCleanlinessAndComfort: 'a clean and comfortable home',
  dignity: 'how the help you get makes you feel about yourself',
};

const ASCOT_PLACEHOLDER_LEVELS: Record<AscotLevel, string> = {
  ideal: 'Placeholder answer: as you would want it',
  noNeeds: 'Placeholder answer: enough, no needs',
  someNeeds: 'Placeholder answer: some needs',
  highNeeds: 'Placeholder answer: high needs',
};

const mapKeys = <K extends string, V>(keys: readonly K[], f: (k: K, i: number) => V) =>
  Object.fromEntries(keys.map((k, i) => [k, f(k, i)])) as Record<K, V>;

export const DEMO_WORDING: QuestionnaireWording = {
  placeholder: true,
  notice:
    'Demonstration only: this is placeholder wording written for Pooled. It is not the text of ' +
    'any licensed questionnaire, so scores from it are not real measurements.',
  swemwbs: {
    title: 'Wellbeing (SWEMWBS, placeholder wording)',
    copyright:
      'The Short Warwick-Edinburgh Mental Wellbeing Scale is © NHS Health Scotland, University ' +
      'of Warwick and University of Edinburgh, 2008. Its wording is not included here.',
    introduction: `Placeholder introduction: how you have felt over the last 2 weeks ${NOT_LICENSED}.`,
    items: mapKeys(
      SWEMWBS_ITEMS,
      (item, i) => `Placeholder statement ${i + 1} about ${SWEMWBS_TOPICS[item]} ${NOT_LICENSED}`,
    ),
    responses: {
      '1': '1: placeholder for the least often',
      '2': '2: placeholder',
      '3': '3: placeholder for the middle',
      '4': '4: placeholder',
      '5': '5: placeholder for the most often',
    },
  },
  eq5d5l: {
    title: 'Health today (EQ-5D-5L, placeholder wording)',
    copyright:
      'EQ-5D-5L belongs to the EuroQol Research Foundation. Its wording is not included here.',
    introduction: `Placeholder introduction: your health today ${NOT_LICENSED}.`,
    dimensions: mapKeys(EQ5D_DIMENSIONS, (dimension) => ({
      question: `Placeholder question about ${EQ5D_TOPICS[dimension]} ${NOT_LICENSED}`,
      levels: {
        '1': 'Level 1 of 5: placeholder for no problems',
        '2': 'Level 2 of 5: placeholder',
        '3': 'Level 3 of 5: placeholder',
        '4': 'Level 4 of 5: placeholder',
        '5': 'Level 5 of 5: placeholder for the most problems',
      },
    })),
    vas: {
      question: `Placeholder question: your health today from 0 to 100 ${NOT_LICENSED}`,
      best: '100: placeholder for the best health you can imagine',
      worst: '0: placeholder for the worst health you can imagine',
    },
  },
  ascot_sct4: {
    title: 'Social care outcomes (ASCOT SCT4, placeholder wording)',
    copyright:
      'ASCOT, the Adult Social Care Outcomes Toolkit, is licensed by its owners. Its wording is ' +
      'not included here.',
    introduction: `Placeholder introduction: your life and the support you get ${NOT_LICENSED}.`,
    domains: mapKeys(ASCOT_DOMAINS, (domain) => ({
      question: `Placeholder question about ${ASCOT_TOPICS[domain]} ${NOT_LICENSED}`,
      levels: ASCOT_PLACEHOLDER_LEVELS,
    })),
  },
};
