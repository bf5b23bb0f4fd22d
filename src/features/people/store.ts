// SQL for people: find, search, create and update. Every function takes the caller's transaction
// (from inPartnership), so row-level security keeps each partnership to its own rows.
import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { PeopleTable } from '../../platform/db/schema.js';
import type { OrganisationKind } from '../../platform/auth/roles.js';
import { Conflict } from '../../platform/http/errors.js';
import type { PersonInput } from './schema.js';
import type { SearchTerms } from './rules.js';

export interface PersonRecord {
  id: string;
  givenName: string;
  familyName: string;
  preferredName: string | null;
  dateOfBirth: string;
  nhsNumber: string | null;
  councilPersonId: string | null;
  externalId: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  town: string | null;
  postcode: string | null;
  phone: string | null;
  email: string | null;
  communicationNeeds: string | null;
  primarySupportReason: string;
  s117Section: string | null;
  s117DischargeDate: string | null;
  careCoordinatorId: string | null;
  teamId: string | null;
  leadOrganisationId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The person fields a form or API may set, in database column names. */
export const PERSON_FIELDS: Record<keyof PersonInput, keyof PeopleTable> = {
  givenName: 'given_name',
  familyName: 'family_name',
  preferredName: 'preferred_name',
  dateOfBirth: 'date_of_birth',
  nhsNumber: 'nhs_number',
  councilPersonId: 'council_person_id',
  externalId: 'external_id',
  addressLine1: 'address_line1',
  addressLine2: 'address_line2',
  town: 'town',
  postcode: 'postcode',
  phone: 'phone',
  email: 'email',
  communicationNeeds: 'communication_needs',
  primarySupportReason: 'primary_support_reason',
  s117Section: 's117_section',
  s117DischargeDate: 's117_discharge_date',
  careCoordinatorId: 'care_coordinator_id',
  teamId: 'team_id',
};

export function toRecord(r: Selectable<PeopleTable>): PersonRecord {
  return {
    id: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    preferredName: r.preferred_name,
    dateOfBirth: r.date_of_birth,
    nhsNumber: r.nhs_number,
    councilPersonId: r.council_person_id,
    externalId: r.external_id,
    addressLine1: r.address_line1,
    addressLine2: r.address_line2,
    town: r.town,
    postcode: r.postcode,
    phone: r.phone,
    email: r.email,
    communicationNeeds: r.communication_needs,
    primarySupportReason: r.primary_support_reason,
    s117Section: r.s117_section,
    s117DischargeDate: r.s117_discharge_date,
    careCoordinatorId: r.care_coordinator_id,
    teamId: r.team_id,
    leadOrganisationId: r.lead_organisation_id,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toColumns(input: PersonInput) {
  return {
    given_name: input.givenName,
    family_name: input.familyName,
    preferred_name: input.preferredName,
    date_of_birth: input.dateOfBirth,
    nhs_number: input.nhsNumber,
    council_person_id: input.councilPersonId,
    external_id: input.externalId,
    address_line1: input.addressLine1,
    address_line2: input.addressLine2,
    town: input.town,
    postcode: input.postcode,
    phone: input.phone,
    email: input.email,
    communication_needs: input.communicationNeeds,
    primary_support_reason: input.primarySupportReason,
    s117_section: input.s117Section,
    s117_discharge_date: input.s117DischargeDate,
    care_coordinator_id: input.careCoordinatorId,
    team_id: input.teamId,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

export async function findPerson(tx: Tx, id: string): Promise<PersonRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await tx.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function organisationKindOf(
  tx: Tx,
  organisationId: string | null,
): Promise<OrganisationKind | null> {
  if (!organisationId) return null;
  const row = await tx
    .selectFrom('organisations')
    .select('kind')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return row?.kind ?? null;
}

/** Who already holds an identifier that must be unique in the partnership. */
export async function findClash(
  tx: Tx,
  input: Pick<PersonInput, 'nhsNumber' | 'councilPersonId' | 'externalId'>,
  exceptId?: string,
): Promise<{ field: 'nhsNumber' | 'councilPersonId' | 'externalId'; id: string } | undefined> {
  const checks = [
    ['nhsNumber', 'nhs_number', input.nhsNumber],
    ['councilPersonId', 'council_person_id', input.councilPersonId],
    ['externalId', 'external_id', input.externalId],
  ] as const;
  for (const [field, column, value] of checks) {
    if (value === null) continue;
    let q = tx.selectFrom('people').select('id').where(column, '=', value);
    if (exceptId) q = q.where('id', '!=', exceptId);
    const row = await q.executeTakeFirst();
    if (row) return { field, id: row.id };
  }
  return undefined;
}

const CLASH_MESSAGES = {
  nhsNumber: 'A person with this NHS number is already recorded',
  councilPersonId: 'A person with this council person ID is already recorded',
  externalId: 'A person with this external ID is already recorded',
} as const;

/** A Conflict for a clashing identifier, linking to the record that holds it. */
export function clashConflict(clash: {
  field: keyof typeof CLASH_MESSAGES;
  id: string;
}): Conflict & { field: string } {
  return Object.assign(new Conflict(CLASH_MESSAGES[clash.field], `/people/${clash.id}`), {
    field: clash.field,
  });
}

/** The database refused a duplicate (two people added at once): the caller looks again. */
export class UniqueViolation extends Error {}

function rethrowUnique(error: unknown): never {
  const code = (error as { code?: unknown }).code;
  if (code === '23505') throw new UniqueViolation('duplicate identifier');
  throw error;
}

export async function insertPerson(
  tx: Tx,
  partnershipId: string,
  input: PersonInput,
  leadOrganisationId: string | null,
): Promise<PersonRecord> {
  const clash = await findClash(tx, input);
  if (clash) throw clashConflict(clash);
  try {
    const row = await tx
      .insertInto('people')
      .values({
        partnership_id: partnershipId,
        lead_organisation_id: leadOrganisationId,
        ...toColumns(input),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  } catch (error) {
    rethrowUnique(error);
  }
}

export const STALE_MESSAGE = 'Someone else changed this record while you were editing it';

/** Update with an optimistic version check: a stale version is a Conflict. */
export async function updatePerson(
  tx: Tx,
  id: string,
  input: PersonInput,
  expectedVersion: number | undefined,
  now: Date,
): Promise<PersonRecord> {
  const clash = await findClash(tx, input, id);
  if (clash) throw clashConflict(clash);
  let q = tx
    .updateTable('people')
    .set({ ...toColumns(input), version: sql<number>`version + 1`, updated_at: now })
    .where('id', '=', id);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  try {
    const row = await q.returningAll().executeTakeFirst();
    if (!row) throw new Conflict(STALE_MESSAGE, `/people/${id}`);
    return toRecord(row);
  } catch (error) {
    if (error instanceof Conflict) throw error;
    rethrowUnique(error);
  }
}

/** Which fields differ between a record and new input (names only, never values). */
export function changedFields(before: PersonRecord, input: PersonInput): string[] {
  return (Object.keys(PERSON_FIELDS) as (keyof PersonInput)[]).filter(
    (k) => (before[k] ?? null) !== (input[k] ?? null),
  );
}

export interface PersonSearch {
  name?: string | undefined;
  dateOfBirth?: string | undefined;
  nhsNumber?: string | undefined;
  councilPersonId?: string | undefined;
}

export interface PersonSummary {
  id: string;
  givenName: string;
  familyName: string;
  preferredName: string | null;
  dateOfBirth: string;
  nhsNumber: string | null;
  postcode: string | null;
  teamId: string | null;
  teamName: string | null;
  careCoordinatorId: string | null;
  careCoordinatorName: string | null;
  leadOrganisationKind: OrganisationKind | null;
}

function summaryQuery(tx: Tx) {
  return tx
    .selectFrom('people as p')
    .leftJoin('teams as t', 't.id', 'p.team_id')
    .leftJoin('users as u', 'u.id', 'p.care_coordinator_id')
    .leftJoin('organisations as o', 'o.id', 'p.lead_organisation_id')
    .select([
      'p.id',
      'p.given_name',
      'p.family_name',
      'p.preferred_name',
      'p.date_of_birth',
      'p.nhs_number',
      'p.postcode',
      'p.team_id',
      't.name as team_name',
      'p.care_coordinator_id',
      'u.full_name as coordinator_name',
      'o.kind as lead_kind',
    ])
    .orderBy('p.family_name_key')
    .orderBy('p.given_name_key')
    .orderBy('p.date_of_birth')
    .orderBy('p.id');
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['execute']>>[number];
const toSummary = (r: SummaryRow): PersonSummary => ({
  id: r.id,
  givenName: r.given_name,
  familyName: r.family_name,
  preferredName: r.preferred_name,
  dateOfBirth: r.date_of_birth,
  nhsNumber: r.nhs_number,
  postcode: r.postcode,
  teamId: r.team_id,
  teamName: r.team_name,
  careCoordinatorId: r.care_coordinator_id,
  careCoordinatorName: r.coordinator_name,
  leadOrganisationKind: r.lead_kind,
});

/** Search by any mix of name words, date of birth, NHS number and council person ID. */
/** The highest code point: `key >= w AND key < w || MAX` is "key starts with w" as a range. */
const MAX_CHAR = '\u{10FFFF}';

/**
 * Search by name, date of birth, NHS number or council person id.
 *
 * Names are searched on the lower-cased "C"-collated keys (migration 0002) with ranges, never
 * `lower() LIKE`: under row-level security only leakproof comparisons can use an index, and a
 * range on a C-collated column is one. Each way a name can match (family name first, given name
 * first) is its own index range with a LIMIT; the hits are merged and the page is read by id.
 */
export async function searchPeople(
  tx: Tx,
  search: PersonSearch,
  terms: SearchTerms,
  limit: number,
): Promise<{ people: PersonSummary[]; more: boolean }> {
  type KeyCol = 'p.family_name_key' | 'p.given_name_key';
  const branch = (ranges: [KeyCol, string][]) => {
    let q = tx
      .selectFrom('people as p')
      .select(['p.id', 'p.family_name_key', 'p.given_name_key', 'p.date_of_birth']);
    for (const [col, word] of ranges) q = q.where(col, '>=', word).where(col, '<', word + MAX_CHAR);
    if (terms.kind === 'nhsNumber') q = q.where('p.nhs_number', '=', terms.value);
    if (search.dateOfBirth) q = q.where('p.date_of_birth', '=', search.dateOfBirth);
    if (search.nhsNumber) q = q.where('p.nhs_number', '=', search.nhsNumber);
    if (search.councilPersonId)
      q = q.where(
        sql<boolean>`lower(p.council_person_id) = ${search.councilPersonId.toLowerCase()}`,
      );
    return q
      .orderBy('p.family_name_key')
      .orderBy('p.given_name_key')
      .orderBy('p.date_of_birth')
      .orderBy('p.id')
      .limit(limit + 1)
      .execute();
  };
  const [first, ...rest] = terms.kind === 'name' ? terms.words.map((w) => w.toLowerCase()) : [];
  const last = rest.at(-1);
  let branches: [KeyCol, string][][] = [[]];
  if (first !== undefined && last === undefined) {
    branches = [[['p.family_name_key', first]], [['p.given_name_key', first]]];
  } else if (first !== undefined && last !== undefined) {
    branches = [
      [
        ['p.given_name_key', first],
        ['p.family_name_key', last],
      ],
      [
        ['p.family_name_key', first],
        ['p.given_name_key', last],
      ],
    ];
  }
  const hits = new Map<string, { id: string; f: string; g: string; d: string }>();
  for (const rows of await Promise.all(branches.map(branch))) {
    for (const r of rows)
      hits.set(r.id, { id: r.id, f: r.family_name_key, g: r.given_name_key, d: r.date_of_birth });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const ordered = [...hits.values()].sort(
    (a, b) => cmp(a.f, b.f) || cmp(a.g, b.g) || cmp(a.d, b.d) || cmp(a.id, b.id),
  );
  const page = ordered.slice(0, limit).map((h) => h.id);
  if (page.length === 0) return { people: [], more: false };
  const rows = await summaryQuery(tx).where('p.id', 'in', page).execute();
  return { people: rows.map(toSummary), more: ordered.length > limit };
}

export async function caseloadOf(tx: Tx, coordinatorId: string): Promise<PersonSummary[]> {
  const rows = await summaryQuery(tx).where('p.care_coordinator_id', '=', coordinatorId).execute();
  return rows.map(toSummary);
}

export async function peopleInTeams(
  tx: Tx,
  teamIds: readonly string[],
  limit: number,
): Promise<PersonSummary[]> {
  if (teamIds.length === 0) return [];
  const rows = await summaryQuery(tx)
    .where('p.team_id', 'in', [...teamIds])
    .limit(limit)
    .execute();
  return rows.map(toSummary);
}

export async function summaryOf(tx: Tx, id: string): Promise<PersonSummary | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await summaryQuery(tx).where('p.id', '=', id).executeTakeFirst();
  return row ? toSummary(row) : undefined;
}
