import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatNhsNumber, isValidNhsNumber, nhsCheckDigit, parseNhsNumber } from './nhs-number.ts';

test('known valid and invalid NHS numbers', () => {
  const cases: [string, boolean, string][] = [
    ['9434765919', true, 'NHS Digital worked example'],
    ['943 476 5919', true, 'spaces allowed'],
    ['943-476-5919', true, 'hyphens allowed'],
    ['9434765918', false, 'wrong check digit'],
    ['4010232137', true, 'check digit 7'],
    ['0000000000', true, 'sum 0 gives check 11 → 0'],
    ['1000000001', true, 'weight 10 on the first digit: 11 - 10 = check 1'],
    ['943476591', false, 'nine digits'],
    ['94347659190', false, 'eleven digits'],
    ['943476591A', false, 'a letter'],
    ['', false, 'empty'],
    ['1234567890', false, 'remainder gives check 10: never valid'],
  ];
  for (const [input, valid, why] of cases)
    assert.equal(isValidNhsNumber(input), valid, `${input}: ${why}`);
});

test('check digit 10 means no valid number exists for those nine digits', () => {
  assert.equal(nhsCheckDigit('123456789'), undefined);
  for (let d = 0; d <= 9; d++) assert.equal(isValidNhsNumber(`123456789${d}`), false);
});

test('property: exactly one or no last digit makes nine digits valid', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{9}$/), (nine) => {
      const valid = [...'0123456789'].filter((d) => isValidNhsNumber(nine + d));
      const check = nhsCheckDigit(nine);
      assert.deepEqual(valid, check === undefined ? [] : [String(check)]);
    }),
  );
});

test('property: changing any single digit of a valid number makes it invalid', () => {
  const validNumber = fc
    .stringMatching(/^\d{9}$/)
    .filter((n) => nhsCheckDigit(n) !== undefined)
    .map((n) => n + String(nhsCheckDigit(n)));
  fc.assert(
    fc.property(
      validNumber,
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      (n, pos, delta) => {
        const changed = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        assert.equal(isValidNhsNumber(changed), false);
      },
    ),
  );
});

test('parse normalises and format groups 3-3-4', () => {
  assert.equal(parseNhsNumber(' 943 476 5919 '), '9434765919');
  assert.equal(parseNhsNumber('943 476 5918'), undefined);
  assert.equal(formatNhsNumber('9434765919'), '943 476 5919');
});
