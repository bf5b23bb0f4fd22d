// Who may open a person's record, and why. Pure: the facts are gathered by the store.
//
// A user may open a record when they have a part in the person's care: they coordinate it,
// they are on the person's care team, or they belong to the person's team. Failing that, they
// may "break glass": record a reason, which managers see, for access that lasts a few hours.
// Sharing across the NHS/council boundary also needs the person's current consent, unless
// glass was broken. Commissioners, budget holders and representatives have no staff pages.
import { sectorOf, type OrganisationKind, type Role } from '../../platform/auth/roles.js';

/** Roles that may use the staff pages about people at all (subject to the rule below). */
export const PERSON_PAGE_ROLES: readonly Role[] = [
  'care_coordinator',
  'team_manager',
  'finance_officer',
  'broker',
  'partnership_admin',
];

/** Roles that may add people and change their details, consent, representatives and care team. */
export const PERSON_WRITE_ROLES: readonly Role[] = ['care_coordinator', 'team_manager'];

export interface UserFacts {
  userId: string;
  roles: ReadonlySet<Role>;
  teamIds: readonly string[];
  organisationKind: OrganisationKind | null;
}

export interface PersonFacts {
  careCoordinatorId: string | null;
  teamId: string | null;
  leadOrganisationKind: OrganisationKind | null;
}

export interface RelationshipFacts {
  onCareTeam: boolean;
  /** A break-glass event by this user for this person that has not expired. */
  currentBreakGlass: boolean;
  /** A consent to share that has been given and not withdrawn. */
  currentConsent: boolean;
}

export type AccessBasis = 'care_coordinator' | 'care_team' | 'team' | 'break_glass';

export type AccessDecision =
  | { allowed: true; basis: AccessBasis; reason: string }
  | { allowed: false; reason: string; breakGlassPossible: boolean };

/** Whether the user may use the staff pages about people (search, caseloads, records). */
export function pagesDecision(user: Pick<UserFacts, 'roles'>): AccessDecision | undefined {
  if (PERSON_PAGE_ROLES.some((r) => user.roles.has(r))) return undefined;
  if (user.roles.has('commissioner')) {
    return {
      allowed: false,
      breakGlassPossible: false,
      reason:
        'Commissioners see reports without names or identifiers, so there are no pages about individual people for your role.',
    };
  }
  if (user.roles.has('budget_holder') || user.roles.has('representative')) {
    return {
      allowed: false,
      breakGlassPossible: false,
      reason:
        'These pages are for staff. You can see your own budget and plan from your home page.',
    };
  }
  return {
    allowed: false,
    breakGlassPossible: false,
    reason:
      'Your role does not include people’s records. Ask your partnership administrator if you need it.',
  };
}

export function mayWritePeople(user: Pick<UserFacts, 'roles'>): boolean {
  return PERSON_WRITE_ROLES.some((r) => user.roles.has(r));
}

/** True when sharing between the user's organisation and the person's lead one crosses NHS/council. */
export function crossesBoundary(
  userKind: OrganisationKind | null,
  personKind: OrganisationKind | null,
): boolean {
  if (!userKind || !personKind) return false;
  const a = sectorOf(userKind);
  const b = sectorOf(personKind);
  if (a === 'provider' || b === 'provider') return false;
  return a !== b;
}

export function decideAccess(
  user: UserFacts,
  person: PersonFacts,
  rel: RelationshipFacts,
): AccessDecision {
  const refusedByRole = pagesDecision(user);
  if (refusedByRole) return refusedByRole;

  // Provider staff count as neither NHS nor council: only an explicit care-team place lets them in.
  const provider = user.organisationKind === 'provider';
  let basis: AccessBasis | undefined;
  if (!provider && person.careCoordinatorId === user.userId) basis = 'care_coordinator';
  else if (rel.onCareTeam) basis = 'care_team';
  else if (!provider && person.teamId !== null && user.teamIds.includes(person.teamId))
    basis = 'team';

  if (basis === undefined) {
    if (rel.currentBreakGlass) return breakGlassAccess();
    return {
      allowed: false,
      breakGlassPossible: true,
      reason: provider
        ? 'Staff of provider organisations can open a record only when they are on the person’s care team.'
        : 'You are not on this person’s care team or in their team.',
    };
  }

  if (crossesBoundary(user.organisationKind, person.leadOrganisationKind) && !rel.currentConsent) {
    if (rel.currentBreakGlass) return breakGlassAccess();
    return {
      allowed: false,
      breakGlassPossible: true,
      reason:
        'This person’s record is held on the other side of the NHS and council boundary from your organisation, and there is no current consent to share it. Ask the care coordinator to record the person’s consent.',
    };
  }

  return { allowed: true, basis, reason: BASIS_REASONS[basis] };
}

function breakGlassAccess(): AccessDecision {
  return { allowed: true, basis: 'break_glass', reason: BASIS_REASONS.break_glass };
}

const BASIS_REASONS: Record<AccessBasis, string> = {
  care_coordinator: 'You are this person’s care coordinator.',
  care_team: 'You are on this person’s care team.',
  team: 'This person belongs to your team.',
  break_glass: 'You have emergency (break-glass) access to this record for a limited time.',
};

/** A consent is current on a day when it was given by then and not withdrawn by then. */
export function isConsentCurrent(
  consent: { givenOn: string; withdrawnOn: string | null },
  today: string,
): boolean {
  return consent.givenOn <= today && (consent.withdrawnOn === null || consent.withdrawnOn > today);
}

export const BREAK_GLASS_MIN_REASON = 10;

export function breakGlassExpiry(now: Date, hours: number): Date {
  return new Date(now.getTime() + hours * 3_600_000);
}

/** Parse what someone typed into the search box: names, or one identifier. */
export type SearchTerms =
  { kind: 'empty' } | { kind: 'nhsNumber'; value: string } | { kind: 'name'; words: string[] };

export function parseNameQuery(q: string): SearchTerms {
  const trimmed = q.trim();
  if (trimmed === '') return { kind: 'empty' };
  const digits = trimmed.replace(/[\s-]/g, '');
  if (/^\d{10}$/.test(digits)) return { kind: 'nhsNumber', value: digits };
  const words = trimmed
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w !== '')
    .slice(0, 3);
  return { kind: 'name', words };
}
