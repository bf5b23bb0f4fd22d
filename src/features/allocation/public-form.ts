// The public calculator's form: reading the answers from a query string (the form is sent with
// GET, so it works without JavaScript and a result can be bookmarked), refusing anything that
// is not one of the RAS's own answers with a message that says what to do, and describing a
// version and a result for the pages. No I/O.
import type { FieldError } from '../../platform/http/errors.js';
import { formatPounds, pence } from '../../platform/money.js';
import {
  formatBasisPoints,
  section117Streams,
  type IndicativeBudget,
  type RasVersion,
} from './rules.js';

/** The query parameter for a question's answer: q-<question id>. */
export const answerField = (questionId: string): string => `q-${questionId}`;
export const SECTION_117_FIELD = 'section117';

export interface CalculatorForm {
  /** Only the answers that are one of their question's own answers. */
  readonly answers: Record<string, string>;
  readonly section117: boolean;
  readonly errors: FieldError[];
}

const quote = (text: string) => `‘${text}’`;

/**
 * Reads the calculator's answers. Missing, repeated or unknown answers, answers to questions the
 * RAS does not have and a section 117 box with any value other than "yes" are errors; the
 * valid answers are kept. What the person typed is never echoed back.
 */
export function readCalculatorForm(version: RasVersion, query: unknown): CalculatorForm {
  const q: Record<string, unknown> =
    typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const errors: FieldError[] = [];
  const answers: Record<string, string> = {};
  const firstQuestion = version.questions[0]?.id ?? '';

  const fields = new Set(version.questions.map((x) => answerField(x.id)));
  const strangers = Object.keys(q).filter((k) => k.startsWith('q-') && !fields.has(k));
  if (strangers.length > 0) {
    errors.push({
      field: answerField(firstQuestion),
      message:
        'The form had an answer to a question that is not in this resource allocation system. Check your answers and try again',
    });
  }

  for (const question of version.questions) {
    const name = answerField(question.id);
    const value = Object.hasOwn(q, name) ? q[name] : undefined;
    if (Array.isArray(value)) {
      errors.push({ field: name, message: `Select only one answer for ${quote(question.text)}` });
    } else if (typeof value !== 'string' || value === '') {
      errors.push({ field: name, message: `Select an answer for ${quote(question.text)}` });
    } else if (!question.answers.some((a) => a.id === value)) {
      errors.push({
        field: name,
        message: `Select one of the answers shown for ${quote(question.text)}`,
      });
    } else {
      answers[question.id] = value;
    }
  }

  const s117 = Object.hasOwn(q, SECTION_117_FIELD) ? q[SECTION_117_FIELD] : undefined;
  if (s117 !== undefined && s117 !== 'yes') {
    errors.push({
      field: SECTION_117_FIELD,
      message: 'Tick the box if you get section 117 after-care, or leave it empty if you do not',
    });
  }
  return { answers, section117: s117 === 'yes', errors };
}

/** The query string that fills the form in again with these answers ("change your answers"). */
export function answersQuery(
  answers: Readonly<Record<string, string>>,
  section117: boolean,
): string {
  const params = new URLSearchParams();
  for (const [questionId, answerId] of Object.entries(answers)) {
    params.append(answerField(questionId), answerId);
  }
  if (section117) params.append(SECTION_117_FIELD, 'yes');
  return params.toString();
}

const points = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'point' : 'points'}`;
const pounds = (n: number) => formatPounds(pence(n));

type Band = Extract<RasVersion['pricing'], { kind: 'bands' }>['bands'][number];
const bandPoints = (b: Band) =>
  b.toPoints === null
    ? `${points(b.fromPoints)} or more`
    : `${b.fromPoints.toLocaleString('en-GB')} to ${points(b.toPoints)}`;

/** How points become pounds, in words and (for bands) as rows. */
export function describePricing(version: RasVersion): {
  summary: string;
  bands: { points: string; amount: string }[];
} {
  const pricing = version.pricing;
  if (pricing.kind === 'pricePerPoint') {
    return {
      summary: `Each point is worth ${pounds(pricing.pencePerPoint)} a year. The total points are multiplied by this price.`,
      bands: [],
    };
  }
  return {
    summary: 'The total points fall into one of these bands. Each band gives a set amount a year.',
    bands: pricing.bands.map((b) => ({
      points: bandPoints(b),
      amount: pounds(b.annualPence),
    })),
  };
}

export function describeContingency(version: RasVersion): string {
  const share = formatBasisPoints(version.contingency.basisPoints);
  if (version.contingency.basisPoints === 0) return 'There is no contingency in this version.';
  return version.contingency.mode === 'added'
    ? `A contingency of ${share} is added on top of the amount from the points, for the unexpected.`
    : `The partnership holds back a contingency of ${share} of the amount from the points, to pay for plans that cost more than their indicative amount. It is not taken away from your amount.`;
}

export function describeStreams(version: RasVersion) {
  const s117 = section117Streams(version);
  return {
    streams: version.fundingStreams.map((s) => ({
      name: s.name,
      share: formatBasisPoints(s.shareBasisPoints),
    })),
    section117: s117.map((s) => ({ name: s.name, share: formatBasisPoints(s.shareBasisPoints) })),
  };
}

/** The worked-out steps of one result: answers → points → pounds → funding streams. */
export function describeResult(version: RasVersion, budget: IndicativeBudget) {
  const rows = budget.answers.map((scored) => {
    const question = version.questions.find((x) => x.id === scored.questionId);
    const answer = question?.answers.find((a) => a.id === scored.answerId);
    return {
      question: question?.text ?? scored.questionId,
      answer: answer?.text ?? scored.answerId,
      points: scored.points,
    };
  });
  let pricing: string;
  if (version.pricing.kind === 'pricePerPoint') {
    pricing = `${points(budget.totalPoints)} × ${pounds(version.pricing.pencePerPoint)} a point = ${formatPounds(budget.baseAnnual)} a year`;
  } else {
    const total = budget.totalPoints;
    const band = version.pricing.bands.find(
      (b) => total >= b.fromPoints && (b.toPoints === null || total <= b.toPoints),
    );
    pricing = `${points(total)} is in the band for ${band ? bandPoints(band) : 'this score'}: ${formatPounds(budget.baseAnnual)} a year`;
  }
  const share = formatBasisPoints(version.contingency.basisPoints);
  const contingency =
    budget.contingency.mode === 'added'
      ? `A contingency of ${share} (${formatPounds(budget.contingency.amount)}) is added: ${formatPounds(budget.beforeLimits)} a year`
      : `The partnership holds back a contingency of ${share} (${formatPounds(budget.contingency.amount)}) for plans that cost more. It is not taken away from this amount`;
  let limit: string | null = null;
  if (budget.clamped === 'minimum') {
    limit = `This is less than the minimum of ${pounds(version.minimumAnnualPence)} a year, so the indicative amount is raised to the minimum.`;
  } else if (budget.clamped === 'maximum') {
    limit = `This is more than the most the calculator gives, ${pounds(version.maximumAnnualPence)} a year, so the indicative amount is ${pounds(version.maximumAnnualPence)}. This is not a limit on your budget: if your needs cost more to meet, your budget must cover them.`;
  }
  return { rows, pricing, contingency, limit };
}
