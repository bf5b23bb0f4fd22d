// The people service: search, read, create and update a person, caseloads, and the forms' lists.
// Each call runs in one partnership transaction and writes its audit event there.
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { todayInLondon } from '../../platform/dates.js';
import { Forbidden, Invalid } from '../../platform/http/errors.js';
import { requirePeoplePages, userFacts, withPerson } from './access.js';
import { decideAccess, isConsentCurrent, mayWritePeople, parseNameQuery } from './rules.js';
import type { PersonInput } from './schema.js';
import {
  caseloadOf,
  changedFields,
  clashConflict,
  findClash,
  insertPerson,
  organisationKindOf,
  peopleInTeams,
  searchPeople,
  UniqueViolation,
  updatePerson,
  type PersonRecord,
  type PersonSearch,
  type PersonSummary,
} from './store.js';
import {
  addCareTeamMember,
  careTeamOf,
  consentsOf,
  relationshipsOf,
  representativesOf,
  staffWithRoles,
  teamOptions,
  type CareTeamMember,
  type Consent,
  type Option,
  type Representative,
} from './store-links.js';
import { createLinkMethods } from './service-links.js';

export interface PeopleServiceDeps {
  db: Db;
  now: () => Date;
  breakGlassHours: number;
}

export const SEARCH_LIMIT = 50;

export type ListedPerson = PersonSummary & { canOpen: boolean };

export interface PersonView {
  person: PersonRecord;
  basis: string;
  teamName: string | null;
  coordinatorName: string | null;
  leadOrganisationName: string | null;
  representatives: Representative[];
  careTeam: CareTeamMember[];
  consents: Consent[];
  currentConsent: Consent | undefined;
}

const identifierFields = ['nhsNumber', 'councilPersonId', 'externalId'] as const;

export function createPeopleService(deps: PeopleServiceDeps) {
  const { db, now } = deps;

  /** Mark which listed people the user may open. */
  async function markOpenable(
    tx: Tx,
    ctx: AuditContext,
    people: PersonSummary[],
  ): Promise<ListedPerson[]> {
    const p = ctx.principal;
    if (p.kind === 'api_client') return people.map((x) => ({ ...x, canOpen: true }));
    const at = now();
    const rel = await relationshipsOf(
      tx,
      p.userId,
      people.map((x) => x.id),
      at,
      todayInLondon(at),
    );
    return people.map((x) => ({
      ...x,
      canOpen: decideAccess(
        userFacts(p),
        {
          careCoordinatorId: x.careCoordinatorId,
          teamId: x.teamId,
          leadOrganisationKind: x.leadOrganisationKind,
        },
        rel.get(x.id) ?? { onCareTeam: false, currentBreakGlass: false, currentConsent: false },
      ).allowed,
    }));
  }

  const asUser = (ctx: AuditContext): UserPrincipal => {
    if (ctx.principal.kind !== 'user') throw new Forbidden('This is for signed-in staff only');
    return ctx.principal;
  };

  /** Turn a race on a unique identifier into the same Conflict the first check gives. */
  async function explainUnique(
    ctx: AuditContext,
    input: PersonInput,
    exceptId?: string,
  ): Promise<never> {
    const clash = await inPartnership(db, ctx.principal.partnershipId, (tx) =>
      findClash(tx, input, exceptId),
    );
    if (clash) throw clashConflict(clash);
    throw new Error('a unique index refused the change but no clash was found');
  }

  return {
    assertMayRead(ctx: AuditContext): void {
      requirePeoplePages(ctx.principal, 'read');
    },

    mayWrite(user: UserPrincipal): boolean {
      return mayWritePeople(user);
    },

    assertMayWrite(ctx: AuditContext): void {
      requirePeoplePages(ctx.principal, 'write');
    },

    async search(ctx: AuditContext, query: PersonSearch) {
      requirePeoplePages(ctx.principal, 'read');
      const terms = parseNameQuery(query.name ?? '');
      return inPartnership(db, ctx.principal.partnershipId, async (tx) => {
        const found = await searchPeople(tx, query, terms, SEARCH_LIMIT);
        await audit(tx, ctx, {
          action: 'search',
          recordType: 'person',
          detail: { query, results: found.people.length, more: found.more },
        });
        return { people: await markOpenable(tx, ctx, found.people), more: found.more };
      });
    },

    async get(ctx: AuditContext, personId: string): Promise<PersonRecord> {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person, basis }) => {
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'person',
          recordId: person.id,
          personId: person.id,
          detail: { basis },
        });
        return person;
      });
    },

    /** The whole record page: the person and everything linked to them, audited as one read. */
    async view(ctx: AuditContext, personId: string, page = 'record'): Promise<PersonView> {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person, basis }) => {
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'person',
          recordId: person.id,
          personId: person.id,
          detail: { basis, page },
        });
        const names = await tx
          .selectFrom('people as p')
          .leftJoin('teams as t', 't.id', 'p.team_id')
          .leftJoin('users as u', 'u.id', 'p.care_coordinator_id')
          .leftJoin('organisations as o', 'o.id', 'p.lead_organisation_id')
          .select(['t.name as team', 'u.full_name as coordinator', 'o.name as lead'])
          .where('p.id', '=', person.id)
          .executeTakeFirst();
        const consents = await consentsOf(tx, person.id);
        const today = todayInLondon(now());
        return {
          person,
          basis,
          teamName: names?.team ?? null,
          coordinatorName: names?.coordinator ?? null,
          leadOrganisationName: names?.lead ?? null,
          representatives: await representativesOf(tx, person.id),
          careTeam: await careTeamOf(tx, person.id),
          consents,
          currentConsent: consents.find((c) => isConsentCurrent(c, today)),
        };
      });
    },

    async create(ctx: AuditContext, input: PersonInput): Promise<PersonRecord> {
      requirePeoplePages(ctx.principal, 'write');
      const p = ctx.principal;
      try {
        return await inPartnership(db, p.partnershipId, async (tx) => {
          await checkLinks(tx, input);
          const lead = await leadOrganisationFor(tx, p.kind === 'user' ? p : undefined, input);
          const person = await insertPerson(tx, p.partnershipId, input, lead);
          if (
            p.kind === 'user' &&
            person.careCoordinatorId !== p.userId &&
            !(person.teamId && p.teamIds.includes(person.teamId))
          ) {
            // Whoever adds a person can open the record they have just made.
            await addCareTeamMember(tx, p.partnershipId, person.id, p.userId, 'added them', null);
          }
          await audit(tx, ctx, {
            action: 'create',
            recordType: 'person',
            recordId: person.id,
            personId: person.id,
            detail: {
              fields: (Object.keys(input) as (keyof PersonInput)[]).filter(
                (k) => input[k] !== null,
              ),
            },
          });
          return person;
        });
      } catch (error) {
        if (error instanceof UniqueViolation) return explainUnique(ctx, input);
        throw error;
      }
    },

    async update(
      ctx: AuditContext,
      personId: string,
      input: PersonInput,
      expectedVersion?: number,
    ): Promise<PersonRecord> {
      try {
        return await withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
          await checkLinks(tx, input);
          const fields = changedFields(person, input);
          const updated = await updatePerson(tx, person.id, input, expectedVersion, now());
          await audit(tx, ctx, {
            action: 'update',
            recordType: 'person',
            recordId: person.id,
            personId: person.id,
            detail: {
              fields,
              identifiersChanged: fields.filter((f) =>
                (identifierFields as readonly string[]).includes(f),
              ),
              version: updated.version,
            },
          });
          return updated;
        });
      } catch (error) {
        if (error instanceof UniqueViolation) return explainUnique(ctx, input, personId);
        throw error;
      }
    },

    /** A care coordinator's own people. */
    async caseload(ctx: AuditContext): Promise<ListedPerson[]> {
      const user = asUser(ctx);
      requirePeoplePages(user, 'read');
      return inPartnership(db, user.partnershipId, async (tx) => {
        const people = await caseloadOf(tx, user.userId);
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'person',
          detail: { list: 'caseload', count: people.length },
        });
        return markOpenable(tx, ctx, people);
      });
    },

    /** People in the teams the user belongs to (a team manager's view). */
    async teamCaseload(ctx: AuditContext): Promise<{ people: ListedPerson[]; teams: Option[] }> {
      const user = asUser(ctx);
      requirePeoplePages(user, 'read');
      return inPartnership(db, user.partnershipId, async (tx) => {
        const people = await peopleInTeams(tx, user.teamIds, 1000);
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'person',
          detail: { list: 'team', teams: user.teamIds, count: people.length },
        });
        const teams = (await teamOptions(tx)).filter((t) => user.teamIds.includes(t.value));
        return { people: await markOpenable(tx, ctx, people), teams };
      });
    },

    /** What the person forms offer: coordinators, teams and staff for the care team. */
    async formOptions(ctx: AuditContext) {
      requirePeoplePages(ctx.principal, 'read');
      return inPartnership(db, ctx.principal.partnershipId, async (tx) => ({
        coordinators: await staffWithRoles(tx, ['care_coordinator']),
        teams: await teamOptions(tx),
        staff: await staffWithRoles(tx, [
          'care_coordinator',
          'team_manager',
          'finance_officer',
          'broker',
        ]),
      }));
    },

    ...createLinkMethods(deps),
  };
}

/** The chosen coordinator and team must exist in this partnership (a foreign key alone would not say). */
async function checkLinks(tx: Tx, input: PersonInput): Promise<void> {
  const errors = [];
  if (input.teamId) {
    const team = await tx
      .selectFrom('teams')
      .select('id')
      .where('id', '=', input.teamId)
      .executeTakeFirst();
    if (!team) errors.push({ field: 'teamId', message: 'Select a team from the list' });
  }
  if (input.careCoordinatorId) {
    const ok = (await staffWithRoles(tx, ['care_coordinator'])).some(
      (o) => o.value === input.careCoordinatorId,
    );
    if (!ok)
      errors.push({
        field: 'careCoordinatorId',
        message: 'Select a care coordinator from the list',
      });
  }
  if (errors.length > 0) throw new Invalid(errors);
}

/** The lead organisation: the adding user's own NHS body or council, else the team's. */
async function leadOrganisationFor(
  tx: Tx,
  user: UserPrincipal | undefined,
  input: PersonInput,
): Promise<string | null> {
  if (user?.organisationId) {
    const kind = await organisationKindOf(tx, user.organisationId);
    if (kind && kind !== 'provider') return user.organisationId;
  }
  if (input.teamId) {
    const team = await tx
      .selectFrom('teams')
      .select('organisation_id')
      .where('id', '=', input.teamId)
      .executeTakeFirst();
    if (team) return team.organisation_id;
  }
  return null;
}

export type PeopleService = ReturnType<typeof createPeopleService>;
