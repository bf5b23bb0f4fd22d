// Test fixtures for budgets and payment runs (used by the *.int.test.ts files beside this one,
// never by the application): people with an approved plan stored as planning stores it, and
// their budgets made by the real createBudgetsForApprovedPlan.
import { inPartnership, type Db } from '../../platform/db/database.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { planDocumentSchema, type PlanDocument } from '../planning/index.js';
import { addDays, financialYearOf } from './rules.js';
import { createBudgetsForApprovedPlan, type ApprovedPlan, type CreatedBudgets } from './service.js';

/**
 * The clock for tests whose data is dated from the financial year's 1 April: a fixed day well
 * into the year, so that their days are in the past whatever day the tests run.
 */
export const NOW = new Date('2026-11-24T12:00:00Z');
export const now = (): Date => NOW;
export const today = todayInLondon(NOW);
export const year = financialYearOf(today);
export const yearStart = `${String(year)}-04-01` as CivilDate;
/** A day in that financial year, n days after it starts. */
export const day = (n: number): CivilDate => addDays(yearStart, n);
/** A civil date as statements write it: DD/MM/YYYY. */
export const ddmmyyyy = (d: string): string =>
  `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

export interface Fixture {
  partnershipId: string;
  teamId: string;
  trustId: string;
}

/** A weekly personal-assistant item on a stream. */
export function paItem(id: string, streamId: string, weeklyPence: number, name = 'Robin') {
  return {
    id,
    what: `Personal assistant ${id}`,
    category: 'personal_assistant' as const,
    provider: { kind: 'personal_assistant' as const, name },
    unitCostPence: weeklyPence,
    units: 1,
    frequency: 'weekly',
    streamId,
  };
}

/** A weekly item bought from a provider organisation on a stream. */
export function providerItem(id: string, streamId: string, weeklyPence: number, name: string) {
  return {
    id,
    what: `Support from ${name}`,
    category: 'agency_support' as const,
    provider: { kind: 'provider' as const, name },
    unitCostPence: weeklyPence,
    units: 1,
    frequency: 'weekly',
    streamId,
  };
}

/** A £20-a-week gym membership on the social care stream (a leisure item from a provider). */
export const GYM_ITEM = {
  id: 'gym',
  what: 'Gym membership',
  category: 'leisure' as const,
  provider: { kind: 'provider' as const, name: 'City Gym' },
  unitCostPence: 2_000,
  units: 1,
  frequency: 'weekly',
  streamId: 'social-care',
};

export function doc(input: {
  startsOn: string;
  streams: {
    id: string;
    name?: string;
    body: 'council' | 'nhs';
    holding: 'direct_payment' | 'managed' | 'third_party' | 'individual_service_fund' | 'mixed';
  }[];
  items: unknown[];
}): PlanDocument {
  return planDocumentSchema.parse({
    startsOn: input.startsOn,
    streams: input.streams.map((s) => ({ name: s.id, managedBy: 'person', ...s })),
    items: input.items,
  });
}

/** A person with an approved plan (stored directly, as planning stores an approved one). */
export async function personWithApprovedPlan(
  db: Db,
  f: Fixture,
  o: { familyName: string; document: PlanDocument; approvedOn?: string },
): Promise<{ person: { id: string; name: string }; plan: ApprovedPlan }> {
  const person = await db.system
    .insertInto('people')
    .values({
      partnership_id: f.partnershipId,
      given_name: 'Sam',
      family_name: o.familyName,
      date_of_birth: '1980-01-01',
      nhs_number: null,
      care_coordinator_id: null,
      team_id: f.teamId,
      lead_organisation_id: f.trustId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const approvedOn = o.approvedOn ?? o.document.startsOn ?? '2026-04-01';
  const plan = await db.system
    .insertInto('support_plans')
    .values({
      partnership_id: f.partnershipId,
      person_id: person.id,
      sequence: 1,
      status: 'approved',
      document: JSON.stringify(o.document),
      submitted_at: new Date(),
      approved_on: approvedOn,
      approved_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    person: { id: person.id, name: `Sam ${o.familyName}` },
    plan: { id: plan.id, personId: person.id, document: o.document, approvedOn },
  };
}

export async function makeBudgets(
  db: Db,
  partnershipId: string,
  x: { person: { id: string; name: string }; plan: ApprovedPlan },
): Promise<CreatedBudgets> {
  return inPartnership(db, partnershipId, (tx) =>
    createBudgetsForApprovedPlan(tx, {
      partnershipId,
      plan: x.plan,
      person: x.person,
      userId: null,
    }),
  );
}
