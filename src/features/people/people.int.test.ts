// The people service against a real database: identifiers, versions, search, audit, isolation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import type { ApiClientPrincipal, UserPrincipal } from '../../platform/auth/principal.ts';
import type { Role } from '../../platform/auth/roles.ts';
import type { AuditContext } from '../../platform/audit/audit.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/http/errors.ts';
import { nhsCheckDigit } from '../../platform/nhs-number.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { createPeopleService, personToJson, type PersonInput } from './index.ts';
import { personInputSchema } from './schema.ts';
import { todayInLondon } from '../../platform/dates.ts';

let db: Db;
let a: TestPartnership;
let b: TestPartnership;
let coordA: AuditContext;
let coordB: AuditContext;
const people = () => createPeopleService({ db, now: () => new Date(), breakGlassHours: 12 });

function userCtx(
  p: TestPartnership,
  id: string,
  roles: Role[],
  teamIds: string[] = [p.teamId],
): AuditContext {
  const principal: UserPrincipal = {
    kind: 'user',
    userId: id,
    partnershipId: p.id,
    partnershipName: 'Test',
    fullName: 'Test User',
    email: 'test@example.test',
    roles: new Set(roles),
    teamIds,
    organisationId: p.trustId,
    organisationKind: 'nhs_trust',
    mustChangePassword: false,
    sessionId: 'test',
  };
  return { principal, ip: '127.0.0.1' };
}

before(async () => {
  db = await freshDb();
  a = await createPartnership(db, 'A');
  b = await createPartnership(db, 'B');
  coordA = userCtx(a, (await createUser(db, a, ['care_coordinator'])).id, ['care_coordinator']);
  coordB = userCtx(b, (await createUser(db, b, ['care_coordinator'])).id, ['care_coordinator']);
});
after(() => db.close());

let serial = 200_000;
function nhsNumber(): string {
  for (;;) {
    const nine = `999${String(serial++).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

const input = (over: Record<string, unknown> = {}): PersonInput =>
  personInputSchema(todayInLondon()).parse({
    givenName: 'Jo',
    familyName: 'Smith',
    dateOfBirth: '1970-05-06',
    teamId: a.teamId,
    ...over,
  });

async function auditRows(action: string, personId?: string) {
  let q = db.system.selectFrom('audit_events').selectAll().where('action', '=', action);
  if (personId) q = q.where('person_id', '=', personId);
  return q.orderBy('id').execute();
}

test('a duplicate NHS number in the partnership is refused with the existing record', async () => {
  const number = nhsNumber();
  const first = await people().create(coordA, input({ nhsNumber: number }));
  await assert.rejects(people().create(coordA, input({ nhsNumber: number })), (e: unknown) => {
    assert.ok(e instanceof Conflict);
    assert.equal(e.existingHref, `/people/${first.id}`);
    return true;
  });
  // The same number in another partnership is a different record.
  await people().create(coordB, input({ nhsNumber: number, teamId: b.teamId }));
});

test('two people added at once with one NHS number: one is kept, the other is told why', async () => {
  const number = nhsNumber();
  const results = await Promise.allSettled([
    people().create(coordA, input({ nhsNumber: number, familyName: 'Racer' })),
    people().create(coordA, input({ nhsNumber: number, familyName: 'Racer' })),
  ]);
  const kept = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  assert.equal(kept.length, 1);
  assert.equal(refused.length, 1);
  const reason: unknown = refused[0]!.reason;
  assert.ok(reason instanceof Conflict, String(reason));
  assert.equal(reason.existingHref, `/people/${kept[0]!.value.id}`);
});

test('an update with a stale version is a Conflict and changes nothing', async () => {
  const s = people();
  const person = await s.create(coordA, input({ familyName: 'Versionson' }));
  const v2 = await s.update(coordA, person.id, input({ familyName: 'Versionsen' }), 1);
  assert.equal(v2.version, 2);
  await assert.rejects(
    s.update(coordA, person.id, input({ familyName: 'Stale' }), 1),
    (e: unknown) => e instanceof Conflict && /someone else changed/i.test(e.message),
  );
  assert.equal((await s.get(coordA, person.id)).familyName, 'Versionsen');
});

test('search by name prefix, first and last name, date of birth, NHS number and council ID', async () => {
  const s = people();
  const number = nhsNumber();
  const target = await s.create(
    coordA,
    input({
      givenName: 'Joanna',
      familyName: 'Quixley-Smythe',
      dateOfBirth: '1961-02-03',
      nhsNumber: number,
      councilPersonId: 'BCC-77001',
    }),
  );
  await s.create(
    coordA,
    input({ givenName: 'Quentin', familyName: 'Other', dateOfBirth: '1961-02-03' }),
  );
  const ids = async (q: Parameters<typeof s.search>[1]) =>
    (await s.search(coordA, q)).people.map((p) => p.id);
  const cases: [string, Parameters<typeof s.search>[1], boolean][] = [
    ['family-name prefix, any case', { name: 'QUIX' }, true],
    ['given-name prefix', { name: 'joann' }, true],
    ['first and last name', { name: 'jo quixley' }, true],
    ['last and first name', { name: 'quixley, jo' }, true],
    ['wrong first name', { name: 'bob quixley' }, false],
    ['a LIKE wildcard is literal', { name: '%' }, false],
    [
      'NHS number with spaces in the name box',
      { name: `${number.slice(0, 3)} ${number.slice(3)}` },
      true,
    ],
    ['NHS number', { nhsNumber: number }, true],
    ['council person ID, any case', { councilPersonId: 'bcc-77001' }, true],
    ['date of birth with a name', { name: 'quix', dateOfBirth: '1961-02-03' }, true],
    ['date of birth that does not match', { name: 'quix', dateOfBirth: '1961-02-04' }, false],
  ];
  for (const [name, q, found] of cases)
    assert.equal((await ids(q)).includes(target.id), found, name);
  const byDob = await ids({ dateOfBirth: '1961-02-03' });
  assert.equal(byDob.length, 2);
  const result = await s.search(coordA, { name: 'quixley' });
  assert.equal(result.people[0]?.canOpen, true);
  assert.equal(result.people[0]?.teamName?.startsWith('Team A'), true);
});

test('search results are capped and say when there are more', async () => {
  const s = people();
  for (let i = 0; i < 52; i++)
    await s.create(coordA, input({ givenName: `Many${i}`, familyName: 'Manyfold' }));
  const r = await s.search(coordA, { name: 'manyfold' });
  assert.equal(r.people.length, 50);
  assert.equal(r.more, true);
});

test('every service method writes an audit event, without identifier values', async () => {
  const s = people();
  const number = nhsNumber();
  const searches = (await auditRows('search')).length;
  await s.search(coordA, { nhsNumber: number });
  assert.equal((await auditRows('search')).length, searches + 1);
  const person = await s.create(coordA, input({ nhsNumber: number, familyName: 'Auditson' }));
  const created = await auditRows('create', person.id);
  assert.equal(created.length, 1);
  assert.ok((created[0]!.detail.fields as string[]).includes('nhsNumber'));
  assert.ok(!JSON.stringify(created[0]!.detail).includes(number));
  await s.get(coordA, person.id);
  assert.equal((await auditRows('read', person.id)).length, 1);
  await s.view(coordA, person.id);
  assert.equal((await auditRows('read', person.id)).length, 2);
  const other = nhsNumber();
  await s.update(coordA, person.id, input({ nhsNumber: other, familyName: 'Auditsen' }), 1);
  const updated = await auditRows('update', person.id);
  assert.deepEqual(updated[0]!.detail.fields, ['familyName', 'nhsNumber']);
  assert.ok(!JSON.stringify(updated[0]!.detail).includes(other));
  await s.caseload(coordA);
  await s.teamCaseload(coordA);
  assert.ok((await auditRows('list')).length >= 2);
  const consentId = await s.recordConsent(coordA, person.id, {
    scope: 'full_record',
    givenOn: '2025-01-01',
    howGiven: 'verbal',
    givenBy: 'the person',
    notes: null,
  });
  await s.withdrawConsent(coordA, person.id, consentId, '2025-02-01', 'No longer agrees');
  const repId = await s.addRepresentative(coordA, person.id, {
    name: 'Rep Resentative',
    relationship: 'Friend',
    kind: 'representative',
    phone: null,
    email: null,
  });
  await s.endRepresentative(coordA, person.id, repId);
  const finance = await createUser(db, a, ['finance_officer']);
  await s.addCareTeamMember(coordA, person.id, finance.id, 'Finance');
  await s.removeCareTeamMember(coordA, person.id, finance.id);
  const rows = await db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type'])
    .where('person_id', '=', person.id)
    .orderBy('id')
    .execute();
  assert.deepEqual(
    rows.map((r) => `${r.action}:${r.record_type}`),
    [
      'create:person',
      'read:person',
      'read:person',
      'update:person',
      'create:consent',
      'update:consent',
      'create:representative',
      'update:representative',
      'grant:care_team_member',
      'revoke:care_team_member',
    ],
  );
});

test('break glass needs a reason of ten characters, expires, and is audited with the reason', async () => {
  const s = people();
  const person = await s.create(coordA, input({ familyName: 'Glassman', teamId: a.teamId }));
  const outsiderId = (await createUser(db, a, ['care_coordinator'], { teamId: a.otherTeamId })).id;
  const outsider = userCtx(a, outsiderId, ['care_coordinator'], [a.otherTeamId]);
  await assert.rejects(s.get(outsider, person.id), (e: unknown) => {
    assert.ok(e instanceof Forbidden);
    assert.equal(e.breakGlassPersonId, person.id);
    return true;
  });
  await assert.rejects(s.breakGlass(outsider, person.id, ' too short '), Invalid);
  const { expiresAt } = await s.breakGlass(outsider, person.id, 'Crisis call from the person');
  assert.ok(Math.abs(expiresAt.getTime() - Date.now() - 12 * 3_600_000) < 60_000);
  assert.equal((await s.get(outsider, person.id)).id, person.id);
  const later = createPeopleService({
    db,
    now: () => new Date(Date.now() + 13 * 3_600_000),
    breakGlassHours: 12,
  });
  await assert.rejects(later.get(outsider, person.id), Forbidden);
  const events = await auditRows('break_glass', person.id);
  assert.equal(events[0]?.reason, 'Crisis call from the person');
});

test('partnership A cannot read, change or find partnership B’s person through the service', async () => {
  const s = people();
  const theirs = await s.create(coordB, input({ familyName: 'Bside', teamId: b.teamId }));
  await assert.rejects(s.get(coordA, theirs.id), NotFound);
  await assert.rejects(s.view(coordA, theirs.id), NotFound);
  await assert.rejects(s.update(coordA, theirs.id, input({ familyName: 'Hijack' })), NotFound);
  await assert.rejects(s.breakGlass(coordA, theirs.id, 'let me in please now'), NotFound);
  assert.equal((await s.search(coordA, { name: 'bside' })).people.length, 0);
  await assert.rejects(s.create(coordA, input({ teamId: b.teamId })), Invalid);
  await assert.rejects(s.get(coordA, 'not-a-uuid'), NotFound);
  assert.equal((await s.get(coordB, theirs.id)).familyName, 'Bside');
});

test('API clients are allowed by permission, not by care team', async () => {
  const s = people();
  const person = await s.create(coordA, input({ familyName: 'Apiperson' }));
  const client = (permissions: string[]): AuditContext => ({
    principal: {
      kind: 'api_client',
      clientId: '00000000-0000-4000-8000-000000000001',
      partnershipId: a.id,
      name: 'test client',
      permissions: new Set(permissions),
    } satisfies ApiClientPrincipal,
  });
  await db.system
    .insertInto('api_clients')
    .values({
      id: '00000000-0000-4000-8000-000000000001',
      partnership_id: a.id,
      name: 'test client',
      token_prefix: 'test-prefix',
      token_hash: 'x',
      permissions: ['people:read'],
    })
    .execute();
  const reader = client(['people:read']);
  const json = personToJson(await s.get(reader, person.id));
  assert.equal(json.familyName, 'Apiperson');
  assert.equal(json.version, 1);
  assert.equal(typeof json.createdAt, 'string');
  await assert.rejects(s.update(reader, person.id, input()), Forbidden);
  await assert.rejects(s.get(client([]), person.id), Forbidden);
  const writer = client(['people:read', 'people:write']);
  const updated = await s.update(writer, person.id, input({ familyName: 'Apiperson' }), 1);
  assert.equal(updated.version, 2);
});
