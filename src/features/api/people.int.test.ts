// /api/v1/people against a real server and database: tokens, permissions, the round trip,
// optimistic concurrency, duplicates, partnership isolation and the audit trail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { nhsCheckDigit } from '../../platform/nhs-number.ts';
import { call, createApiClient, type TestApiClient } from './test-helpers.ts';
import { personListSchema, personSchema, problemSchema } from './schemas.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let reader: TestApiClient;
let writer: TestApiClient;
let auditOnly: TestApiClient;
let writerB: TestApiClient;

/** A valid NHS number from nine digits (skips those whose check digit would be 10). */
function nhs(seed: number): string {
  for (let n = seed; ; n++) {
    const nine = String(100_000_000 + (n % 800_000_000)).padStart(9, '0');
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

const alex = (extra: Record<string, unknown> = {}) => ({
  givenName: 'Alex',
  familyName: 'Okafor',
  dateOfBirth: '1980-02-29',
  nhsNumber: nhs(123_456_789),
  postcode: 'ls1 4ap',
  ...extra,
});

before(async () => {
  t = await startTestApp();
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  reader = await createApiClient(t.db, a.id, ['people:read'], 'Reader');
  writer = await createApiClient(t.db, a.id, ['people:read', 'people:write'], 'Writer');
  auditOnly = await createApiClient(t.db, a.id, ['audit:read'], 'Auditor');
  writerB = await createApiClient(t.db, b.id, ['people:read', 'people:write'], 'Writer B');
});
after(() => t.close());

const auditFor = (clientId: string) =>
  t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_id', 'person_id', 'partnership_id', 'user_id', 'actor'])
    .where('api_client_id', '=', clientId)
    .orderBy('id')
    .execute();

function assertProblem(res: { status: number; headers: Headers; body: unknown }, status: number) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = problemSchema.parse(res.body);
  assert.equal(problem.status, status);
  return problem;
}

describe('authentication and permissions', () => {
  const routes = [
    ['GET', '/api/v1/people'],
    ['GET', '/api/v1/people/00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/v1/people'],
    ['PUT', '/api/v1/people/00000000-0000-4000-8000-000000000000'],
    ['PATCH', '/api/v1/people/00000000-0000-4000-8000-000000000000'],
  ] as const;

  test('no token: 401 problem with WWW-Authenticate: Bearer, on every people route', async () => {
    for (const [method, path] of routes) {
      const res = await call(t.url, method, path, method === 'GET' ? {} : { json: alex() });
      assertProblem(res, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="Pooled"$/);
    }
  });

  test('a wrong, malformed or revoked token: 401 with error="invalid_token"', async () => {
    const revoked = await createApiClient(t.db, a.id, ['people:read'], 'Revoked');
    await t.db.system
      .updateTable('api_clients')
      .set({ revoked_at: new Date() })
      .where('id', '=', revoked.id)
      .execute();
    const altered = `${reader.token.slice(0, -1)}${reader.token.endsWith('A') ? 'B' : 'A'}`;
    for (const token of ['nonsense', altered, revoked.token]) {
      const res = await call(t.url, 'GET', '/api/v1/people', { token });
      assertProblem(res, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    }
  });

  test('a token without the permission: 403 problem, and nothing is written', async () => {
    const cases = [
      [auditOnly, 'GET', '/api/v1/people', 'people:read'],
      [auditOnly, 'GET', '/api/v1/people/00000000-0000-4000-8000-000000000000', 'people:read'],
      [reader, 'POST', '/api/v1/people', 'people:write'],
      [reader, 'PUT', '/api/v1/people/00000000-0000-4000-8000-000000000000', 'people:write'],
      [reader, 'PATCH', '/api/v1/people/00000000-0000-4000-8000-000000000000', 'people:write'],
    ] as const;
    for (const [client, method, path, permission] of cases) {
      const res = await call(t.url, method, path, {
        token: client.token,
        ...(method === 'GET' ? {} : { json: alex({ nhsNumber: nhs(555_000_001) }) }),
      });
      const problem = assertProblem(res, 403);
      assert.match(problem.detail ?? '', new RegExp(permission), `${method} ${path}`);
    }
    const people = await t.db.system
      .selectFrom('people')
      .select('id')
      .where('nhs_number', '=', nhs(555_000_001))
      .execute();
    assert.equal(people.length, 0);
  });
});

describe('the round trip', () => {
  let id = '';
  let location = '';

  test('POST adds a person: 201, Location, ETag, the normalised record', async () => {
    const res = await call(t.url, 'POST', '/api/v1/people', {
      token: writer.token,
      json: alex({ preferredName: null, communicationNeeds: '  Large print  ' }),
    });
    assert.equal(res.status, 201, res.text);
    const person = personSchema.parse(res.body);
    id = person.id;
    location = res.headers.get('location') ?? '';
    assert.equal(location, `/api/v1/people/${id}`);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(person.postcode, 'LS1 4AP');
    assert.equal(person.communicationNeeds, 'Large print');
    assert.equal(person.preferredName, null);
    assert.equal(person.version, 1);
  });

  test('GET the Location returns the same record', async () => {
    const res = await call(t.url, 'GET', location, { token: reader.token });
    assert.equal(res.status, 200);
    const person = personSchema.parse(res.body);
    assert.equal(person.id, id);
    assert.equal(person.familyName, 'Okafor');
    assert.equal(res.headers.get('etag'), '"1"');
  });

  test('list and search find the person by each criterion, and limit caps the answer', async () => {
    for (let i = 0; i < 3; i++) await createPerson(t.db, a, { familyName: `Listed${i}` });
    const queries = [
      '',
      '?name=okaf',
      '?name=alex%20okafor',
      `?nhsNumber=${nhs(123_456_789)}`,
      '?dateOfBirth=1980-02-29',
      '?name=Okafor&dateOfBirth=1980-02-29',
    ];
    for (const q of queries) {
      const res = await call(t.url, 'GET', `/api/v1/people${q}`, { token: reader.token });
      assert.equal(res.status, 200, `${q}: ${res.text}`);
      const list = personListSchema.parse(res.body);
      const found = list.items.find((p) => p.id === id);
      assert.ok(found, `found with ${q || 'no criteria'}`);
      assert.equal(found.href, location);
    }
    const none = personListSchema.parse(
      (await call(t.url, 'GET', '/api/v1/people?name=zzzznobody', { token: reader.token })).body,
    );
    assert.deepEqual(none, { items: [], more: false });
    const two = personListSchema.parse(
      (await call(t.url, 'GET', '/api/v1/people?limit=2', { token: reader.token })).body,
    );
    assert.equal(two.items.length, 2);
    assert.equal(two.more, true);
  });

  test('PUT with the current If-Match replaces the details and bumps the version', async () => {
    const res = await call(t.url, 'PUT', location, {
      token: writer.token,
      json: alex({ town: 'Leeds', postcode: null }),
      headers: { 'if-match': '"1"' },
    });
    assert.equal(res.status, 200, res.text);
    const person = personSchema.parse(res.body);
    assert.equal(person.town, 'Leeds');
    assert.equal(person.postcode, null, 'left out (null) is cleared');
    assert.equal(person.version, 2);
    assert.equal(res.headers.get('etag'), '"2"');
  });

  test('a stale If-Match is 412; a stale version in the body is 409; nothing changes', async () => {
    const stale = await call(t.url, 'PUT', location, {
      token: writer.token,
      json: alex({ town: 'York' }),
      headers: { 'if-match': '"1"' },
    });
    assertProblem(stale, 412);
    const staleBody = await call(t.url, 'PUT', location, {
      token: writer.token,
      json: alex({ town: 'York', version: 1 }),
    });
    assertProblem(staleBody, 409);
    const stalePatch = await call(t.url, 'PATCH', location, {
      token: writer.token,
      json: { town: 'York' },
      headers: { 'if-match': 'W/"1"' },
    });
    assertProblem(stalePatch, 412);
    const now = personSchema.parse(
      (await call(t.url, 'GET', location, { token: reader.token })).body,
    );
    assert.equal(now.town, 'Leeds');
    assert.equal(now.version, 2);
  });

  test('PATCH changes only the fields sent; null clears one; version in the body works', async () => {
    const res = await call(t.url, 'PATCH', location, {
      token: writer.token,
      json: { preferredName: 'Al', town: null, version: 2 },
    });
    assert.equal(res.status, 200, res.text);
    const person = personSchema.parse(res.body);
    assert.equal(person.preferredName, 'Al');
    assert.equal(person.town, null);
    assert.equal(person.familyName, 'Okafor');
    assert.equal(person.nhsNumber, nhs(123_456_789));
    assert.equal(person.version, 3);
    const plain = await call(t.url, 'PATCH', location, {
      token: writer.token,
      json: { phone: '01632 960 001' },
    });
    assert.equal(plain.status, 200, 'no version given: applies to the version just read');
    assert.equal(personSchema.parse(plain.body).version, 4);
  });

  test('a PATCH that breaks a rule is refused with the field named, and nothing changes', async () => {
    const res = await call(t.url, 'PATCH', location, {
      token: writer.token,
      json: { dateOfBirth: '2999-01-01', givenName: '' },
    });
    const problem = assertProblem(res, 400);
    const fields = (problem.errors ?? []).map((e) => e.field).sort();
    assert.deepEqual(fields, ['dateOfBirth', 'givenName']);
    const now = personSchema.parse(
      (await call(t.url, 'GET', location, { token: reader.token })).body,
    );
    assert.equal(now.version, 4);
  });

  test('a duplicate NHS number is 409 with the existing record’s API URL', async () => {
    const post = await call(t.url, 'POST', '/api/v1/people', {
      token: writer.token,
      json: alex({ givenName: 'Another' }),
    });
    const problem = assertProblem(post, 409);
    assert.equal(problem.existing, location);
    const other = await createPerson(t.db, a, { nhsNumber: nhs(222_333_444) });
    const put = await call(t.url, 'PATCH', `/api/v1/people/${other.id}`, {
      token: writer.token,
      json: { nhsNumber: nhs(123_456_789) },
    });
    assert.equal(assertProblem(put, 409).existing, location);
  });

  test('of several changes sent at once against one version, exactly one wins', async () => {
    const current = personSchema.parse(
      (await call(t.url, 'GET', location, { token: reader.token })).body,
    );
    const towns = ['Hull', 'Selby', 'Goole', 'Ripon', 'Otley'];
    const results = await Promise.all(
      towns.map((town) =>
        call(t.url, 'PUT', location, {
          token: writer.token,
          json: alex({ town, preferredName: 'Al', phone: '01632 960 001' }),
          headers: { 'if-match': `"${current.version}"` },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 412, 412, 412, 412], results.map((r) => r.text).join('\n'));
    const winner = personSchema.parse(results.find((r) => r.status === 200)!.body);
    const now = personSchema.parse(
      (await call(t.url, 'GET', location, { token: reader.token })).body,
    );
    assert.equal(now.version, current.version + 1);
    assert.equal(now.town, winner.town);
  });

  test('an unknown person is a 404 problem for read and write', async () => {
    for (const path of ['/api/v1/people/00000000-0000-4000-8000-000000000000', '/api/v1/people/x'])
      for (const method of ['GET', 'PUT', 'PATCH'] as const) {
        const res = await call(t.url, method, path, {
          token: writer.token,
          ...(method === 'GET' ? {} : { json: alex() }),
        });
        assertProblem(res, 404);
      }
  });

  test('every read and write above was audited against the API client', async () => {
    const byWriter = await auditFor(writer.id);
    const actions = byWriter.map((e) => e.action);
    assert.ok(actions.includes('create'));
    assert.equal(actions.filter((x) => x === 'update').length, 4);
    for (const e of byWriter) {
      assert.equal(e.partnership_id, a.id);
      assert.equal(e.user_id, null);
      assert.equal(e.actor, 'API client Writer');
    }
    const byReader = await auditFor(reader.id);
    assert.ok(byReader.some((e) => e.action === 'read' && e.person_id === id));
    assert.ok(byReader.some((e) => e.action === 'search'));
  });
});

describe('each call is audited with the client’s id', () => {
  test('GET one, list, POST, PUT and PATCH each write one event more', async () => {
    const client = await createApiClient(t.db, a.id, ['people:read', 'people:write'], 'Counted');
    let id = '';
    const run = async (method: string, path: string, json?: unknown) => {
      const before = (await auditFor(client.id)).length;
      const res = await call(t.url, method, path, {
        token: client.token,
        ...(json ? { json } : {}),
      });
      assert.ok(res.status < 300, `${method} ${path}: ${res.text}`);
      const events = await auditFor(client.id);
      assert.ok(events.length > before, `${method} ${path} wrote an audit event`);
      return { res, last: events.at(-1)! };
    };
    const created = await run('POST', '/api/v1/people', alex({ nhsNumber: nhs(700_000_001) }));
    id = String(created.res.body.id);
    assert.equal(created.last.action, 'create');
    assert.equal(created.last.person_id, id);
    assert.equal((await run('GET', `/api/v1/people/${id}`)).last.action, 'read');
    assert.equal((await run('GET', '/api/v1/people?name=okafor')).last.action, 'search');
    const put = await run('PUT', `/api/v1/people/${id}`, alex({ nhsNumber: nhs(700_000_001) }));
    assert.equal(put.last.action, 'update');
    const patch = await run('PATCH', `/api/v1/people/${id}`, { town: 'Wakefield' });
    assert.equal(patch.last.action, 'update');
  });
});

describe('partnership isolation', () => {
  test('B’s token cannot read, change or list A’s people (404, never listed)', async () => {
    const inA = await createPerson(t.db, a, {
      familyName: 'Ashworth',
      nhsNumber: nhs(400_000_001),
    });
    const path = `/api/v1/people/${inA.id}`;
    assertProblem(await call(t.url, 'GET', path, { token: writerB.token }), 404);
    for (const method of ['PUT', 'PATCH'] as const)
      assertProblem(
        await call(t.url, method, path, { token: writerB.token, json: alex({ town: 'Hull' }) }),
        404,
      );
    for (const q of ['', '?name=ashworth', `?nhsNumber=${nhs(400_000_001)}`]) {
      const list = personListSchema.parse(
        (await call(t.url, 'GET', `/api/v1/people${q}`, { token: writerB.token })).body,
      );
      assert.ok(!list.items.some((p) => p.id === inA.id), `not listed for ${q || 'no criteria'}`);
    }
    const unchanged = await t.db.system
      .selectFrom('people')
      .select(['version', 'town'])
      .where('id', '=', inA.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(unchanged, { version: 1, town: null });
  });

  test('the same NHS number may exist in both partnerships; B’s 409 never points into A', async () => {
    const shared = nhs(410_000_001);
    await createPerson(t.db, a, { nhsNumber: shared });
    const first = await call(t.url, 'POST', '/api/v1/people', {
      token: writerB.token,
      json: alex({ nhsNumber: shared }),
    });
    assert.equal(first.status, 201, first.text);
    const again = await call(t.url, 'POST', '/api/v1/people', {
      token: writerB.token,
      json: alex({ nhsNumber: shared }),
    });
    assert.equal(assertProblem(again, 409).existing, first.headers.get('location'));
  });
});

describe('signed-in staff with a session', () => {
  test('may GET, under the care-team rule; a change needs the CSRF token', async () => {
    const coordinator = await createUser(t.db, a, ['care_coordinator']);
    const mine = await createPerson(t.db, a, { coordinatorId: coordinator.id, teamId: null });
    const notMine = await createPerson(t.db, a, { teamId: a.otherTeamId });
    const browser = new TestClient(t.url);
    assert.equal((await browser.signIn(coordinator.email, coordinator.password)).status, 303);
    const own = await browser.get(`/api/v1/people/${mine.id}`);
    assert.equal(own.status, 200, own.text);
    personSchema.parse(own.json());
    const refused = await browser.get(`/api/v1/people/${notMine.id}`);
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('content-type') ?? '', /problem\+json/);
    const body = JSON.stringify({ town: 'Bradford' });
    const json = { 'content-type': 'application/json' };
    const noCsrf = await browser.request('PATCH', `/api/v1/people/${mine.id}`, body, json);
    assert.equal(noCsrf.status, 403, noCsrf.text);
    assert.match((noCsrf.json() as { detail: string }).detail, /did not come from Pooled/);
    await browser.get('/');
    const withCsrf = await browser.request('PATCH', `/api/v1/people/${mine.id}`, body, {
      ...json,
      'x-csrf-token': browser.csrf,
    });
    assert.equal(withCsrf.status, 200, withCsrf.text);
    const users = await t.db.system
      .selectFrom('audit_events')
      .select('action')
      .where('user_id', '=', coordinator.id)
      .where('person_id', '=', mine.id)
      .execute();
    assert.ok(users.some((e) => e.action === 'update'));
  });
});
