// The API's rate limit counts per client (or per address without a token): one client running
// away is refused with a 429 problem, and other clients carry on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { createPartnership } from '../../../test/support/factories.ts';
import { call, createApiClient, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';

const LIMIT = 5;
let t: TestApp;
let busy: TestApiClient;
let quiet: TestApiClient;
before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  const p = await createPartnership(t.db);
  busy = await createApiClient(t.db, p.id, ['people:read'], 'Busy');
  quiet = await createApiClient(t.db, p.id, ['people:read'], 'Quiet');
});
after(() => t.close());

test('a client over the limit gets a 429 problem with Retry-After; another client does not', async () => {
  for (let i = 0; i < LIMIT; i++) {
    const res = await call(t.url, 'GET', '/api/v1/people', { token: busy.token });
    assert.equal(res.status, 200, `request ${i + 1}`);
    assert.equal(res.headers.get('x-ratelimit-remaining'), String(LIMIT - i - 1));
  }
  const refused = await call(t.url, 'GET', '/api/v1/people', { token: busy.token });
  assert.equal(refused.status, 429);
  assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(problemSchema.parse(refused.body).status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  const other = await call(t.url, 'GET', '/api/v1/people', { token: quiet.token });
  assert.equal(other.status, 200);
});

test('requests without a token are counted by address, and refused before authentication', async () => {
  const statuses: number[] = [];
  for (let i = 0; i <= LIMIT; i++)
    statuses.push((await call(t.url, 'GET', '/api/v1/people?name=x')).status);
  assert.deepEqual(statuses, [...Array<number>(LIMIT).fill(401), 429]);
});
