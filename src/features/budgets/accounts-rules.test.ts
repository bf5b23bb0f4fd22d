import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatSortCode,
  kindsFor,
  maskAccountReference,
  parseAccountForm,
  type AccountForm,
} from './accounts-rules.ts';

const blank: AccountForm = {
  kind: '',
  payeeName: '',
  sortCode: '',
  accountNumber: '',
  cardReference: '',
  organisationReference: '',
};

test('the form: a table of good and bad answers, each problem on its field', () => {
  const cases: {
    holding: Parameters<typeof parseAccountForm>[1];
    form: Partial<AccountForm>;
    ok?: unknown;
    errors?: string[];
  }[] = [
    {
      holding: 'direct_payment',
      form: {
        kind: 'bank',
        payeeName: ' Sam Carter ',
        sortCode: '30-94-57',
        accountNumber: '0073 3445',
      },
      ok: { kind: 'bank', payeeName: 'Sam Carter', sortCode: '309457', accountNumber: '00733445' },
    },
    {
      holding: 'direct_payment',
      form: { kind: 'bank', payeeName: 'Sam', sortCode: '30 94 57', accountNumber: '00733445' },
      ok: { kind: 'bank', payeeName: 'Sam', sortCode: '309457', accountNumber: '00733445' },
    },
    {
      holding: 'mixed',
      form: { kind: 'card', payeeName: 'Sam', cardReference: ' PFS 5355 **** 0001 ' },
      ok: { kind: 'card', payeeName: 'Sam', cardReference: 'PFS 5355 **** 0001' },
    },
    {
      holding: 'third_party',
      form: {
        kind: 'organisation',
        payeeName: 'Brackenshire Trust',
        organisationReference: 'SUP-1',
      },
      ok: { kind: 'organisation', payeeName: 'Brackenshire Trust', organisationReference: 'SUP-1' },
    },
    { holding: 'direct_payment', form: {}, errors: ['kind', 'payeeName'] },
    { holding: 'direct_payment', form: { kind: 'organisation', payeeName: 'X' }, errors: ['kind'] },
    {
      holding: 'direct_payment',
      form: { kind: 'bank' },
      errors: ['payeeName', 'sortCode', 'accountNumber'],
    },
    {
      holding: 'direct_payment',
      form: { kind: 'bank', payeeName: 'Sam', sortCode: '30-94-5', accountNumber: '1234567' },
      errors: ['sortCode', 'accountNumber'],
    },
    {
      holding: 'direct_payment',
      form: { kind: 'bank', payeeName: 'Sam', sortCode: 'ab-cd-ef', accountNumber: '123456789' },
      errors: ['sortCode', 'accountNumber'],
    },
    {
      holding: 'direct_payment',
      form: { kind: 'card', payeeName: 'Sam', cardReference: '  ' },
      errors: ['cardReference'],
    },
    {
      holding: 'direct_payment',
      form: { kind: 'card', payeeName: 'Sam', cardReference: 'x'.repeat(61) },
      errors: ['cardReference'],
    },
    {
      holding: 'individual_service_fund',
      form: { kind: 'organisation', payeeName: 'Y'.repeat(141), organisationReference: '' },
      errors: ['payeeName', 'organisationReference'],
    },
  ];
  for (const c of cases) {
    const r = parseAccountForm({ ...blank, ...c.form }, c.holding);
    if (c.ok) assert.deepEqual(r, { ok: true, details: c.ok }, JSON.stringify(c.form));
    else {
      assert.equal(r.ok, false, JSON.stringify(c.form));
      if (!r.ok)
        assert.deepEqual(
          r.errors.map((e) => e.field),
          c.errors,
          JSON.stringify(c.form),
        );
    }
  }
});

test('an organisation may hold third-party money and ISFs only', () => {
  assert.deepEqual(kindsFor('direct_payment'), ['bank', 'card']);
  assert.deepEqual(kindsFor('mixed'), ['bank', 'card']);
  assert.ok(kindsFor('third_party').includes('organisation'));
  assert.ok(kindsFor('individual_service_fund').includes('organisation'));
  assert.equal(formatSortCode('309457'), '30-94-57');
});

test('masking: a table of references', () => {
  const cases: [string, string][] = [
    ['30-94-57 00733445', '**-**-** ****3445'],
    ['5355 1234 5678 9012', '**** **** **** 9012'],
    ['5355********9012', '****' + '********' + '9012'],
    ['1234', '1234'],
    ['PFS-000123456', 'PFS-000123456'],
    ['SUP-1', 'SUP-1'],
    ['DP-0A1B2C-social-care', 'DP-0A1B2C-social-care'],
  ];
  for (const [ref, shown] of cases) assert.equal(maskAccountReference(ref), shown, ref);
});

test('property: a masked bank account or card number shows no digit but its last 4', () => {
  const numberish = fc
    .array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-', '*'), {
      minLength: 1,
      maxLength: 30,
    })
    .map((cs) => cs.join(''));
  fc.assert(
    fc.property(numberish, (ref) => {
      const masked = maskAccountReference(ref);
      assert.equal(masked.length, ref.length);
      const digits = ref.replace(/\D/g, '');
      const shown = masked.replace(/\D/g, '');
      assert.equal(shown, digits.slice(Math.max(0, digits.length - 4)));
      assert.equal(masked.replace(/\d/g, '*'), ref.replace(/\d/g, '*'));
    }),
  );
});
