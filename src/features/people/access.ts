// The one door to a person's record for the service: finds the person, applies the access rule,
// audits a refusal (committed even though the caller then gets 403), and runs the work.
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import type { Principal, UserPrincipal } from '../../platform/auth/principal.js';
import { todayInLondon } from '../../platform/dates.js';
import { Forbidden, NotFound } from '../../platform/http/errors.js';
import {
  decideAccess,
  mayWritePeople,
  pagesDecision,
  type AccessDecision,
  type UserFacts,
} from './rules.js';
import { findPerson, organisationKindOf, type PersonRecord } from './store.js';
import { relationshipsOf } from './store-links.js';

export type Mode = 'read' | 'write';

export const NOT_FOUND_MESSAGE = 'There is no person with this ID in your partnership';

export function userFacts(p: UserPrincipal): UserFacts {
  return {
    userId: p.userId,
    roles: p.roles,
    teamIds: p.teamIds,
    organisationKind: p.organisationKind,
  };
}

/** Refuse people pages to roles that have none, and API clients without the permission. */
export function requirePeoplePages(principal: Principal, mode: Mode): void {
  if (principal.kind === 'api_client') {
    const needed = mode === 'read' ? 'people:read' : 'people:write';
    if (!principal.permissions.has(needed))
      throw new Forbidden(`This API client does not have the ${needed} permission`);
    return;
  }
  const refused = pagesDecision(principal);
  if (refused) throw new Forbidden(refused.reason);
  if (mode === 'write' && !mayWritePeople(principal))
    throw new Forbidden(
      'Only care coordinators and team managers can add or change people’s details.',
    );
}

/** The access decision for one user and one person, from the database's facts. */
export async function decisionFor(
  tx: Tx,
  user: UserPrincipal,
  person: PersonRecord,
  now: Date,
): Promise<AccessDecision> {
  const rel = await relationshipsOf(tx, user.userId, [person.id], now, todayInLondon(now));
  return decideAccess(
    userFacts(user),
    {
      careCoordinatorId: person.careCoordinatorId,
      teamId: person.teamId,
      leadOrganisationKind: await organisationKindOf(tx, person.leadOrganisationId),
    },
    rel.get(person.id) ?? { onCareTeam: false, currentBreakGlass: false, currentConsent: false },
  );
}

export interface Granted {
  person: PersonRecord;
  /** Why the user may see this record (for API clients: their permission). */
  basis: string;
}

type Outcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'not_found' }
  | { kind: 'refused'; reason: string; breakGlass: boolean };

/**
 * Run fn on a person the principal may see. Unknown or malformed ids are NotFound; a refusal is
 * audited as 'access_refused' in its own committed transaction, then thrown as Forbidden.
 */
export async function withPerson<T>(
  db: Db,
  ctx: AuditContext,
  personId: string,
  mode: Mode,
  now: Date,
  fn: (tx: Tx, granted: Granted) => Promise<T>,
): Promise<T> {
  const principal = ctx.principal;
  requirePeoplePages(principal, mode);
  const outcome = await inPartnership(
    db,
    principal.partnershipId,
    async (tx): Promise<Outcome<T>> => {
      const person = await findPerson(tx, personId);
      if (!person) return { kind: 'not_found' };
      if (principal.kind === 'api_client')
        return { kind: 'ok', value: await fn(tx, { person, basis: 'api_permission' }) };
      const decision = await decisionFor(tx, principal, person, now);
      if (!decision.allowed) {
        await audit(tx, ctx, {
          action: 'access_refused',
          recordType: 'person',
          recordId: person.id,
          personId: person.id,
          detail: { mode, reason: decision.reason },
        });
        return {
          kind: 'refused',
          reason: decision.reason,
          breakGlass: decision.breakGlassPossible,
        };
      }
      return { kind: 'ok', value: await fn(tx, { person, basis: decision.basis }) };
    },
  );
  switch (outcome.kind) {
    case 'ok':
      return outcome.value;
    case 'not_found':
      throw new NotFound(NOT_FOUND_MESSAGE);
    case 'refused':
      throw new Forbidden(outcome.reason, outcome.breakGlass ? personId : undefined);
  }
}
