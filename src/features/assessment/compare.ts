// What changed between two assessments of the same person, in words a person can read. Pure.
import { CARE_ACT_OUTCOMES, UNABLE_REASONS } from './eligibility.js';
import {
  CHC_STATUSES,
  WELLBEING_AREAS,
  WELLBEING_LEVELS,
  type AssessmentAnswers,
  type BudgetQuestion,
  type OutcomeItem,
} from './answers.js';

export interface AnswerChange {
  section: string;
  item: string;
  before: string;
  after: string;
}

const NOT_ANSWERED = 'Not answered';

function yesNo(v: boolean | undefined): string {
  return v === undefined ? NOT_ANSWERED : v ? 'Yes' : 'No';
}

export function describeOutcome(item: OutcomeItem | undefined): string {
  if (item?.achievable === undefined) return NOT_ANSWERED;
  if (item.achievable) return 'Can achieve';
  const why = item.reasons.map((r) => UNABLE_REASONS.find((x) => x.id === r)?.label ?? r);
  return `Cannot achieve: ${why.join('; ')}`;
}

function budgetAnswer(questions: readonly BudgetQuestion[], qid: string, aid: string | undefined) {
  if (aid === undefined) return NOT_ANSWERED;
  const a = questions.find((q) => q.id === qid)?.answers.find((x) => x.id === aid);
  return a ? `${a.text} (${String(a.points)} points)` : aid;
}

/** Every answer that differs, section by section, in page order. */
export function compareAnswers(
  before: AssessmentAnswers,
  after: AssessmentAnswers,
  beforeQuestions: readonly BudgetQuestion[],
  afterQuestions: readonly BudgetQuestion[],
): AnswerChange[] {
  const changes: AnswerChange[] = [];
  const add = (section: string, item: string, b: string, a: string) => {
    if (b !== a) changes.push({ section, item, before: b, after: a });
  };
  for (const o of CARE_ACT_OUTCOMES) {
    const label = o.label.charAt(0).toUpperCase() + o.label.slice(1);
    add(
      'Day-to-day outcomes',
      label,
      describeOutcome(before.outcomes?.items[o.id]),
      describeOutcome(after.outcomes?.items[o.id]),
    );
  }
  add(
    'Impairment or illness',
    'Needs arise from an impairment or illness',
    yesNo(before.impairment?.needsFromImpairmentOrIllness),
    yesNo(after.impairment?.needsFromImpairmentOrIllness),
  );
  const level = (v: string | undefined) =>
    WELLBEING_LEVELS.find((l) => l.id === v)?.label ?? NOT_ANSWERED;
  for (const area of WELLBEING_AREAS) {
    add(
      'Impact on wellbeing',
      area.label,
      level(before.wellbeing?.areas[area.id]),
      level(after.wellbeing?.areas[area.id]),
    );
  }
  add(
    'Impact on wellbeing',
    'Significant impact on wellbeing',
    yesNo(before.wellbeing?.significantImpact),
    yesNo(after.wellbeing?.significantImpact),
  );
  const detention = (a: AssessmentAnswers) => {
    const n = a.nhs;
    if (n?.detained === undefined) return NOT_ANSWERED;
    if (!n.detained) return 'Not detained';
    const left = n.discharged === true ? ', has left hospital' : ', still in hospital';
    return `Section ${n.detentionSection ?? '?'}${left}`;
  };
  add(
    'Health needs and NHS rights',
    'Mental Health Act detention',
    detention(before),
    detention(after),
  );
  const chc = (v: string | undefined) =>
    CHC_STATUSES.find((c) => c.id === v)?.label ?? NOT_ANSWERED;
  add(
    'Health needs and NHS rights',
    'NHS continuing healthcare',
    chc(before.nhs?.continuingHealthcare),
    chc(after.nhs?.continuingHealthcare),
  );
  add(
    'Recovery, strengths and carers',
    'Has an unpaid carer',
    yesNo(before.recovery?.hasUnpaidCarer),
    yesNo(after.recovery?.hasUnpaidCarer),
  );
  const ids = [...new Set([...beforeQuestions, ...afterQuestions].map((q) => q.id))];
  for (const qid of ids) {
    const text =
      afterQuestions.find((q) => q.id === qid)?.text ??
      beforeQuestions.find((q) => q.id === qid)?.text ??
      qid;
    add(
      'Support needed (budget questions)',
      text,
      budgetAnswer(beforeQuestions, qid, before.budget?.answers[qid]),
      budgetAnswer(afterQuestions, qid, after.budget?.answers[qid]),
    );
  }
  return changes;
}
