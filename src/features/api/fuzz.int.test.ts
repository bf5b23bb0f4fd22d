// Bad input never gives a 500: random bodies, raw text and query strings thrown at the API are
// answered with a 2xx or a problem+json 4xx, and nothing half-written is left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { createPartnership, createPerson } from '../../../test/support/factories.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';
import { personSchema, problemSchema } from './schemas.ts';

let t: TestApp;
let client: TestApiClient;
let personPath = '';
before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  const p = await createPartnership(t.db);
  client = await createApiClient(t.db, p.id, ['people:read', 'people:write']);
  personPath = `/api/v1/people/${(await createPerson(t.db, p)).id}`;
});
after(() => t.close());

function assertAnswered(res: ApiResponse, allowed: number[]) {
  assert.ok(allowed.includes(res.status), `${res.status}: ${res.text}`);
  if (res.status >= 400) {
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(problemSchema.parse(res.body).status, res.status);
  } else if (res.status !== 204) {
    personSchema.parse(res.body);
  }
}

const FIELDS = [
  'givenName',
  'familyName',
  'preferredName',
  'dateOfBirth',
  'nhsNumber',
  'postcode',
  'email',
  'phone',
  'primarySupportReason',
  's117Section',
  's117DischargeDate',
  'careCoordinatorId',
  'teamId',
  'version',
] as const;

const anyValue = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '1980-02-29', '2999-01-01', '9434765919', 'LS1 4AP', '3', '<b>x</b>'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

const body = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), anyValue, {
  maxKeys: 8,
});

test('random JSON objects: 201/200, or a 400, 409 or 412 problem; never a 500', async () => {
  const countPeople = async () =>
    Number(
      (
        await t.db.system
          .selectFrom('people')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await countPeople();
  let created = 0;
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('POST', 'PUT', 'PATCH'), async (json, method) => {
      const path = method === 'POST' ? '/api/v1/people' : personPath;
      const res = await call(t.url, method, path, { token: client.token, json });
      assertAnswered(res, [200, 201, 400, 409, 412]);
      if (res.status === 201) created++;
    }),
    { numRuns: 60 },
  );
  assert.equal(await countPeople(), before + created, 'a refused request adds nobody');
});

test('random text sent as JSON: a 400 problem (or a change when it happens to be valid)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (raw) => {
      const res = await call(t.url, 'PATCH', personPath, {
        token: client.token,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      assertAnswered(res, [200, 400, 409, 412]);
    }),
    { numRuns: 50 },
  );
});

test('random query strings on the list: 200 or a 400 problem', async () => {
  const key = fc.oneof(
    fc.constantFrom('name', 'dateOfBirth', 'nhsNumber', 'councilPersonId', 'limit'),
    fc.string({ minLength: 1, maxLength: 5 }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, fc.string()), { maxLength: 4 }), async (pairs) => {
      const q = new URLSearchParams(pairs).toString();
      const res = await call(t.url, 'GET', `/api/v1/people?${q}`, { token: client.token });
      assert.ok([200, 400].includes(res.status), `${q}: ${res.status} ${res.text}`);
      assert.match(
        res.headers.get('content-type') ?? '',
        res.status === 200 ? /^application\/json/ : /^application\/problem\+json/,
      );
    }),
    { numRuns: 50 },
  );
});
