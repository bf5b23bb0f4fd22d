import { test } from 'node:test';
import assert from 'node:assert/strict';
import { personInputSchema } from './schema.ts';
import type { CivilDate } from '../../platform/dates.ts';

const today = '2026-11-23' as CivilDate;
const schema = personInputSchema(today);
const base = { givenName: 'Ada', familyName: 'Lovelace', dateOfBirth: '1980-02-29' };

const firstError = (input: Record<string, unknown>) => {
  const r = schema.safeParse(input);
  return r.success
    ? undefined
    : { path: r.error.issues[0]!.path.join('.'), message: r.error.issues[0]!.message };
};

test('a minimal person is valid and normalised', () => {
  const r = schema.parse({
    ...base,
    nhsNumber: '943 476 5919',
    postcode: 'ls14ap',
    s117Section: '',
  });
  assert.equal(r.nhsNumber, '9434765919');
  assert.equal(r.postcode, 'LS1 4AP');
  assert.equal(r.primarySupportReason, 'Mental Health Support');
  assert.equal(r.s117Section, null);
  assert.equal(r.s117DischargeDate, null);
  assert.equal(r.preferredName, null);
});

test('bad input is refused with a message naming the field', () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ ...base, givenName: '  ' }, 'givenName', /first name/],
    [{ ...base, familyName: undefined }, 'familyName', /last name/],
    [{ ...base, dateOfBirth: '2027-01-01' }, 'dateOfBirth', /past/],
    [{ ...base, dateOfBirth: '1981-02-29' }, 'dateOfBirth', /real date/],
    [{ ...base, dateOfBirth: '' }, 'dateOfBirth', /Enter date of birth/],
    [{ ...base, nhsNumber: '9434765918' }, 'nhsNumber', /valid NHS number/],
    [{ ...base, nhsNumber: '12345' }, 'nhsNumber', /10 digits/],
    [{ ...base, postcode: 'NOT A POSTCODE' }, 'postcode', /postcode/],
    [{ ...base, email: 'nope' }, 'email', /email/],
    [{ ...base, primarySupportReason: 'Sad' }, 'primarySupportReason', /primary support reason/],
    [{ ...base, s117Section: '2' }, 's117Section', /section/],
    [{ ...base, s117Section: '3' }, 's117DischargeDate', /left hospital/],
    [{ ...base, s117Section: '3', s117DischargeDate: '2030-01-01' }, 's117DischargeDate', /past/],
    [{ ...base, s117DischargeDate: '2020-01-01' }, 's117Section', /section/],
  ];
  for (const [input, path, message] of cases) {
    const e = firstError(input);
    assert.ok(e, `expected an error for ${JSON.stringify(input)}`);
    assert.equal(e.path, path, JSON.stringify(input));
    assert.match(e.message, message);
  }
});

test('section 117 with a discharge date is kept', () => {
  const r = schema.parse({ ...base, s117Section: '37', s117DischargeDate: '2025-06-30' });
  assert.equal(r.s117Section, '37');
  assert.equal(r.s117DischargeDate, '2025-06-30');
});

test('HTML and SQL are data, kept as typed', () => {
  const r = schema.parse({
    ...base,
    givenName: '<script>alert(1)</script>',
    familyName: "O'Brien'; drop table people;--",
  });
  assert.equal(r.givenName, '<script>alert(1)</script>');
  assert.equal(r.familyName, "O'Brien'; drop table people;--");
});
