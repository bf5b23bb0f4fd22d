// API tokens: the shape, what is stored, and which tokens authenticate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import { createPartnership, type TestPartnership } from '../../../test/support/factories.ts';
import {
  apiTokenHash,
  apiTokenPrefix,
  authenticateApiToken,
  createApiToken,
} from './api-tokens.ts';

let db: Db;
let p: TestPartnership;
before(async () => {
  db = await freshDb();
  p = await createPartnership(db);
});
after(() => db.close());

async function storeClient(permissions: string[], revoked = false) {
  const t = createApiToken();
  const row = await db.system
    .insertInto('api_clients')
    .values({
      partnership_id: p.id,
      name: `Client ${t.prefix}`,
      token_prefix: t.prefix,
      token_hash: t.hash,
      permissions,
      revoked_at: revoked ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...t, id: row.id };
}

test('a new token has the documented shape, and its hash covers the whole token', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const t = createApiToken();
    assert.match(t.token, /^pooled_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(apiTokenPrefix(t.token), t.prefix);
    assert.equal(t.hash, apiTokenHash(t.token));
    seen.add(t.token);
  }
  assert.equal(seen.size, 50, 'tokens do not repeat');
});

test('malformed tokens have no prefix', () => {
  for (const bad of ['', 'pooled_', 'pooled_abc_def', 'Bearer x', `pooled_${'g'.repeat(12)}_x`])
    assert.equal(apiTokenPrefix(bad), undefined, bad);
});

test('the right token authenticates, within its partnership, and is marked as used', async () => {
  const c = await storeClient(['people:read', 'audit:read']);
  const when = new Date('2026-03-03T10:04:00Z');
  const principal = await authenticateApiToken(db, c.token, () => when);
  assert.ok(principal);
  assert.equal(principal.kind, 'api_client');
  assert.equal(principal.clientId, c.id);
  assert.equal(principal.partnershipId, p.id);
  assert.deepEqual([...principal.permissions].sort(), ['audit:read', 'people:read']);
  const row = await db.system
    .selectFrom('api_clients')
    .select('last_used_at')
    .where('id', '=', c.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.last_used_at?.toISOString(), when.toISOString());
});

test('wrong, altered, unknown and revoked tokens are refused', async () => {
  const c = await storeClient(['people:read']);
  const revoked = await storeClient(['people:read'], true);
  const lastChar = c.token.at(-1) === 'A' ? 'B' : 'A';
  const cases: [string, string][] = [
    ['altered secret', c.token.slice(0, -1) + lastChar],
    ['right prefix, other secret', `pooled_${c.prefix}_${createApiToken().token.slice(-43)}`],
    ['unknown prefix', createApiToken().token],
    ['revoked', revoked.token],
    ['empty', ''],
    ['garbage', 'not a token at all'],
  ];
  for (const [name, token] of cases)
    assert.equal(await authenticateApiToken(db, token), undefined, name);
});
