// Posted support plan forms to plan document parts and back: outcomes, items, the money (streams),
// the crisis plan, the NHS risk-management procedure, and the over-budget justification with the
// start date. Each parser returns the part or the field errors with everything typed kept, so a
// page can be shown again with status 400. Pure: no I/O.
import { formatPounds, parsePounds, pence } from '../../platform/money.js';
import type { FieldError } from '../../platform/http/errors.js';
import type { PlanDocument } from './document.js';
import {
  AFFECTED,
  costItem,
  NHS_DP_RISK_KINDS,
  riskSchema,
  type Risk,
  HOLDING_OPTIONS,
  MONEY_MANAGERS,
  PLAN_ITEM_CATEGORIES,
  planItemSchema,
  planOutcomeSchema,
  riskManagementProcedureSchema,
  type PlanItem,
  type PlanOutcome,
  type PlanStream,
  type RiskManagementProcedure,
} from './rules.js';

export type FormValues = Record<string, string | string[]>;
export type Parsed<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; errors: FieldError[]; values: FormValues };

function str(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0].trim() : '';
  return typeof v === 'string' ? v.trim() : '';
}

function list(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const v = (body as Record<string, unknown>)[name];
  const all = Array.isArray(v) ? v : [v];
  return all.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
}

/** Lines of text (one name a line, or separated by commas) as a list. */
function names(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A short id for a new outcome, item or risk that is not already used. */
export function newId(prefix: string, taken: readonly string[]): string {
  for (let n = taken.length + 1; ; n++) {
    const id = `${prefix}-${String(n)}`;
    if (!taken.includes(id)) return id;
  }
}

// ---------------------------------------------------------------------------------------------
// Outcomes

export function outcomeValues(o: PlanOutcome | undefined): FormValues {
  return { text: o?.text ?? '', needIds: o?.needIds ?? [], note: o?.note ?? '' };
}

export function parseOutcome(body: unknown, id: string): Parsed<PlanOutcome> {
  const values: FormValues = {
    text: str(body, 'text'),
    needIds: list(body, 'needIds'),
    note: str(body, 'note'),
  };
  const r = planOutcomeSchema.safeParse({ id, ...values });
  if (r.success) return { ok: true, data: r.data, values };
  return { ok: false, values, errors: firstErrors(r.error.issues) };
}

function firstErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  rename: Record<string, string> = {},
): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const i of issues) {
    const raw = i.path.map(String).join('.') || 'form';
    const f = rename[raw] ?? rename[String(i.path[0])] ?? raw;
    if (seen.has(f)) continue;
    seen.add(f);
    out.push({ field: f, message: i.message });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Items

/** The unit cost as typed back from pence, without the pound sign, for the form. */
function poundsText(p: unknown): string {
  return typeof p === 'number' && Number.isSafeInteger(p) ? formatPounds(pence(p)).slice(1) : '';
}

export function itemValues(item: PlanItem | undefined): FormValues {
  const v: FormValues = {
    what: item?.what ?? '',
    details: item?.details ?? '',
    category: item?.category ?? '',
    providerKind: item?.provider.kind ?? '',
    providerName: item?.provider.name ?? '',
    closeRelative:
      item?.provider.kind === 'personal_assistant' && item.provider.closeRelativeInHousehold
        ? 'yes'
        : 'no',
    necessaryReason:
      item?.provider.kind === 'personal_assistant' ? item.provider.necessaryReason : '',
    unitCost: poundsText(item?.unitCostPence),
    units: item === undefined ? '' : String(item.units),
    frequency: typeof item?.frequency === 'string' ? item.frequency : '',
    streamId: item?.streamId ?? '',
    outcomeIds: item?.outcomeIds ?? [],
  };
  for (const [rule, reason] of Object.entries(item?.ruleReasons ?? {}))
    v[`reason-${rule}`] = reason;
  return v;
}

/**
 * Reads the item form. Refuses a unit cost that is not money, negative or absurd, units that
 * are not a positive number, a frequency that does not parse, no funding stream (or one not in
 * the plan), and anything else the item schema refuses.
 */
export function parseItem(
  body: unknown,
  id: string,
  plan: Pick<PlanDocument, 'streams' | 'outcomes'>,
): Parsed<PlanItem> {
  const values: FormValues = {
    what: str(body, 'what'),
    details: str(body, 'details'),
    category: str(body, 'category'),
    providerKind: str(body, 'providerKind'),
    providerName: str(body, 'providerName'),
    closeRelative: str(body, 'closeRelative') === 'yes' ? 'yes' : 'no',
    necessaryReason: str(body, 'necessaryReason'),
    unitCost: str(body, 'unitCost'),
    units: str(body, 'units'),
    frequency: str(body, 'frequency'),
    streamId: str(body, 'streamId'),
    outcomeIds: list(body, 'outcomeIds'),
  };
  const ruleReasons: Record<string, string> = {};
  if (typeof body === 'object' && body !== null) {
    for (const key of Object.keys(body)) {
      if (!key.startsWith('reason-')) continue;
      const text = str(body, key);
      values[key] = text;
      if (text !== '') ruleReasons[key.slice('reason-'.length)] = text;
    }
  }
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => {
    if (!errors.some((e) => e.field === field)) errors.push({ field, message });
  };
  if (values.what === '') add('what', 'Say what the money is for');
  if (!(PLAN_ITEM_CATEGORIES as readonly string[]).includes(values.category as string))
    add('category', 'Choose a category');
  if (values.providerKind !== 'provider' && values.providerKind !== 'personal_assistant')
    add('providerKind', 'Choose who provides it');
  else if (values.providerName === '')
    add(
      'providerName',
      values.providerKind === 'provider'
        ? 'Enter the name of the provider'
        : 'Enter the name of the personal assistant',
    );
  let unitCostPence: number | null = null;
  const money = parsePounds(values.unitCost as string);
  if (!money.ok)
    add(
      'unitCost',
      money.problem === 'empty' ? 'Enter the unit cost in pounds and pence' : money.message,
    );
  else unitCostPence = money.value;
  const costed = costItem({
    unitCostPence: unitCostPence ?? 0,
    units: values.units,
    frequency: values.frequency,
  });
  if (!costed.ok) for (const p of costed.problems) add(p.field, p.message);
  if (values.streamId === '') add('streamId', 'Choose which funding stream pays for it');
  else if (!plan.streams.some((s) => s.id === values.streamId))
    add('streamId', 'Choose one of the funding streams in this plan');
  const known = new Set(plan.outcomes.map((o) => o.id));
  const outcomeIds = (values.outcomeIds as string[]).filter((o) => known.has(o));
  const candidate = {
    id,
    what: values.what,
    details: values.details,
    category: values.category,
    provider:
      values.providerKind === 'personal_assistant'
        ? {
            kind: 'personal_assistant',
            name: values.providerName,
            closeRelativeInHousehold: values.closeRelative === 'yes',
            necessaryReason: values.necessaryReason,
          }
        : { kind: 'provider', name: values.providerName },
    unitCostPence,
    units: values.units,
    frequency: values.frequency,
    streamId: values.streamId === '' ? null : values.streamId,
    outcomeIds,
    ruleReasons,
  };
  const r = planItemSchema.safeParse(candidate);
  if (!r.success)
    for (const e of firstErrors(r.error.issues, {
      'provider.name': 'providerName',
      'provider.necessaryReason': 'necessaryReason',
      provider: 'providerKind',
      unitCostPence: 'unitCost',
    }))
      add(e.field, e.message);
  if (errors.length > 0 || !r.success) return { ok: false, errors, values };
  // Keep units as a number when typed as one, so the document reads naturally.
  const data: PlanItem = { ...r.data, units: Number(values.units) };
  return { ok: true, data, values };
}

// ---------------------------------------------------------------------------------------------
// The money: how each stream is held and who manages it

export function moneyValues(streams: readonly PlanStream[]): FormValues {
  const v: FormValues = {};
  for (const s of streams) {
    v[`holding-${s.id}`] = s.holding;
    v[`managedBy-${s.id}`] = s.managedBy ?? '';
  }
  return v;
}

export function parseMoney(body: unknown, streams: readonly PlanStream[]): Parsed<PlanStream[]> {
  const values: FormValues = {};
  const errors: FieldError[] = [];
  const data = streams.map((s) => {
    const holding = str(body, `holding-${s.id}`);
    const managedBy = str(body, `managedBy-${s.id}`);
    values[`holding-${s.id}`] = holding;
    values[`managedBy-${s.id}`] = managedBy;
    const okHolding = (HOLDING_OPTIONS as readonly string[]).includes(holding);
    if (!okHolding)
      errors.push({ field: `holding-${s.id}`, message: `Choose how the ${s.name} money is held` });
    const okManager = (MONEY_MANAGERS as readonly string[]).includes(managedBy);
    const paidToPerson = holding === 'direct_payment' || holding === 'mixed';
    if (paidToPerson && !okManager)
      errors.push({
        field: `managedBy-${s.id}`,
        message: `Choose who manages the ${s.name} money`,
      });
    return {
      ...s,
      holding: (okHolding ? holding : s.holding) as PlanStream['holding'],
      managedBy: okManager ? (managedBy as NonNullable<PlanStream['managedBy']>) : null,
    };
  });
  return errors.length > 0 ? { ok: false, errors, values } : { ok: true, data, values };
}

// ---------------------------------------------------------------------------------------------
// The crisis plan

export function crisisValues(c: PlanDocument['crisis']): FormValues {
  return {
    whoToCall: c.whoToCall,
    whatToDo: c.whatToDo,
    setAside: c.setAsidePence === 0 ? '' : poundsText(c.setAsidePence),
  };
}

export function parseCrisis(body: unknown): Parsed<PlanDocument['crisis']> {
  const values: FormValues = {
    whoToCall: str(body, 'whoToCall'),
    whatToDo: str(body, 'whatToDo'),
    setAside: str(body, 'setAside'),
  };
  const errors: FieldError[] = [];
  let setAsidePence = 0;
  if (values.setAside !== '') {
    const m = parsePounds(values.setAside as string);
    if (!m.ok) errors.push({ field: 'setAside', message: m.message });
    else if (m.value < 0)
      errors.push({ field: 'setAside', message: 'The money set aside must not be negative' });
    else if (m.value > 100_000_000)
      errors.push({ field: 'setAside', message: 'The money set aside must be £1,000,000 or less' });
    else setAsidePence = m.value;
  }
  if ((values.whoToCall as string).length > 2000)
    errors.push({ field: 'whoToCall', message: 'Who to call must be 2,000 characters or fewer' });
  if ((values.whatToDo as string).length > 5000)
    errors.push({ field: 'whatToDo', message: 'What to do must be 5,000 characters or fewer' });
  if (errors.length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    data: {
      whoToCall: values.whoToCall as string,
      whatToDo: values.whatToDo as string,
      setAsidePence,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The NHS risk-management procedure

export function procedureValues(p: RiskManagementProcedure | null): FormValues {
  return {
    procedure: p?.procedure ?? '',
    risksExplained: p?.risksExplained ? 'yes' : '',
    agreedWith: (p?.agreedWith ?? []).join('\n'),
    agreedOn: p?.agreedOn ?? '',
  };
}

export function parseProcedure(body: unknown): Parsed<RiskManagementProcedure> {
  const values: FormValues = {
    procedure: str(body, 'procedure'),
    risksExplained: str(body, 'risksExplained') === 'yes' ? 'yes' : '',
    agreedWith: str(body, 'agreedWith'),
    agreedOn: str(body, 'agreedOn'),
  };
  const r = riskManagementProcedureSchema.safeParse({
    procedure: values.procedure,
    risksExplained: values.risksExplained === 'yes',
    agreedWith: names(values.agreedWith as string),
    agreedOn: values.agreedOn,
  });
  const errors = r.success ? [] : firstErrors(r.error.issues);
  const dateError = errors.find((e) => e.field === 'agreedOn');
  if (dateError) dateError.message = 'Enter the date it was agreed, like 2026-11-23';
  if (!r.success || !validDate(values.agreedOn as string)) {
    if (!dateError && !validDate(values.agreedOn as string))
      errors.push({ field: 'agreedOn', message: 'Enter the date it was agreed, like 2026-11-23' });
    return { ok: false, errors, values };
  }
  return { ok: true, data: r.data, values };
}

// ---------------------------------------------------------------------------------------------
// The over-budget justification and the start date

export function budgetAndStartValues(doc: PlanDocument): FormValues {
  return { overBudgetJustification: doc.overBudgetJustification, startsOn: doc.startsOn ?? '' };
}

export function parseBudgetAndStart(
  body: unknown,
): Parsed<Pick<PlanDocument, 'overBudgetJustification' | 'startsOn'>> {
  const values: FormValues = {
    overBudgetJustification: str(body, 'overBudgetJustification'),
    startsOn: str(body, 'startsOn'),
  };
  const errors: FieldError[] = [];
  if ((values.overBudgetJustification as string).length > 5000)
    errors.push({
      field: 'overBudgetJustification',
      message: 'The justification must be 5,000 characters or fewer',
    });
  if (values.startsOn !== '' && !validDate(values.startsOn as string))
    errors.push({ field: 'startsOn', message: 'Enter the start date like 2026-12-01' });
  if (errors.length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    data: {
      overBudgetJustification: values.overBudgetJustification as string,
      startsOn: values.startsOn === '' ? null : (values.startsOn as string),
    },
  };
}

/**
 * Needs an outcome can meet: the Care Act eligibility outcomes (SI 2015/313 reg 2(2)) and health
 * needs a personal health budget meets, as ids the assessment also uses.
 */
export const NEEDS = [
  { id: 'nutrition', label: 'Getting enough to eat and drink' },
  { id: 'personal_hygiene', label: 'Keeping clean' },
  { id: 'toilet_needs', label: 'Using the toilet' },
  { id: 'clothing', label: 'Being dressed suitably' },
  { id: 'home_safety', label: 'Using the home safely' },
  { id: 'habitable_home', label: 'Keeping the home fit to live in' },
  { id: 'relationships', label: 'Keeping up relationships with family and friends' },
  { id: 'work_education_volunteering', label: 'Work, training, education or volunteering' },
  { id: 'community_services', label: 'Using services in the community' },
  { id: 'caring_for_a_child', label: 'Caring for a child' },
  { id: 'health', label: 'Mental or physical health (NHS)' },
] as const;

// ---------------------------------------------------------------------------------------------
// Risks, with the positive risk-taking decision

export const AFFECTED_LABELS: Record<(typeof AFFECTED)[number], string> = {
  the_person: 'The person',
  family_or_carers: 'Family or carers',
  personal_assistants_or_staff: 'Personal assistants or staff',
  other_people: 'Other people',
};
export const NHS_DP_RISK_KIND_LABELS: Record<(typeof NHS_DP_RISK_KINDS)[number], string> = {
  health: 'A risk to their health',
  from_the_service_bought: 'A risk from the service bought',
  employing_someone: 'A risk of employing someone',
  provider_without_complaints_procedure: 'A provider without a complaints procedure',
};

export function riskValues(r: Risk | undefined): FormValues {
  const prt = r?.positiveRiskTaking ?? null;
  return {
    risk: r?.risk ?? '',
    whatCouldHappen: r?.whatCouldHappen ?? '',
    likelihood: r?.likelihood ?? '',
    impact: r?.impact ?? '',
    whoIsAffected: r?.whoIsAffected ?? [],
    whoIsAffectedDetails: r?.whoIsAffectedDetails ?? '',
    nhsDirectPaymentKind: r?.nhsDirectPaymentKind ?? '',
    personsView: r?.personsView ?? '',
    agreedApproach: r?.agreedApproach ?? '',
    agreedBy: (r?.agreedBy ?? []).join('\n'),
    agreedOn: r?.agreedOn ?? '',
    positive: r === undefined ? '' : prt ? 'yes' : 'no',
    prtDecision: prt?.decision ?? '',
    prtBenefits: prt?.benefits ?? '',
    prtDecidedBy: (prt?.decidedBy ?? []).join('\n'),
    prtDecidedOn: prt?.decidedOn ?? '',
    prtRevisitOn: prt?.revisitOn ?? '',
  };
}

const RISK_FIELDS = [
  'risk',
  'whatCouldHappen',
  'likelihood',
  'impact',
  'whoIsAffectedDetails',
  'nhsDirectPaymentKind',
  'personsView',
  'agreedApproach',
  'agreedBy',
  'agreedOn',
  'positive',
  'prtDecision',
  'prtBenefits',
  'prtDecidedBy',
  'prtDecidedOn',
  'prtRevisitOn',
] as const;

export function parseRisk(body: unknown, id: string): Parsed<Risk> {
  const values: FormValues = { whoIsAffected: list(body, 'whoIsAffected') };
  for (const f of RISK_FIELDS) values[f] = str(body, f);
  const v = (f: (typeof RISK_FIELDS)[number]) => values[f] as string;
  const errors: FieldError[] = [];
  if (v('positive') !== 'yes' && v('positive') !== 'no')
    errors.push({
      field: 'positive',
      message: 'Say whether this is a positive risk-taking decision',
    });
  if (!validDate(v('agreedOn')))
    errors.push({
      field: 'agreedOn',
      message: 'Enter the date the approach was agreed, like 2026-11-23',
    });
  if (v('positive') === 'yes' && !validDate(v('prtDecidedOn')))
    errors.push({
      field: 'prtDecidedOn',
      message: 'Enter the date the decision was made, like 2026-11-23',
    });
  if (v('positive') === 'yes' && v('prtRevisitOn') !== '' && !validDate(v('prtRevisitOn')))
    errors.push({
      field: 'prtRevisitOn',
      message: 'Enter the date to look again, like 2027-05-01',
    });
  const r = riskSchema.safeParse({
    id,
    risk: v('risk'),
    whatCouldHappen: v('whatCouldHappen'),
    likelihood: v('likelihood'),
    impact: v('impact'),
    whoIsAffected: values.whoIsAffected,
    whoIsAffectedDetails: v('whoIsAffectedDetails'),
    nhsDirectPaymentKind: v('nhsDirectPaymentKind') === '' ? null : v('nhsDirectPaymentKind'),
    personsView: v('personsView'),
    agreedApproach: v('agreedApproach'),
    agreedBy: names(v('agreedBy')),
    agreedOn: v('agreedOn'),
    positiveRiskTaking:
      v('positive') === 'yes'
        ? {
            decision: v('prtDecision'),
            benefits: v('prtBenefits'),
            decidedBy: names(v('prtDecidedBy')),
            decidedOn: v('prtDecidedOn'),
            revisitOn: v('prtRevisitOn') === '' ? null : v('prtRevisitOn'),
          }
        : null,
  });
  if (!r.success)
    for (const e of firstErrors(r.error.issues, {
      'positiveRiskTaking.decision': 'prtDecision',
      'positiveRiskTaking.benefits': 'prtBenefits',
      'positiveRiskTaking.decidedBy': 'prtDecidedBy',
      'positiveRiskTaking.decidedOn': 'prtDecidedOn',
      'positiveRiskTaking.revisitOn': 'prtRevisitOn',
    }))
      if (!errors.some((x) => x.field === e.field)) errors.push(e);
  if (errors.length > 0 || !r.success) return { ok: false, errors, values };
  return { ok: true, data: r.data, values };
}
