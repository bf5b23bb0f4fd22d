// Importing people from CSV: the pure parts. Which columns a file may have, how a row becomes
// the input the shared person schema checks, dates typed the British way, and messages in
// plain English that say which line and what to fix.
import { civilDateFromParts, type CivilDate } from '../../platform/dates.js';
import {
  PRIMARY_SUPPORT_REASONS,
  personInputSchema,
  type PersonInput,
  type PersonInputRaw,
} from '../people/schema.js';

/** CSV column → field of the person schema. `team` is a team's name, looked up separately. */
export const PERSON_COLUMNS = {
  external_id: 'externalId',
  given_name: 'givenName',
  family_name: 'familyName',
  preferred_name: 'preferredName',
  date_of_birth: 'dateOfBirth',
  nhs_number: 'nhsNumber',
  council_person_id: 'councilPersonId',
  address_line1: 'addressLine1',
  address_line2: 'addressLine2',
  town: 'town',
  postcode: 'postcode',
  phone: 'phone',
  email: 'email',
  communication_needs: 'communicationNeeds',
  primary_support_reason: 'primarySupportReason',
  s117_section: 's117Section',
  s117_discharge_date: 's117DischargeDate',
  team: 'teamId',
} as const satisfies Record<string, keyof PersonInputRaw>;

export type PersonColumn = keyof typeof PERSON_COLUMNS;
type Field = (typeof PERSON_COLUMNS)[PersonColumn];

/** Without these no row could be a person, so a file missing one is refused before anything. */
export const REQUIRED_COLUMNS: readonly PersonColumn[] = [
  'external_id',
  'given_name',
  'family_name',
  'date_of_birth',
];

const isPersonColumn = (name: string): name is PersonColumn => Object.hasOwn(PERSON_COLUMNS, name);
const columnOfField = new Map<string, PersonColumn>(
  Object.entries(PERSON_COLUMNS).map(([column, field]) => [field, column as PersonColumn]),
);

export type HeaderCheck =
  | { ok: true; columns: (PersonColumn | null)[]; present: PersonColumn[]; unknown: string[] }
  | { ok: false; message: string };

/** Read the header row: known columns in order (null for unknown ones), or why we must stop. */
export function checkHeader(header: readonly string[]): HeaderCheck {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) {
    const list = missing.join(', ');
    return {
      ok: false,
      message:
        `The file has no ${list} column${missing.length > 1 ? 's' : ''}, so nothing was imported. ` +
        `The first line must be a header row naming the columns, with at least: ${REQUIRED_COLUMNS.join(', ')}.`,
    };
  }
  const repeated = names.filter((n, i) => n !== '' && names.indexOf(n) !== i);
  if (repeated.length)
    return {
      ok: false,
      message: `The header row has the column ${repeated[0] ?? ''} more than once, so nothing was imported. Name each column once.`,
    };
  const columns = names.map((n) => (isPersonColumn(n) ? n : null));
  return {
    ok: true,
    columns,
    present: columns.filter((c): c is PersonColumn => c !== null),
    unknown: header.filter((_, i) => columns[i] === null).map((h) => h.trim()),
  };
}

/** Dates as YYYY-MM-DD, or DD/MM/YYYY as typed in England. Anything else is left for the schema to refuse. */
export function parseImportDate(value: string): string {
  const v = value.trim();
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (uk) return civilDateFromParts(uk[1] ?? '', uk[2] ?? '', uk[3] ?? '') ?? v;
  return v;
}

/** "s3", "Section 37" and "45a" are read as the section numbers the schema knows. */
export function parseSection(value: string): string {
  return value
    .trim()
    .replace(/^(section|s)\s*/i, '')
    .toUpperCase();
}

/** Primary support reason matched without regard to case; unknown text is kept for the schema to refuse. */
export function parseSupportReason(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return PRIMARY_SUPPORT_REASONS.find((r) => r.toLowerCase() === v.toLowerCase()) ?? v;
}

export interface Team {
  id: string;
  organisationId: string;
}

export type ImportedPerson = PersonInput & {
  externalId: string;
  leadOrganisationId: string | null;
};

export type RowResult = { ok: true; person: ImportedPerson } | { ok: false; reasons: string[] };

/** What to do about a field, for messages where the form's wording would not fit a file. */
const FILE_HINTS: Partial<Record<Field, string>> = {
  primarySupportReason: `use one of the Client Level Data values, like "Mental Health Support"`,
  s117Section: 'use 3, 37, 45A, 47 or 48, or leave it empty',
  dateOfBirth: 'write dates as YYYY-MM-DD or DD/MM/YYYY',
  s117DischargeDate: 'write dates as YYYY-MM-DD or DD/MM/YYYY',
};

/**
 * One data row → a checked person, or every reason it cannot be imported. `fields` are the
 * row's values in header order; `teams` is keyed by lower-case team name.
 */
export function rowToPerson(
  fields: readonly string[],
  columns: readonly (PersonColumn | null)[],
  today: CivilDate,
  teams: ReadonlyMap<string, Team>,
): RowResult {
  if (fields.length !== columns.length)
    return {
      ok: false,
      reasons: [
        `it has ${String(fields.length)} value${fields.length === 1 ? '' : 's'} but the header has ${String(columns.length)} columns (check for a missing or extra comma)`,
      ],
    };
  const garbled = columns.filter((c, i) => (fields[i] ?? '').includes('\uFFFD'));
  if (garbled.length)
    return {
      ok: false,
      reasons: [
        `the text in ${garbled.map((c) => c ?? 'an unknown column').join(', ')} is not valid UTF-8. Save the file as "CSV UTF-8" and import it again`,
      ],
    };

  const raw: Record<string, string | undefined> = {};
  let team: Team | null = null;
  const reasons: string[] = [];
  for (const [i, column] of columns.entries()) {
    const value = fields[i] ?? '';
    switch (column) {
      case null:
        continue;
      case 'date_of_birth':
      case 's117_discharge_date':
        raw[PERSON_COLUMNS[column]] = parseImportDate(value);
        continue;
      case 's117_section':
        raw.s117Section = parseSection(value);
        continue;
      case 'primary_support_reason':
        raw.primarySupportReason = parseSupportReason(value);
        continue;
      case 'team': {
        const name = value.trim();
        if (name === '') continue;
        const found = teams.get(name.toLowerCase());
        if (found) {
          team = found;
          raw.teamId = found.id;
        } else reasons.push(`team: there is no team called "${name}" in this partnership`);
        continue;
      }
      case 'external_id':
      case 'given_name':
      case 'family_name':
      case 'preferred_name':
      case 'nhs_number':
      case 'council_person_id':
      case 'address_line1':
      case 'address_line2':
      case 'town':
      case 'postcode':
      case 'phone':
      case 'email':
      case 'communication_needs':
        raw[PERSON_COLUMNS[column]] = value;
    }
  }
  if ((raw.externalId ?? '').trim() === '')
    reasons.push('external_id: enter the ID this person has in your system');

  const parsed = personInputSchema(today).safeParse(raw);
  if (!parsed.success) {
    const reported = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const column = columnOfField.get(field) ?? field;
      // One reason a column: the first is the one to fix (a date that is not real is not "in the future" too).
      if (reported.has(column)) continue;
      reported.add(column);
      const hint = FILE_HINTS[field as Field];
      reasons.push(`${column}: ${issue.message}${hint ? ` (${hint})` : ''}`);
    }
  }
  if (reasons.length || !parsed.success) return { ok: false, reasons };
  const chosen: Team | null = team;
  return {
    ok: true,
    person: {
      ...parsed.data,
      externalId: parsed.data.externalId ?? '',
      leadOrganisationId: chosen?.organisationId ?? null,
    },
  };
}

/**
 * The physical line a record starts on. csv-parse reports the line a record ends on and its raw
 * text (which may begin with skipped blank lines and end with the line break).
 */
export function recordStartLine(endLine: number, raw: string): number {
  const body = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
  let breaks = 0;
  for (const ch of body) if (ch === '\n') breaks++;
  return endLine - breaks;
}

export interface RowProblem {
  line: number;
  reasons: string[];
}

export function formatProblem(p: RowProblem): string {
  return `Line ${String(p.line)}: ${p.reasons.join('; ')}`;
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

const n = (x: number) => x.toLocaleString('en-GB');

export function formatSummary(c: ImportCounts): string {
  const rows = c.created + c.updated + c.unchanged + c.rejected;
  return (
    `${n(rows)} row${rows === 1 ? '' : 's'}: ${n(c.created)} created, ${n(c.updated)} updated, ` +
    `${n(c.unchanged)} unchanged, ${n(c.rejected)} rejected`
  );
}

/** 0 all good, 1 some rows rejected (the rest imported). Fatal errors exit 2 elsewhere. */
export function exitCodeFor(c: ImportCounts): 0 | 1 {
  return c.rejected > 0 ? 1 : 0;
}
