// SQL for what hangs off a person: representatives, care team, consents and break-glass events,
// the facts the access rule needs, and the lists the forms offer (coordinators, teams, staff).
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { isConsentCurrent, type RelationshipFacts } from './rules.js';

export const REPRESENTATIVE_KINDS = [
  'representative',
  'nominee',
  'attorney',
  'deputy',
  'advocate',
] as const;
export type RepresentativeKind = (typeof REPRESENTATIVE_KINDS)[number];
export const CONSENT_SCOPES = ['full_record', 'assessment_and_planning', 'finance_only'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];
export const CONSENT_METHODS = ['verbal', 'written', 'electronic', 'by_representative'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export interface Representative {
  id: string;
  name: string;
  relationship: string;
  kind: RepresentativeKind;
  phone: string | null;
  email: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

export async function representativesOf(tx: Tx, personId: string): Promise<Representative[]> {
  const rows = await tx
    .selectFrom('person_representatives')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('ended_at', (o) => o.nullsFirst())
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    relationship: r.relationship,
    kind: r.kind,
    phone: r.phone,
    email: r.email,
    createdAt: r.created_at,
    endedAt: r.ended_at,
  }));
}

export interface NewRepresentative {
  name: string;
  relationship: string;
  kind: RepresentativeKind;
  phone: string | null;
  email: string | null;
}

export async function addRepresentative(
  tx: Tx,
  partnershipId: string,
  personId: string,
  rep: NewRepresentative,
): Promise<string> {
  const row = await tx
    .insertInto('person_representatives')
    .values({ partnership_id: partnershipId, person_id: personId, ...rep })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function endRepresentative(
  tx: Tx,
  personId: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const r = await tx
    .updateTable('person_representatives')
    .set({ ended_at: now })
    .where('id', '=', id)
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export interface CareTeamMember {
  userId: string;
  fullName: string;
  email: string;
  roleOnTeam: string;
  addedAt: Date;
}

export async function careTeamOf(tx: Tx, personId: string): Promise<CareTeamMember[]> {
  const rows = await tx
    .selectFrom('care_team_members as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select(['c.user_id', 'u.full_name', 'u.email', 'c.role_on_team', 'c.added_at'])
    .where('c.person_id', '=', personId)
    .orderBy('u.full_name')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    fullName: r.full_name,
    email: r.email,
    roleOnTeam: r.role_on_team,
    addedAt: r.added_at,
  }));
}

export async function addCareTeamMember(
  tx: Tx,
  partnershipId: string,
  personId: string,
  userId: string,
  roleOnTeam: string,
  addedBy: string | null,
): Promise<void> {
  await tx
    .insertInto('care_team_members')
    .values({
      partnership_id: partnershipId,
      person_id: personId,
      user_id: userId,
      role_on_team: roleOnTeam,
      added_by: addedBy,
    })
    .onConflict((oc) =>
      oc.columns(['person_id', 'user_id']).doUpdateSet({ role_on_team: roleOnTeam }),
    )
    .execute();
}

export async function removeCareTeamMember(tx: Tx, personId: string, userId: string) {
  const r = await tx
    .deleteFrom('care_team_members')
    .where('person_id', '=', personId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export interface Consent {
  id: string;
  scope: ConsentScope;
  givenOn: string;
  howGiven: ConsentMethod;
  givenBy: string;
  notes: string | null;
  recordedByName: string | null;
  recordedAt: Date;
  withdrawnOn: string | null;
  withdrawalReason: string | null;
}

export async function consentsOf(tx: Tx, personId: string): Promise<Consent[]> {
  const rows = await tx
    .selectFrom('consents as c')
    .leftJoin('users as u', 'u.id', 'c.recorded_by')
    .selectAll('c')
    .select('u.full_name as recorded_by_name')
    .where('c.person_id', '=', personId)
    .orderBy('c.given_on', 'desc')
    .orderBy('c.recorded_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    scope: r.scope,
    givenOn: r.given_on,
    howGiven: r.how_given,
    givenBy: r.given_by,
    notes: r.notes,
    recordedByName: r.recorded_by_name,
    recordedAt: r.recorded_at,
    withdrawnOn: r.withdrawn_on,
    withdrawalReason: r.withdrawal_reason,
  }));
}

export interface NewConsent {
  scope: ConsentScope;
  givenOn: string;
  howGiven: ConsentMethod;
  givenBy: string;
  notes: string | null;
}

export async function recordConsent(
  tx: Tx,
  partnershipId: string,
  personId: string,
  consent: NewConsent,
  recordedBy: string,
): Promise<string> {
  const row = await tx
    .insertInto('consents')
    .values({
      partnership_id: partnershipId,
      person_id: personId,
      scope: consent.scope,
      given_on: consent.givenOn,
      how_given: consent.howGiven,
      given_by: consent.givenBy,
      notes: consent.notes,
      recorded_by: recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function withdrawConsent(
  tx: Tx,
  personId: string,
  consentId: string,
  withdrawnOn: string,
  reason: string,
  recordedBy: string,
): Promise<boolean> {
  const r = await tx
    .updateTable('consents')
    .set({
      withdrawn_on: withdrawnOn,
      withdrawal_reason: reason,
      withdrawn_recorded_by: recordedBy,
    })
    .where('id', '=', consentId)
    .where('person_id', '=', personId)
    .where('withdrawn_on', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function recordBreakGlass(
  tx: Tx,
  partnershipId: string,
  personId: string,
  userId: string,
  reason: string,
  expiresAt: Date,
): Promise<string> {
  const row = await tx
    .insertInto('break_glass_events')
    .values({
      partnership_id: partnershipId,
      person_id: personId,
      user_id: userId,
      reason,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The relationship facts of one user to several people at once (for search results too). */
export async function relationshipsOf(
  tx: Tx,
  userId: string,
  personIds: readonly string[],
  now: Date,
  today: string,
): Promise<Map<string, RelationshipFacts>> {
  const facts = new Map<string, RelationshipFacts>(
    personIds.map((id) => [
      id,
      { onCareTeam: false, currentBreakGlass: false, currentConsent: false },
    ]),
  );
  if (personIds.length === 0) return facts;
  const ids = [...personIds];
  const care = await tx
    .selectFrom('care_team_members')
    .select('person_id')
    .where('user_id', '=', userId)
    .where('person_id', 'in', ids)
    .execute();
  for (const r of care) {
    const f = facts.get(r.person_id);
    if (f) f.onCareTeam = true;
  }
  const glass = await tx
    .selectFrom('break_glass_events')
    .select('person_id')
    .where('user_id', '=', userId)
    .where('person_id', 'in', ids)
    .where('expires_at', '>', now)
    .execute();
  for (const r of glass) {
    const f = facts.get(r.person_id);
    if (f) f.currentBreakGlass = true;
  }
  const consents = await tx
    .selectFrom('consents')
    .select(['person_id', 'given_on', 'withdrawn_on'])
    .where('person_id', 'in', ids)
    .execute();
  for (const r of consents) {
    const f = facts.get(r.person_id);
    if (f && isConsentCurrent({ givenOn: r.given_on, withdrawnOn: r.withdrawn_on }, today))
      f.currentConsent = true;
  }
  return facts;
}

export interface Option {
  value: string;
  text: string;
}

/** Users holding a role in this partnership (for coordinator and care-team choices). */
export async function staffWithRoles(tx: Tx, roles: readonly string[]): Promise<Option[]> {
  const rows = await tx
    .selectFrom('users as u')
    .select(['u.id', 'u.full_name', 'u.email'])
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_grants as g')
          .select(sql`1`.as('one'))
          .whereRef('g.user_id', '=', 'u.id')
          .where('g.role', 'in', [...roles])
          .where('g.revoked_at', 'is', null),
      ),
    )
    .orderBy('u.full_name')
    .execute();
  return rows.map((r) => ({ value: r.id, text: `${r.full_name} (${r.email})` }));
}

export async function teamOptions(tx: Tx): Promise<Option[]> {
  const rows = await tx.selectFrom('teams').select(['id', 'name']).orderBy('name').execute();
  return rows.map((r) => ({ value: r.id, text: r.name }));
}
