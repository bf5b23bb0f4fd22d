// Bad input to the API: every refusal is RFC 9457 problem+json with the right status, never a 500.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { createPartnership, createPerson } from '../../../test/support/factories.ts';
import { call, createApiClient, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';

let t: TestApp;
let client: TestApiClient;
let personPath = '';
const BODY_LIMIT = 2048;

before(async () => {
  t = await startTestApp({
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
    API_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const p = await createPartnership(t.db);
  client = await createApiClient(t.db, p.id, ['people:read', 'people:write']);
  personPath = `/api/v1/people/${(await createPerson(t.db, p)).id}`;
});
after(() => t.close());

function assertProblem(res: { status: number; headers: Headers; body: unknown }, status: number) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = problemSchema.parse(res.body);
  assert.equal(problem.status, status);
  assert.equal(problem.type, 'about:blank');
  return problem;
}

const writes = () =>
  [
    ['POST', '/api/v1/people'],
    ['PUT', personPath],
    ['PATCH', personPath],
  ] as const;

describe('bodies that are not what the API takes', () => {
  test('invalid JSON is a 400 problem, never a 500', async () => {
    for (const [method, path] of writes())
      for (const raw of ['{', '{"givenName": }', "{'a': 1}", 'undefined', '{"a":1}x']) {
        const res = await call(t.url, method, path, {
          token: client.token,
          raw,
          headers: { 'content-type': 'application/json' },
        });
        const problem = assertProblem(res, 400);
        assert.match(problem.detail ?? '', /JSON/, `${method} ${raw}`);
      }
  });

  test('an empty body or JSON that is not an object is a 400 problem', async () => {
    for (const [method, path] of writes())
      for (const raw of ['', '[]', '42', '"text"', 'null']) {
        const res = await call(t.url, method, path, {
          token: client.token,
          raw,
          headers: { 'content-type': 'application/json' },
        });
        assertProblem(res, 400);
      }
  });

  test('a body that is not application/json is a 415 problem', async () => {
    const types = [
      ['application/x-www-form-urlencoded', 'givenName=Alex'],
      ['text/plain', '{"givenName":"Alex"}'],
      ['application/xml', '<person/>'],
      ['multipart/form-data; boundary=x', '--x--'],
    ];
    for (const [method, path] of writes())
      for (const [type, raw] of types) {
        const res = await call(t.url, method, path, {
          token: client.token,
          raw,
          headers: { 'content-type': type! },
        });
        assertProblem(res, 415);
      }
  });

  test('a body over the limit is a 413 problem (with and without Content-Length)', async () => {
    const big = JSON.stringify({ givenName: 'A', communicationNeeds: 'x'.repeat(BODY_LIMIT * 2) });
    for (const [method, path] of writes()) {
      const res = await call(t.url, method, path, {
        token: client.token,
        raw: big,
        headers: { 'content-type': 'application/json' },
      });
      assertProblem(res, 413);
    }
    const chunked = await new Promise<{ status: number; type: string; text: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${t.url}/api/v1/people`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${client.token}`,
              'content-type': 'application/json',
              'transfer-encoding': 'chunked',
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                type: res.headers['content-type'] ?? '',
                text,
              }),
            );
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 8; i++) req.write(big.slice(i * 600, (i + 1) * 600));
        req.end();
      },
    );
    assert.equal(chunked.status, 413);
    assert.match(chunked.type, /problem\+json/);
  });

  test('nobody unknown gets a body read: no token with a huge body is 401, not 413', async () => {
    const res = await call(t.url, 'POST', '/api/v1/people', {
      raw: 'x'.repeat(BODY_LIMIT * 2),
      headers: { 'content-type': 'application/json' },
    });
    assertProblem(res, 401);
  });
});

describe('validation errors name each field', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['nothing sent', {}, ['dateOfBirth', 'familyName', 'givenName']],
    [
      'bad NHS number and a future date of birth',
      { givenName: 'A', familyName: 'B', dateOfBirth: '2999-01-01', nhsNumber: '1234567890' },
      ['dateOfBirth', 'nhsNumber'],
    ],
    [
      'wrong types',
      { givenName: 5, familyName: ['B'], dateOfBirth: true },
      ['dateOfBirth', 'familyName', 'givenName'],
    ],
    [
      'not a real date, a bad postcode and an unknown support reason',
      {
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '2001-02-30',
        postcode: 'NOT A POSTCODE',
        primarySupportReason: 'Vibes',
      },
      ['dateOfBirth', 'postcode', 'primarySupportReason'],
    ],
    [
      'a field the API does not know',
      { givenName: 'A', familyName: 'B', dateOfBirth: '2001-02-03', nhs_number: '9434765919' },
      ['nhs_number'],
    ],
    [
      'section 117 without a discharge date',
      { givenName: 'A', familyName: 'B', dateOfBirth: '2001-02-03', s117Section: '3' },
      ['s117DischargeDate'],
    ],
  ];
  for (const [name, json, fields] of cases)
    test(`${name}: 400 with errors for ${fields.join(', ')}`, async () => {
      for (const [method, path] of writes()) {
        if (method === 'PATCH' && name === 'nothing sent') continue; // an empty PATCH is fine
        const res = await call(t.url, method, path, { token: client.token, json });
        const problem = assertProblem(res, 400);
        const got = [...new Set((problem.errors ?? []).map((e) => e.field))].sort();
        if (method === 'PATCH')
          for (const f of fields) assert.ok(got.includes(f), `${f}: ${res.text}`);
        else assert.deepEqual(got, fields, `${method}: ${res.text}`);
        for (const e of problem.errors ?? []) assert.ok(e.message.length > 0);
      }
    });

  test('bad query parameters are a 400 naming the parameter', async () => {
    const cases = [
      ['?limit=0', 'limit'],
      ['?limit=ten', 'limit'],
      ['?limit=51', 'limit'],
      ['?dateOfBirth=31/12/1980', 'dateOfBirth'],
      ['?nhsNumber=12345', 'nhsNumber'],
      ['?surname=smith', 'surname'],
      ['?name=a&name=b', 'name'],
    ];
    for (const [q, field] of cases) {
      const res = await call(t.url, 'GET', `/api/v1/people${q}`, { token: client.token });
      const problem = assertProblem(res, 400);
      assert.deepEqual(
        (problem.errors ?? []).map((e) => e.field),
        [field],
        q,
      );
    }
  });

  test('a malformed If-Match or version is a 400', async () => {
    const bad = [
      [{ 'if-match': 'abc' }, {}, 'If-Match'],
      [{}, { version: 'two' }, 'version'],
      [{}, { version: 0 }, 'version'],
      [{ 'if-match': '"2"' }, { version: 3 }, 'version'],
    ] as const;
    for (const [headers, extra, field] of bad) {
      const res = await call(t.url, 'PATCH', personPath, {
        token: client.token,
        json: { town: 'Leeds', ...extra },
        headers,
      });
      const problem = assertProblem(res, 400);
      assert.equal(problem.errors?.[0]?.field, field);
    }
  });
});

describe('routes that do not exist', () => {
  test('an unknown path or method under /api/ is a 404 problem', async () => {
    const cases = [
      ['GET', '/api/v1/nothing-here'],
      ['GET', '/api/v2/people'],
      ['GET', '/api/'],
      ['DELETE', personPath],
      ['POST', personPath],
    ] as const;
    for (const [method, path] of cases) {
      const res = await call(t.url, method, path, { token: client.token });
      assertProblem(res, 404);
    }
  });
});
