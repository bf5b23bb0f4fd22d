// Each assessment page's form round-trip: posted fields into one section of the answers, and
// a section back into the form's values. A page refuses only answers that do not hang together
// or were not offered; anything left blank is listed on the check page instead.
import { field } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { CARE_ACT_OUTCOMES, MHA_SECTIONS, UNABLE_REASONS, type MhaSection } from './eligibility.js';
import {
  CARER_ASSESSMENT,
  CHC_STATUSES,
  RESPONDENTS,
  WELLBEING_AREAS,
  WELLBEING_LEVELS,
  sectionProblems,
  sectionSchemas,
  type BudgetQuestion,
  type SectionId,
  type Sections,
} from './answers.js';

export type FormValues = Record<string, string | string[]>;

export type SectionForm<S extends SectionId> =
  | { ok: true; data: Sections[S]; values: FormValues }
  | { ok: false; errors: FieldError[]; values: FormValues };

function list(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const v = (body as Record<string, unknown>)[name];
  const all = Array.isArray(v) ? v : [v];
  return all.filter((x): x is string => typeof x === 'string').map((x) => x.trim());
}

class Reader {
  readonly errors: FieldError[] = [];
  readonly values: FormValues = {};
  constructor(private readonly body: unknown) {}

  text(name: string, max = 5000): string {
    const v = field(this.body, name);
    this.values[name] = v;
    if (v.length > max)
      this.errors.push({
        field: name,
        message: `This answer must be ${String(max)} characters or fewer (it is ${String(v.length)})`,
      });
    return v.slice(0, max);
  }

  /** One of the offered choices, or undefined when left blank. */
  choice<T extends string>(name: string, allowed: readonly T[], what: string): T | undefined {
    const v = field(this.body, name);
    this.values[name] = v;
    if (v === '') return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.errors.push({ field: name, message: `Select one of the options for ${what}` });
    return undefined;
  }

  yesNo(name: string, what: string): boolean | undefined {
    const v = this.choice(name, ['yes', 'no'], what);
    return v === undefined ? undefined : v === 'yes';
  }

  many<T extends string>(name: string, allowed: readonly T[], what: string): T[] {
    const vs = list(this.body, name).filter((v) => v !== '');
    this.values[name] = vs;
    const bad = vs.filter((v) => !(allowed as readonly string[]).includes(v));
    if (bad.length > 0)
      this.errors.push({ field: name, message: `Select only the options offered for ${what}` });
    return [...new Set(vs.filter((v) => (allowed as readonly string[]).includes(v)))] as T[];
  }
}

const RESPONDENT_IDS = RESPONDENTS.map((r) => r.id);

function respondentOf(r: Reader, section: SectionId) {
  return r.choice(`${section}-respondent`, RESPONDENT_IDS, 'who answered');
}

/** Reads one posted page. Never throws on bad input. */
export function parseSection<S extends SectionId>(
  section: S,
  body: unknown,
  questions: readonly BudgetQuestion[],
): SectionForm<S> {
  const r = new Reader(body);
  let data: unknown;
  switch (section) {
    case 'outcomes': {
      const items: Record<string, unknown> = {};
      for (const o of CARE_ACT_OUTCOMES) {
        const achievable = r.yesNo(`${o.id}-achievable`, o.label);
        const reasons = r.many(
          `${o.id}-reasons`,
          UNABLE_REASONS.map((x) => x.id),
          `why they cannot achieve ${o.label}`,
        );
        const notes = r.text(`${o.id}-notes`);
        if (achievable !== undefined || reasons.length > 0 || notes !== '')
          items[o.id] = { achievable, reasons, notes };
      }
      data = { respondent: respondentOf(r, section), items };
      break;
    }
    case 'impairment':
      data = {
        respondent: respondentOf(r, section),
        needsFromImpairmentOrIllness: r.yesNo(
          'needsFromImpairmentOrIllness',
          'whether the needs arise from an impairment or illness',
        ),
        notes: r.text('impairment-notes'),
      };
      break;
    case 'wellbeing': {
      const areas: Record<string, string> = {};
      for (const a of WELLBEING_AREAS) {
        const level = r.choice(
          `area-${a.id}`,
          WELLBEING_LEVELS.map((l) => l.id),
          a.label.toLowerCase(),
        );
        if (level) areas[a.id] = level;
      }
      data = {
        respondent: respondentOf(r, section),
        areas,
        significantImpact: r.yesNo('significantImpact', 'whether the impact is significant'),
        notes: r.text('wellbeing-notes'),
      };
      break;
    }
    case 'nhs': {
      const detained = r.yesNo('detained', 'detention under the Mental Health Act');
      const detentionSection = r.choice<MhaSection>(
        'detentionSection',
        MHA_SECTIONS,
        'the section they were detained under',
      );
      const discharged = r.yesNo('discharged', 'whether they have left hospital');
      data = {
        respondent: respondentOf(r, section),
        detained,
        // A section or discharge only means something for someone who was detained.
        detentionSection: detained ? detentionSection : undefined,
        discharged: detained ? discharged : undefined,
        continuingHealthcare: r.choice(
          'continuingHealthcare',
          CHC_STATUSES.map((c) => c.id),
          'NHS continuing healthcare',
        ),
        otherHealthNeeds: r.text('otherHealthNeeds'),
      };
      break;
    }
    case 'recovery': {
      const hasUnpaidCarer = r.yesNo('hasUnpaidCarer', 'whether they have an unpaid carer');
      const carerName = r.text('carerName', 200);
      const carerAssessment = r.choice(
        'carerAssessment',
        CARER_ASSESSMENT.map((c) => c.id),
        'a carer’s assessment',
      );
      data = {
        respondent: respondentOf(r, section),
        whatIsWorking: r.text('whatIsWorking'),
        strengths: r.text('strengths'),
        familyAndCommunitySupport: r.text('familyAndCommunitySupport'),
        goals: r.text('goals'),
        hasUnpaidCarer,
        carerName: hasUnpaidCarer ? carerName : '',
        carerAssessment: hasUnpaidCarer ? carerAssessment : undefined,
      };
      break;
    }
    case 'budget': {
      const answers: Record<string, string> = {};
      for (const q of questions) {
        const a = r.choice(
          `q-${q.id}`,
          q.answers.map((x) => x.id),
          `“${q.text}”`,
        );
        if (a) answers[q.id] = a;
      }
      data = { respondent: respondentOf(r, section), answers };
      break;
    }
  }
  const parsed = sectionSchemas[section].safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      r.errors.push({ field: issue.path.map(String).join('-') || section, message: issue.message });
  }
  if (parsed.success) {
    // Check what hangs together even when some answers were refused, so every problem on the
    // page is reported at once.
    r.errors.push(...sectionProblems(section, parsed.data, questions));
    if (r.errors.length === 0)
      return { ok: true, data: parsed.data as Sections[S], values: r.values };
  }
  return { ok: false, errors: dedupe(r.errors), values: r.values };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.field) ? false : (seen.add(e.field), true)));
}

const yn = (v: boolean | undefined) => (v === undefined ? '' : v ? 'yes' : 'no');

/** A saved section as the page's form values. */
export function sectionValues(section: SectionId, answers: Partial<Sections>): FormValues {
  const v: FormValues = {};
  switch (section) {
    case 'outcomes': {
      const d = answers.outcomes;
      v['outcomes-respondent'] = d?.respondent ?? '';
      for (const o of CARE_ACT_OUTCOMES) {
        const item = d?.items[o.id];
        v[`${o.id}-achievable`] = yn(item?.achievable);
        v[`${o.id}-reasons`] = item?.reasons ?? [];
        v[`${o.id}-notes`] = item?.notes ?? '';
      }
      break;
    }
    case 'impairment': {
      const d = answers.impairment;
      v['impairment-respondent'] = d?.respondent ?? '';
      v.needsFromImpairmentOrIllness = yn(d?.needsFromImpairmentOrIllness);
      v['impairment-notes'] = d?.notes ?? '';
      break;
    }
    case 'wellbeing': {
      const d = answers.wellbeing;
      v['wellbeing-respondent'] = d?.respondent ?? '';
      for (const a of WELLBEING_AREAS) v[`area-${a.id}`] = d?.areas[a.id] ?? '';
      v.significantImpact = yn(d?.significantImpact);
      v['wellbeing-notes'] = d?.notes ?? '';
      break;
    }
    case 'nhs': {
      const d = answers.nhs;
      v['nhs-respondent'] = d?.respondent ?? '';
      v.detained = yn(d?.detained);
      v.detentionSection = d?.detentionSection ?? '';
      v.discharged = yn(d?.discharged);
      v.continuingHealthcare = d?.continuingHealthcare ?? '';
      v.otherHealthNeeds = d?.otherHealthNeeds ?? '';
      break;
    }
    case 'recovery': {
      const d = answers.recovery;
      v['recovery-respondent'] = d?.respondent ?? '';
      v.whatIsWorking = d?.whatIsWorking ?? '';
      v.strengths = d?.strengths ?? '';
      v.familyAndCommunitySupport = d?.familyAndCommunitySupport ?? '';
      v.goals = d?.goals ?? '';
      v.hasUnpaidCarer = yn(d?.hasUnpaidCarer);
      v.carerName = d?.carerName ?? '';
      v.carerAssessment = d?.carerAssessment ?? '';
      break;
    }
    case 'budget': {
      const d = answers.budget;
      v['budget-respondent'] = d?.respondent ?? '';
      for (const [q, a] of Object.entries(d?.answers ?? {})) v[`q-${q}`] = a;
      break;
    }
  }
  return v;
}
