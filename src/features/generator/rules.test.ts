// Generator rules: synthetic NHS numbers are valid and unique; generated people pass the person schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isValidNhsNumber } from '../../platform/nhs-number.ts';
import { personInputSchema } from '../people/schema.ts';
import type { CivilDate } from '../../platform/dates.ts';
import {
  csvField,
  generatePerson,
  makeIdFactory,
  makeRandom,
  plan,
  planAssessments,
  syntheticNhsNumber,
} from './rules.ts';

test('synthetic NHS numbers: every one passes the modulus-11 check', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9_999_999 }), (n) =>
      isValidNhsNumber(syntheticNhsNumber(n)),
    ),
  );
});

test('synthetic NHS numbers: the first 200,000 are all different', () => {
  const seen = new Set<string>();
  for (let n = 0; n < 200_000; n++) seen.add(syntheticNhsNumber(n));
  assert.equal(seen.size, 200_000);
});

test('synthetic NHS numbers: out of range is refused', () => {
  for (const n of [-1, 10_000_000, 1.5]) assert.throws(() => syntheticNhsNumber(n), RangeError);
});

test('generated people pass the same schema as a person typed into the form', () => {
  const rand = makeRandom(99);
  const schema = personInputSchema('2025-01-01' as CivilDate);
  for (let i = 0; i < 3000; i++) {
    const p = generatePerson(rand, i, 100);
    const r = schema.safeParse({
      givenName: p.givenName,
      familyName: p.familyName,
      dateOfBirth: p.dateOfBirth,
      nhsNumber: p.nhsNumber ?? '',
      councilPersonId: p.councilPersonId,
      externalId: p.externalId,
      addressLine1: p.addressLine1,
      town: p.town,
      postcode: p.postcode,
      phone: p.phone ?? '',
      email: p.email ?? '',
      communicationNeeds: p.communicationNeeds ?? '',
      primarySupportReason: p.primarySupportReason,
      s117Section: p.s117Section ?? '',
      s117DischargeDate: p.s117DischargeDate ?? '',
    });
    assert.ok(r.success, `person ${String(i)}: ${JSON.stringify(r.error?.issues)}`);
    assert.ok(p.coordinatorIndex >= 0 && p.coordinatorIndex < 100);
  }
});

test('the same seed gives the same stream of people; another seed does not', () => {
  const names = (seed: number) => {
    const rand = makeRandom(seed);
    return Array.from({ length: 50 }, (_, i) => {
      const p = generatePerson(rand, i, 10);
      return `${p.givenName} ${p.familyName} ${p.dateOfBirth}`;
    });
  };
  assert.deepEqual(names(5), names(5));
  assert.notDeepEqual(names(5), names(6));
});

test('sizes: a team for about 2,000 people, a coordinator for about 30', () => {
  const cases: [number, number, number][] = [
    [1, 2, 2],
    [500, 2, 17],
    [1_000_000, 500, 33_333],
  ];
  for (const [people, teams, coordinators] of cases)
    assert.deepEqual(plan(people), { teams, coordinators }, String(people));
});

test('ids are UUID-shaped and differ by kind and number', () => {
  const id = makeIdFactory('code', 1);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(id('person', 123456), uuid);
  assert.notEqual(id('person', 1), id('user', 1));
  assert.notEqual(id('person', 1), id('person', 2));
  assert.notEqual(id('person', 1), makeIdFactory('other', 1)('person', 1));
});

test('CSV fields are quoted only when needed', () => {
  const cases: [string | number | null, string][] = [
    [null, ''],
    ['', '""'],
    ['plain', 'plain'],
    [12, '12'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
  ];
  for (const [value, expected] of cases) assert.equal(csvField(value), expected);
});

test('assessment plans: deterministic, answers in range, shares respected', () => {
  const counts = [4, 4, 2, 7];
  const a = planAssessments(5, 2000, counts, { assessed: 0.9, reassessed: 0.1 });
  const b = planAssessments(5, 2000, counts, { assessed: 0.9, reassessed: 0.1 });
  assert.deepEqual(a, b);
  const firsts = a.sequence.subarray(0, a.count).filter((x) => x === 1).length;
  assert.ok(firsts > 1700 && firsts < 1900, `about 90% assessed (got ${String(firsts)})`);
  assert.ok(a.count - firsts > 120 && a.count - firsts < 240, 'about 10% reassessed');
  for (let r = 0; r < a.count; r++) {
    counts.forEach((n, k) => assert.ok((a.answers[r * counts.length + k] ?? -1) < n));
    if (a.sequence[r] === 2) {
      assert.equal(a.person[r], a.person[r - 1], 'a reassessment follows the first');
      assert.ok((a.day[r] ?? 0) > (a.day[r - 1] ?? 0), 'and is later');
    }
  }
  assert.equal(planAssessments(5, 100, counts, { assessed: 0, reassessed: 1 }).count, 0);
  assert.throws(() => planAssessments(5, 1, [0], { assessed: 1, reassessed: 0 }), RangeError);
});
