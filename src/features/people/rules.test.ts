// The access rule as a table of cases, and a property: break glass is never refused for staff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrganisationKind, Role } from '../../platform/auth/roles.ts';
import {
  crossesBoundary,
  decideAccess,
  isConsentCurrent,
  parseNameQuery,
  type PersonFacts,
  type RelationshipFacts,
  type UserFacts,
} from './rules.ts';

const ME = 'user-me';
const TEAM = 'team-1';
const user = (
  roles: Role[],
  organisationKind: OrganisationKind | null = 'nhs_trust',
  teamIds: string[] = [],
): UserFacts => ({ userId: ME, roles: new Set(roles), teamIds, organisationKind });
const person = (p: Partial<PersonFacts> = {}): PersonFacts => ({
  careCoordinatorId: 'someone-else',
  teamId: TEAM,
  leadOrganisationKind: 'nhs_trust',
  ...p,
});
const rel = (r: Partial<RelationshipFacts> = {}): RelationshipFacts => ({
  onCareTeam: false,
  currentBreakGlass: false,
  currentConsent: false,
  ...r,
});

const cases: {
  name: string;
  u: UserFacts;
  p: PersonFacts;
  r: RelationshipFacts;
  allowed: boolean;
  basis?: string;
  breakGlass?: boolean;
  reason: RegExp;
}[] = [
  {
    name: 'the care coordinator',
    u: user(['care_coordinator']),
    p: person({ careCoordinatorId: ME, teamId: null }),
    r: rel(),
    allowed: true,
    basis: 'care_coordinator',
    reason: /care coordinator/,
  },
  {
    name: 'a care-team member',
    u: user(['finance_officer']),
    p: person(),
    r: rel({ onCareTeam: true }),
    allowed: true,
    basis: 'care_team',
    reason: /care team/,
  },
  {
    name: 'a member of the person’s team',
    u: user(['care_coordinator'], 'nhs_trust', [TEAM]),
    p: person(),
    r: rel(),
    allowed: true,
    basis: 'team',
    reason: /your team/,
  },
  {
    name: 'a team manager of the person’s team',
    u: user(['team_manager'], 'nhs_trust', [TEAM]),
    p: person(),
    r: rel(),
    allowed: true,
    basis: 'team',
    reason: /your team/,
  },
  {
    name: 'a team manager of another team',
    u: user(['team_manager'], 'nhs_trust', ['team-2']),
    p: person(),
    r: rel(),
    allowed: false,
    breakGlass: true,
    reason: /not on this person’s care team/,
  },
  {
    name: 'a coordinator with no part in the care',
    u: user(['care_coordinator']),
    p: person(),
    r: rel(),
    allowed: false,
    breakGlass: true,
    reason: /not on this person’s care team/,
  },
  {
    name: 'a coordinator with no part in the care, after breaking glass',
    u: user(['care_coordinator']),
    p: person(),
    r: rel({ currentBreakGlass: true }),
    allowed: true,
    basis: 'break_glass',
    reason: /emergency/,
  },
  {
    name: 'a commissioner, even on the care team',
    u: user(['commissioner'], 'icb'),
    p: person(),
    r: rel({ onCareTeam: true, currentConsent: true, currentBreakGlass: true }),
    allowed: false,
    breakGlass: false,
    reason: /without names or identifiers/,
  },
  {
    name: 'a budget holder',
    u: user(['budget_holder'], 'council'),
    p: person({ careCoordinatorId: ME }),
    r: rel({ onCareTeam: true }),
    allowed: false,
    breakGlass: false,
    reason: /for staff/,
  },
  {
    name: 'a representative',
    u: user(['representative'], null),
    p: person(),
    r: rel({ onCareTeam: true }),
    allowed: false,
    breakGlass: false,
    reason: /for staff/,
  },
  {
    name: 'a council coordinator in the team of an NHS-led person, without consent',
    u: user(['care_coordinator'], 'council', [TEAM]),
    p: person(),
    r: rel(),
    allowed: false,
    breakGlass: true,
    reason: /no current consent/,
  },
  {
    name: 'a council coordinator in the team of an NHS-led person, with consent',
    u: user(['care_coordinator'], 'council', [TEAM]),
    p: person(),
    r: rel({ currentConsent: true }),
    allowed: true,
    basis: 'team',
    reason: /your team/,
  },
  {
    name: 'an ICB finance officer on the care team of a council-led person, without consent',
    u: user(['finance_officer'], 'icb'),
    p: person({ leadOrganisationKind: 'council' }),
    r: rel({ onCareTeam: true }),
    allowed: false,
    breakGlass: true,
    reason: /NHS and council boundary/,
  },
  {
    name: 'crossing the boundary without consent, after breaking glass',
    u: user(['care_coordinator'], 'council', [TEAM]),
    p: person(),
    r: rel({ currentBreakGlass: true }),
    allowed: true,
    basis: 'break_glass',
    reason: /emergency/,
  },
  {
    name: 'provider staff in the person’s team but not on the care team',
    u: user(['broker'], 'provider', [TEAM]),
    p: person(),
    r: rel({ currentConsent: true }),
    allowed: false,
    breakGlass: true,
    reason: /provider organisations/,
  },
  {
    name: 'provider staff on the care team (no consent needed: neither side)',
    u: user(['broker'], 'provider'),
    p: person({ leadOrganisationKind: 'council' }),
    r: rel({ onCareTeam: true }),
    allowed: true,
    basis: 'care_team',
    reason: /care team/,
  },
  {
    name: 'a user with no organisation in the team',
    u: user(['care_coordinator'], null, [TEAM]),
    p: person(),
    r: rel(),
    allowed: true,
    basis: 'team',
    reason: /your team/,
  },
  {
    name: 'a person with no team and no coordinator',
    u: user(['care_coordinator'], 'nhs_trust', [TEAM]),
    p: person({ teamId: null, careCoordinatorId: null }),
    r: rel(),
    allowed: false,
    breakGlass: true,
    reason: /not on this person’s care team/,
  },
  {
    name: 'a good-practice curator',
    u: user(['practice_curator'], 'council', [TEAM]),
    p: person(),
    r: rel(),
    allowed: false,
    breakGlass: false,
    reason: /does not include/,
  },
];

for (const c of cases) {
  test(`access: ${c.name}`, () => {
    const d = decideAccess(c.u, c.p, c.r);
    assert.equal(d.allowed, c.allowed);
    assert.match(d.reason, c.reason);
    if (d.allowed) assert.equal(d.basis, c.basis);
    else assert.equal(d.breakGlassPossible, c.breakGlass);
  });
}

test('crossing the boundary: NHS and council differ; providers and unknowns never cross', () => {
  const table: [OrganisationKind | null, OrganisationKind | null, boolean][] = [
    ['council', 'nhs_trust', true],
    ['icb', 'council', true],
    ['icb', 'nhs_trust', false],
    ['council', 'council', false],
    ['provider', 'council', false],
    ['nhs_trust', 'provider', false],
    [null, 'council', false],
    ['council', null, false],
  ];
  for (const [a, b, expected] of table) assert.equal(crossesBoundary(a, b), expected, `${a}/${b}`);
});

test('consent is current from the day given until the day withdrawn', () => {
  assert.equal(isConsentCurrent({ givenOn: '2026-01-10', withdrawnOn: null }, '2026-01-10'), true);
  assert.equal(isConsentCurrent({ givenOn: '2026-01-10', withdrawnOn: null }, '2026-01-09'), false);
  const w = { givenOn: '2026-01-10', withdrawnOn: '2026-03-01' };
  assert.equal(isConsentCurrent(w, '2026-02-28'), true);
  assert.equal(isConsentCurrent(w, '2026-03-01'), false);
});

test('search terms: names, and NHS numbers typed with spaces', () => {
  assert.deepEqual(parseNameQuery('  '), { kind: 'empty' });
  assert.deepEqual(parseNameQuery('Smith'), { kind: 'name', words: ['smith'] });
  assert.deepEqual(parseNameQuery('Jo  SMITH'), { kind: 'name', words: ['jo', 'smith'] });
  assert.deepEqual(parseNameQuery('999 123 4560'), { kind: 'nhsNumber', value: '9991234560' });
});

const ROLE_LIST: Role[] = ['care_coordinator', 'team_manager', 'finance_officer', 'broker'];
test('property: staff of the NHS or council with current break glass are always let in', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ROLE_LIST),
      fc.constantFrom<OrganisationKind>('council', 'icb', 'nhs_trust'),
      fc.constantFrom<OrganisationKind | null>('council', 'icb', 'nhs_trust', 'provider', null),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (role, mine, theirs, inTeam, onCareTeam, consent) => {
        const d = decideAccess(
          user([role], mine, inTeam ? [TEAM] : []),
          person({ leadOrganisationKind: theirs }),
          rel({ onCareTeam, currentConsent: consent, currentBreakGlass: true }),
        );
        return d.allowed;
      },
    ),
  );
});

test('property: without care, team or break glass, nobody is let in', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ROLE_LIST, 'partnership_admin' as const),
      fc.constantFrom<OrganisationKind | null>('council', 'icb', 'nhs_trust', 'provider', null),
      fc.boolean(),
      (role, mine, consent) =>
        !decideAccess(user([role], mine, []), person(), rel({ currentConsent: consent })).allowed,
    ),
  );
});
