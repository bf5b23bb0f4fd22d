// The person form's round-trip: posted fields (dates as day/month/year) into the shared person
// schema, and a record back into the form's values.
import { z } from 'zod';
import { describeErrors, field, validateForm } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { isCivilDate, todayInLondon } from '../../platform/dates.js';
import { personInputSchema, PRIMARY_SUPPORT_REASONS, S117_SECTIONS } from './schema.js';
import type { PersonRecord } from './store.js';

export const DATE_FIELDS = ['dateOfBirth', 's117DischargeDate'] as const;
const TEXT_FIELDS = [
  'givenName',
  'familyName',
  'preferredName',
  'nhsNumber',
  'councilPersonId',
  'addressLine1',
  'addressLine2',
  'town',
  'postcode',
  'phone',
  'email',
  'communicationNeeds',
  'primarySupportReason',
  's117Section',
  'careCoordinatorId',
  'teamId',
] as const;

/** Day, month and year as typed; '' when all are empty; otherwise a string the schema checks. */
export function dateFromParts(body: unknown, name: string): string {
  const d = field(body, `${name}-day`);
  const m = field(body, `${name}-month`);
  const y = field(body, `${name}-year`);
  if (d === '' && m === '' && y === '') return '';
  if (d === '' || m === '' || y === '') return 'incomplete';
  return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

export type FormValues = Record<string, string>;

/** What was posted, kept as typed so the form can show it again. */
export function postedValues(body: unknown, extra: readonly string[] = []): FormValues {
  const values: FormValues = {};
  for (const f of [...TEXT_FIELDS, ...extra]) values[f] = field(body, f);
  for (const f of DATE_FIELDS)
    for (const part of ['day', 'month', 'year'])
      values[`${f}-${part}`] = field(body, `${f}-${part}`);
  return values;
}

/** Link date errors to the day box, as the NHS.UK date input pattern asks. */
export function withDateAnchors(errors: FieldError[], dateFields: readonly string[] = DATE_FIELDS) {
  const described = describeErrors(errors);
  return {
    ...described,
    errorList: described.errorList.map((e) =>
      dateFields.includes(e.href.slice(1)) ? { ...e, href: `${e.href}-day` } : e,
    ),
  };
}

/** Validate a posted person form against the one person schema. */
export function parsePersonForm(body: unknown, now: Date) {
  const raw: Record<string, string> = {};
  for (const f of TEXT_FIELDS) raw[f] = field(body, f);
  const dob = dateFromParts(body, 'dateOfBirth');
  raw.dateOfBirth = dob;
  raw.s117DischargeDate = dateFromParts(body, 's117DischargeDate');
  if (raw.primarySupportReason === '') delete raw.primarySupportReason;
  const result = validateForm(personInputSchema(todayInLondon(now)), raw);
  if (result.ok) return result;
  return { ok: false as const, ...withDateAnchors(result.errors) };
}

const parts = (d: string | null, name: string): FormValues => {
  const [y = '', m = '', day = ''] = d && isCivilDate(d) ? d.split('-') : [];
  return {
    [`${name}-day`]: day.replace(/^0/, ''),
    [`${name}-month`]: m.replace(/^0/, ''),
    [`${name}-year`]: y,
  };
};

/** A record as form values (for the edit page). */
export function recordValues(r: PersonRecord): FormValues {
  return {
    givenName: r.givenName,
    familyName: r.familyName,
    preferredName: r.preferredName ?? '',
    nhsNumber: r.nhsNumber ?? '',
    councilPersonId: r.councilPersonId ?? '',
    addressLine1: r.addressLine1 ?? '',
    addressLine2: r.addressLine2 ?? '',
    town: r.town ?? '',
    postcode: r.postcode ?? '',
    phone: r.phone ?? '',
    email: r.email ?? '',
    communicationNeeds: r.communicationNeeds ?? '',
    primarySupportReason: r.primarySupportReason,
    s117Section: r.s117Section ?? '',
    careCoordinatorId: r.careCoordinatorId ?? '',
    teamId: r.teamId ?? '',
    version: String(r.version),
    ...parts(r.dateOfBirth, 'dateOfBirth'),
    ...parts(r.s117DischargeDate, 's117DischargeDate'),
  };
}

export const supportReasonItems = PRIMARY_SUPPORT_REASONS.map((r) => ({ value: r, text: r }));
export const s117Items = [
  { value: '', text: 'Not detained / not known' },
  ...S117_SECTIONS.map((s) => ({ value: s, text: `Section ${s}` })),
];

/** The search form: any of name, date of birth, NHS number, council person ID. */
export const SearchForm = z.object({
  name: z.string().trim().max(200, 'Name must be 200 characters or fewer'),
  dateOfBirth: z
    .string()
    .refine((v) => v === '' || isCivilDate(v), 'Date of birth must be a real date'),
  nhsNumber: z
    .string()
    .transform((v) => v.replace(/[\s-]/g, ''))
    .refine((v) => v === '' || /^\d{10}$/.test(v), 'NHS number must be 10 digits'),
  councilPersonId: z.string().trim().max(40, 'Council person ID must be 40 characters or fewer'),
});

export function parseSearch(query: unknown) {
  const raw = {
    name: field(query, 'name'),
    dateOfBirth: dateFromParts(query, 'dateOfBirth'),
    nhsNumber: field(query, 'nhsNumber'),
    councilPersonId: field(query, 'councilPersonId'),
  };
  const values = {
    ...raw,
    'dateOfBirth-day': field(query, 'dateOfBirth-day'),
    'dateOfBirth-month': field(query, 'dateOfBirth-month'),
    'dateOfBirth-year': field(query, 'dateOfBirth-year'),
  };
  const empty = Object.values(raw).every((v) => v === '');
  const result = validateForm(SearchForm, raw);
  if (result.ok) return { ok: true as const, empty, data: result.data, values };
  return { ok: false as const, empty, values, ...withDateAnchors(result.errors) };
}

/** An address on one line, from whichever parts are recorded. */
export function addressOf(r: PersonRecord): string {
  return [r.addressLine1, r.addressLine2, r.town, r.postcode].filter((x) => x).join(', ');
}

export const SCOPE_LABELS: Record<string, string> = {
  full_record: 'The whole record',
  assessment_and_planning: 'Assessment and support planning',
  finance_only: 'Money and payments only',
};
export const METHOD_LABELS: Record<string, string> = {
  verbal: 'Spoken (verbal)',
  written: 'In writing',
  electronic: 'Electronically',
  by_representative: 'By their representative',
};
export const KIND_LABELS: Record<string, string> = {
  representative: 'Representative',
  nominee: 'Nominee (manages a direct payment)',
  attorney: 'Lasting power of attorney',
  deputy: 'Court of Protection deputy',
  advocate: 'Advocate',
};
export const BASIS_LABELS: Record<string, string> = {
  care_coordinator: 'You are their care coordinator',
  care_team: 'You are on their care team',
  team: 'They are in your team',
  break_glass: 'Emergency (break-glass) access',
  api_permission: 'API permission',
};
