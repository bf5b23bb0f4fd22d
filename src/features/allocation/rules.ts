// The resource allocation system (RAS) as pure rules: a versioned questionnaire whose answers
// give points, points turned into an indicative annual budget (a price per point or bands),
// contingency, a minimum and maximum, and the split between funding streams. No database, no
// web framework, no clock. All money is integer pence (src/platform/money.ts).
// See ../shared/domain/DOMAIN.md section 4 and issue 3 points 3, 4 and 6.
import { z } from 'zod';
import { CivilDateSchema } from '../../platform/dates.ts';
import {
  add,
  annualToFourWeekly,
  annualToWeekly,
  pence,
  splitLargestRemainder,
  subtract,
  sum,
  type Pence,
} from '../../platform/money.ts';

/** 100 % in basis points (1 basis point = 0.01 %). */
export const WHOLE_BASIS_POINTS = 10_000;

const id = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, {
    message: 'An id must use only lower-case letters, numbers, hyphens and underscores',
  });
const text = z.string().trim().min(1, { message: 'Enter the text' });
const wholePence = (what: string) =>
  z
    .number({ message: `${what} must be a number of pence` })
    .int({ message: `${what} must be a whole number of pence` })
    .min(0, { message: `${what} must not be negative` })
    .max(Number.MAX_SAFE_INTEGER, { message: `${what} is too large` });
const basisPoints = (what: string) =>
  z
    .number({ message: `${what} must be a number of basis points` })
    .int({ message: `${what} must be a whole number of basis points` })
    .min(0, { message: `${what} must not be negative` })
    .max(WHOLE_BASIS_POINTS, { message: `${what} must not be more than 100%` });

const answerSchema = z.object({
  id,
  text,
  points: z
    .number()
    .int({ message: 'Points must be a whole number' })
    .min(0, { message: 'Points must not be negative' })
    .max(1_000_000, { message: 'Points must be 1,000,000 or fewer' }),
});

const questionSchema = z.object({
  id,
  text,
  answers: z.array(answerSchema).min(1, { message: 'A question needs at least one answer' }),
});

const bandSchema = z.object({
  fromPoints: z.number().int().min(0, { message: 'A band must not start below 0 points' }),
  /** Inclusive; null for the last band, which has no upper limit. */
  toPoints: z.number().int().min(0).nullable(),
  annualPence: wholePence('A band amount'),
});

const pricingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pricePerPoint'), pencePerPoint: wholePence('The price per point') }),
  z.object({
    kind: z.literal('bands'),
    bands: z.array(bandSchema).min(1, { message: 'Add at least one band' }),
  }),
]);

export const FUNDING_STREAM_KINDS = [
  'socialCare',
  'nhsPersonalHealthBudget',
  'section117',
  'other',
] as const;

const fundingStreamSchema = z.object({
  id,
  kind: z.enum(FUNDING_STREAM_KINDS),
  name: text,
  shareBasisPoints: basisPoints('A funding stream share'),
});

const contingencySchema = z.object({
  basisPoints: basisPoints('The contingency'),
  /** added: given to the person on top; held: kept back by the partnership for overrides. */
  mode: z.enum(['added', 'held']),
});

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const i of ids) (seen.has(i) ? twice : seen).add(i);
  return [...twice];
}

export const rasVersionSchema = z
  .object({
    id,
    name: text,
    effectiveFrom: CivilDateSchema,
    questions: z.array(questionSchema).min(1, { message: 'Add at least one question' }),
    pricing: pricingSchema,
    fundingStreams: z.array(fundingStreamSchema).min(1, { message: 'Add a funding stream' }),
    contingency: contingencySchema,
    /**
     * Section 117 after-care is jointly funded by the NHS and the council and is free. For a
     * person with a right to it, the whole indicative budget is after-care, split by this share.
     */
    section117: z
      .object({ nhsShareBasisPoints: basisPoints('The NHS share of section 117 after-care') })
      .default({ nhsShareBasisPoints: 5_000 }),
    minimumAnnualPence: wholePence('The minimum'),
    maximumAnnualPence: wholePence('The maximum'),
  })
  .superRefine((v, ctx) => {
    const issue = (message: string, path: (string | number)[]) => {
      ctx.addIssue({ code: 'custom', message, path });
    };
    for (const q of duplicates(v.questions.map((q) => q.id))) {
      issue(`Question id "${q}" is used more than once`, ['questions']);
    }
    v.questions.forEach((q, i) => {
      for (const a of duplicates(q.answers.map((a) => a.id))) {
        issue(`Answer id "${a}" is used more than once in question "${q.id}"`, [
          'questions',
          i,
          'answers',
        ]);
      }
    });
    for (const s of duplicates(v.fundingStreams.map((s) => s.id))) {
      issue(`Funding stream id "${s}" is used more than once`, ['fundingStreams']);
    }
    const shares = v.fundingStreams.reduce((t, s) => t + s.shareBasisPoints, 0);
    if (shares !== WHOLE_BASIS_POINTS) {
      issue(
        `The funding stream shares must add up to exactly 100%, but they add up to ${formatBasisPoints(shares)}`,
        ['fundingStreams'],
      );
    }
    if (v.minimumAnnualPence > v.maximumAnnualPence) {
      issue('The minimum must not be more than the maximum', ['minimumAnnualPence']);
    }
    if (v.pricing.kind === 'bands') checkBands(v.pricing.bands, issue);
  });

function checkBands(
  bands: readonly z.infer<typeof bandSchema>[],
  issue: (message: string, path: (string | number)[]) => void,
): void {
  let expectedFrom = 0;
  let previousAmount = 0;
  bands.forEach((b, i) => {
    const path = ['pricing', 'bands', i];
    const label = `Band ${String(i + 1)}`;
    if (b.fromPoints < expectedFrom) {
      issue(
        `${label} overlaps the band before it: it must start at ${String(expectedFrom)} points`,
        path,
      );
    } else if (b.fromPoints > expectedFrom) {
      issue(
        `${label} leaves a gap: no band covers ${String(expectedFrom)} to ${String(b.fromPoints - 1)} points`,
        path,
      );
    }
    const last = i === bands.length - 1;
    if (b.toPoints === null && !last) {
      issue(`${label} has no upper limit, so only the last band may be open-ended`, path);
    }
    if (b.toPoints !== null && last) {
      issue(`The last band must have no upper limit, so that every score has an amount`, path);
    }
    if (b.toPoints !== null && b.toPoints < b.fromPoints) {
      issue(`${label} ends before it starts`, path);
    }
    if (b.annualPence < previousAmount) {
      issue(`${label} gives less money than the band before it`, path);
    }
    previousAmount = b.annualPence;
    expectedFrom = (b.toPoints ?? b.fromPoints) + 1;
  });
}

export type RasVersion = z.infer<typeof rasVersionSchema>;
export type RasVersionInput = z.input<typeof rasVersionSchema>;

/** '60%', '12.5%', '99.99%'. */
export function formatBasisPoints(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const rest = Math.abs(bp % 100);
  return rest === 0
    ? `${String(whole)}%`
    : `${String(whole)}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

export type Refused = { readonly ok: false; readonly messages: readonly string[] };

/** Checks a RAS version; never throws. */
export function parseRasVersion(
  input: unknown,
): { readonly ok: true; readonly version: RasVersion } | Refused {
  const r = rasVersionSchema.safeParse(input);
  if (r.success) return { ok: true, version: r.data };
  return { ok: false, messages: r.error.issues.map((i) => i.message) };
}

// ---------------------------------------------------------------------------------------------
// Indicative budget

/** Which answer was chosen for each question: question id → answer id. */
export type RasAnswers = Readonly<Record<string, string>>;

export interface ScoredAnswer {
  readonly questionId: string;
  readonly answerId: string;
  readonly points: number;
}

export interface IndicativeBudget {
  readonly versionId: string;
  readonly answers: readonly ScoredAnswer[];
  readonly totalPoints: number;
  /** From the price per point or the band, before contingency and limits. */
  readonly baseAnnual: Pence;
  readonly contingency: { readonly mode: 'added' | 'held'; readonly amount: Pence };
  /** The base plus any added contingency, before the minimum and maximum. */
  readonly beforeLimits: Pence;
  readonly clamped: 'minimum' | 'maximum' | null;
  readonly annual: Pence;
  readonly fourWeekly: Pence;
  readonly weekly: Pence;
  /** Whether the budget is section 117 after-care, jointly funded (see section117Streams). */
  readonly section117: boolean;
  readonly streams: readonly {
    readonly id: string;
    readonly kind: RasVersion['fundingStreams'][number]['kind'];
    readonly name: string;
    readonly shareBasisPoints: number;
    readonly annual: Pence;
  }[];
}

/** amount × bp / 10,000, rounded to the nearest penny, half up (amount ≥ 0). */
function shareOf(amount: Pence, bp: number): Pence {
  const scaled = BigInt(amount) * BigInt(bp);
  const whole = BigInt(WHOLE_BASIS_POINTS);
  return pence(Number((scaled * 2n + whole) / (whole * 2n)));
}

/** For section 117 after-care: one jointly funded stream, shown as its NHS and council parts. */
export function section117Streams(version: RasVersion): RasVersion['fundingStreams'] {
  const nhs = version.section117.nhsShareBasisPoints;
  return [
    {
      id: 'section-117-nhs',
      kind: 'section117',
      name: 'Section 117 after-care: NHS share',
      shareBasisPoints: nhs,
    },
    {
      id: 'section-117-council',
      kind: 'section117',
      name: 'Section 117 after-care: council share',
      shareBasisPoints: WHOLE_BASIS_POINTS - nhs,
    },
  ];
}

/** The annual amount for a number of points, before contingency and limits. */
export function pointsToAnnual(pricing: RasVersion['pricing'], points: number): Pence {
  switch (pricing.kind) {
    case 'pricePerPoint': {
      const p = BigInt(pricing.pencePerPoint) * BigInt(points);
      if (p > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount is too large');
      return pence(Number(p));
    }
    case 'bands': {
      const band = pricing.bands.find(
        (b) => points >= b.fromPoints && (b.toPoints === null || points <= b.toPoints),
      );
      if (!band) throw new RangeError(`no band covers ${String(points)} points`);
      return pence(band.annualPence);
    }
  }
}

/**
 * Works out the indicative budget for one set of answers. Every question must be answered
 * with one of its own answers; otherwise it is refused with a message per problem.
 * Deterministic: the same version and answers always give the same result.
 */
export function calculateIndicativeBudget(
  version: RasVersion,
  answers: RasAnswers,
  options: { readonly section117?: boolean } = {},
): { readonly ok: true; readonly budget: IndicativeBudget } | Refused {
  const messages: string[] = [];
  const scored: ScoredAnswer[] = [];
  const known = new Set(version.questions.map((q) => q.id));
  for (const questionId of Object.keys(answers)) {
    if (!known.has(questionId)) messages.push(`There is no question "${questionId}" in this RAS`);
  }
  for (const q of version.questions) {
    const answerId = Object.hasOwn(answers, q.id) ? answers[q.id] : undefined;
    if (answerId === undefined || answerId === '') {
      messages.push(`Answer the question "${q.text}"`);
      continue;
    }
    const a = q.answers.find((x) => x.id === answerId);
    if (!a) {
      messages.push(`"${answerId}" is not one of the answers to "${q.text}"`);
      continue;
    }
    scored.push({ questionId: q.id, answerId: a.id, points: a.points });
  }
  if (messages.length > 0) return { ok: false, messages };

  const totalPoints = scored.reduce((t, a) => t + a.points, 0);
  const baseAnnual = pointsToAnnual(version.pricing, totalPoints);
  const contingencyAmount = shareOf(baseAnnual, version.contingency.basisPoints);
  const beforeLimits =
    version.contingency.mode === 'added' ? sum([baseAnnual, contingencyAmount]) : baseAnnual;
  let annual = beforeLimits;
  let clamped: IndicativeBudget['clamped'] = null;
  if (beforeLimits < version.minimumAnnualPence) {
    annual = pence(version.minimumAnnualPence);
    clamped = 'minimum';
  } else if (beforeLimits > version.maximumAnnualPence) {
    annual = pence(version.maximumAnnualPence);
    clamped = 'maximum';
  }
  const streams = options.section117 ? section117Streams(version) : version.fundingStreams;
  const parts = splitLargestRemainder(
    annual,
    streams.map((s) => s.shareBasisPoints),
  );
  return {
    ok: true,
    budget: {
      versionId: version.id,
      answers: scored,
      totalPoints,
      baseAnnual,
      contingency: { mode: version.contingency.mode, amount: contingencyAmount },
      beforeLimits,
      clamped,
      annual,
      fourWeekly: annualToFourWeekly(annual),
      weekly: annualToWeekly(annual),
      section117: options.section117 === true,
      streams: streams.map((s, i) => ({
        id: s.id,
        kind: s.kind,
        name: s.name,
        shareBasisPoints: s.shareBasisPoints,
        annual: parts[i] ?? pence(0),
      })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Impact preview

export interface PersonAllocation {
  readonly personId: string;
  readonly team: string;
  readonly supportReason: string;
  readonly annual: Pence;
}

export interface ImpactSummary {
  readonly people: number;
  readonly up: number;
  readonly down: number;
  readonly same: number;
  readonly oldTotal: Pence;
  readonly newTotal: Pence;
  readonly totalChange: Pence;
  /** Total change ÷ people, to the nearest penny (half away from zero); 0 for nobody. */
  readonly averageChange: Pence;
}

export interface ImpactPreview extends ImpactSummary {
  readonly byTeam: readonly (ImpactSummary & { readonly team: string })[];
  readonly bySupportReason: readonly (ImpactSummary & { readonly supportReason: string })[];
  /** People with an old amount but no new one, and the other way round: not counted above. */
  readonly onlyInOld: readonly string[];
  readonly onlyInNew: readonly string[];
}

interface Change {
  readonly team: string;
  readonly supportReason: string;
  readonly oldAnnual: Pence;
  readonly newAnnual: Pence;
}

function summarise(changes: readonly Change[]): ImpactSummary {
  let up = 0;
  let down = 0;
  let same = 0;
  for (const c of changes) {
    if (c.newAnnual > c.oldAnnual) up += 1;
    else if (c.newAnnual < c.oldAnnual) down += 1;
    else same += 1;
  }
  const oldTotal = sum(changes.map((c) => c.oldAnnual));
  const newTotal = sum(changes.map((c) => c.newAnnual));
  const totalChange = subtract(newTotal, oldTotal);
  let averageChange = pence(0);
  if (changes.length > 0) {
    const n = BigInt(changes.length);
    const size = BigInt(Math.abs(totalChange));
    const q = Number((size * 2n + n) / (n * 2n));
    averageChange = pence(totalChange < 0 ? -q : q);
  }
  return {
    people: changes.length,
    up,
    down,
    same,
    oldTotal,
    newTotal,
    totalChange,
    averageChange,
  };
}

function groupBy(changes: readonly Change[], key: (c: Change) => string): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const k = key(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Compares each person's old annual amount with their new one (matched by person id). Team and
 * support reason come from the new result. Groups are sorted by name.
 */
export function impactPreview(
  oldResults: readonly PersonAllocation[],
  newResults: readonly PersonAllocation[],
): ImpactPreview {
  const olds = new Map(oldResults.map((r) => [r.personId, r]));
  const news = new Set(newResults.map((r) => r.personId));
  const changes: Change[] = [];
  const onlyInNew: string[] = [];
  for (const n of newResults) {
    const o = olds.get(n.personId);
    if (!o) {
      onlyInNew.push(n.personId);
      continue;
    }
    changes.push({
      team: n.team,
      supportReason: n.supportReason,
      oldAnnual: o.annual,
      newAnnual: n.annual,
    });
  }
  return {
    ...summarise(changes),
    byTeam: [...groupBy(changes, (c) => c.team)].map(([team, g]) => ({
      team,
      ...summarise(g),
    })),
    bySupportReason: [...groupBy(changes, (c) => c.supportReason)].map(([supportReason, g]) => ({
      supportReason,
      ...summarise(g),
    })),
    onlyInOld: oldResults.filter((o) => !news.has(o.personId)).map((o) => o.personId),
    onlyInNew,
  };
}

// ---------------------------------------------------------------------------------------------
// Impact preview, one change at a time

/** A running summary: plain counters, so a million changes never make a million objects. */
class RunningSummary {
  people = 0;
  up = 0;
  down = 0;
  same = 0;
  oldTotal = 0;
  newTotal = 0;

  add(oldAnnual: Pence, newAnnual: Pence): void {
    this.people += 1;
    if (newAnnual > oldAnnual) this.up += 1;
    else if (newAnnual < oldAnnual) this.down += 1;
    else this.same += 1;
    this.oldTotal = add(pence(this.oldTotal), oldAnnual);
    this.newTotal = add(pence(this.newTotal), newAnnual);
  }

  result(): ImpactSummary {
    const oldTotal = pence(this.oldTotal);
    const newTotal = pence(this.newTotal);
    const totalChange = subtract(newTotal, oldTotal);
    let averageChange = pence(0);
    if (this.people > 0) {
      const n = BigInt(this.people);
      const size = BigInt(Math.abs(totalChange));
      const q = Number((size * 2n + n) / (n * 2n));
      averageChange = pence(totalChange < 0 ? -q : q);
    }
    return {
      people: this.people,
      up: this.up,
      down: this.down,
      same: this.same,
      oldTotal,
      newTotal,
      totalChange,
      averageChange,
    };
  }
}

export interface ImpactAccumulator {
  /** One person whose old and new annual amounts are both known. */
  add(team: string, supportReason: string, oldAnnual: Pence, newAnnual: Pence): void;
  /** A person with an old amount but no new one (not counted in the totals). */
  addOnlyInOld(personId: string): void;
  /** A person with a new amount but no old one (not counted in the totals). */
  addOnlyInNew(personId: string): void;
  /** The preview so far, in the same shape and order as impactPreview gives. */
  result(): ImpactPreview;
}

const byName = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The impact preview built one change at a time, for previews over very many people: it keeps
 * one running summary per team and per support reason, never the changes themselves. Feeding it
 * the matched pairs that impactPreview would make gives exactly impactPreview's result.
 */
export function createImpactAccumulator(): ImpactAccumulator {
  const all = new RunningSummary();
  const teams = new Map<string, RunningSummary>();
  const reasons = new Map<string, RunningSummary>();
  const onlyInOld: string[] = [];
  const onlyInNew: string[] = [];
  const group = (groups: Map<string, RunningSummary>, key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = new RunningSummary();
      groups.set(key, g);
    }
    return g;
  };
  return {
    add(team, supportReason, oldAnnual, newAnnual) {
      all.add(oldAnnual, newAnnual);
      group(teams, team).add(oldAnnual, newAnnual);
      group(reasons, supportReason).add(oldAnnual, newAnnual);
    },
    addOnlyInOld(personId) {
      onlyInOld.push(personId);
    },
    addOnlyInNew(personId) {
      onlyInNew.push(personId);
    },
    result() {
      return {
        ...all.result(),
        byTeam: [...teams].sort(byName).map(([team, g]) => ({ team, ...g.result() })),
        bySupportReason: [...reasons]
          .sort(byName)
          .map(([supportReason, g]) => ({ supportReason, ...g.result() })),
        onlyInOld: [...onlyInOld],
        onlyInNew: [...onlyInNew],
      };
    },
  };
}
