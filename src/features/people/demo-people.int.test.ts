// The demo people: about fifty, valid by the person schema, varied, and the same every time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import { isValidNhsNumber } from '../../platform/nhs-number.ts';
import { todayInLondon } from '../../platform/dates.ts';
import { freshDb } from '../../../test/support/db.ts';
import { seedDemo } from '../demo/seed.ts';
import { personInputSchema } from './schema.ts';

let db: Db;
before(async () => {
  db = await freshDb();
  assert.equal(await seedDemo(db), true);
});
after(() => db.close());

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

test('about fifty demo people, each valid by the one person schema', async () => {
  const people = await db.system.selectFrom('people').selectAll().execute();
  assert.ok(people.length >= 45 && people.length <= 55, String(people.length));
  const schema = personInputSchema(todayInLondon());
  const fields = Object.keys(
    schema.parse({ givenName: 'a', familyName: 'b', dateOfBirth: '2000-01-01' }),
  );
  for (const p of people) {
    const row = p as unknown as Record<string, unknown>;
    const input = Object.fromEntries(fields.map((f) => [f, row[snake(f)] ?? '']));
    const r = schema.safeParse(input);
    assert.ok(r.success, `${p.given_name} ${p.family_name}: ${JSON.stringify(r.error?.issues)}`);
    if (p.nhs_number) {
      assert.ok(isValidNhsNumber(p.nhs_number));
      assert.ok(p.nhs_number.startsWith('999'));
    }
    const age = Number(todayInLondon().slice(0, 4)) - Number(p.date_of_birth.slice(0, 4));
    assert.ok(age >= 18 && age <= 86, `age ${age}`);
  }
});

test('variety: coordinators, teams, section 117, support reasons, needs, consent', async () => {
  const sam = await db.system
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'coordinator@demo.pooled.test')
    .executeTakeFirstOrThrow();
  const people = await db.system.selectFrom('people').selectAll().execute();
  const samCount = people.filter((p) => p.care_coordinator_id === sam.id).length;
  assert.ok(samCount >= 12 && samCount <= 18, `Sam has ${samCount}`);
  assert.equal(new Set(people.map((p) => p.team_id)).size, 2);
  assert.deepEqual([...new Set(people.map((p) => p.s117_section).filter(Boolean))].sort(), [
    '3',
    '37',
  ]);
  assert.ok(people.every((p) => !p.s117_section || p.s117_discharge_date));
  const mh = people.filter((p) => p.primary_support_reason === 'Mental Health Support').length;
  assert.ok(mh > people.length / 2 && mh < people.length);
  assert.ok(people.filter((p) => p.communication_needs).length >= 3);
  assert.ok(people.some((p) => /BSL|Sign Language/.test(p.communication_needs ?? '')));
  const consents = await db.system.selectFrom('consents').selectAll().execute();
  assert.ok(new Set(consents.map((c) => c.person_id)).size > people.length / 2);
  assert.equal(consents.filter((c) => c.withdrawn_on).length, 1);
  const reps = await db.system.selectFrom('person_representatives').selectAll().execute();
  assert.ok(reps.length >= 3);
});

test('the demo people are the same every time', async () => {
  const other = await freshDb();
  try {
    await seedDemo(other);
    const key = (d: Db) =>
      d.system
        .selectFrom('people')
        .select(['given_name', 'family_name', 'date_of_birth', 'nhs_number', 'postcode'])
        .orderBy('family_name')
        .execute();
    assert.deepEqual(await key(other), await key(db));
  } finally {
    await other.close();
  }
});
