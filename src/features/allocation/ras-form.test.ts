// The administrator's RAS form as pure functions: a version round-trips through the form's
// values; each kind of mistake comes back on its field with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_RAS } from './demo-ras.ts';
import {
  formRows,
  nextVersionId,
  parseQuestionLines,
  parseRasForm,
  versionValues,
  type FormValues,
} from './ras-form.ts';
import { rasVersionSchema } from './rules.ts';

const demo = rasVersionSchema.parse(DEMO_RAS);

const bandsValues = (): FormValues => ({
  ...versionValues(demo),
  pricingKind: 'bands',
  pricePerPoint: '',
  'band-0-from': '0',
  'band-0-to': '20',
  'band-0-amount': '1,000',
  'band-1-from': '21',
  'band-1-to': '',
  'band-1-amount': '5000.50',
});

const messages = (values: FormValues) => {
  const r = parseRasForm(values);
  assert.equal(r.ok, false, 'expected the form to be refused');
  return r.ok ? [] : r.errors;
};

test('a version round-trips through the form values unchanged', () => {
  const r = parseRasForm(versionValues(demo));
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  assert.deepEqual(r.version, demo);
});

test('bands and percentages with decimals are read exactly', () => {
  const values = {
    ...bandsValues(),
    contingencyPercent: '2.5%',
    'stream-0-share': '33.33',
    'stream-1-share': '66.67',
  };
  const r = parseRasForm(values);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  assert.deepEqual(r.version.pricing, {
    kind: 'bands',
    bands: [
      { fromPoints: 0, toPoints: 20, annualPence: 100_000 },
      { fromPoints: 21, toPoints: null, annualPence: 500_050 },
    ],
  });
  assert.equal(r.version.contingency.basisPoints, 250);
  assert.deepEqual(
    r.version.fundingStreams.map((s) => s.shareBasisPoints),
    [3333, 6667],
  );
  assert.deepEqual(parseRasForm(versionValues(r.version)), r);
});

test('overlapping bands are refused with the rules message on the band row', () => {
  const errors = messages({ ...bandsValues(), 'band-1-from': '15' });
  assert.deepEqual(errors, [
    {
      field: 'band-1-from',
      message: 'Band 2 overlaps the band before it: it must start at 21 points',
    },
  ]);
});

test('a negative price per point is refused in the rules words', () => {
  const errors = messages({ ...versionValues(demo), pricePerPoint: '-3.50' });
  assert.deepEqual(errors, [
    { field: 'pricePerPoint', message: 'The price per point must not be negative' },
  ]);
});

test('shares that do not add up to 100% are refused', () => {
  const errors = messages({ ...versionValues(demo), 'stream-1-share': '30' });
  assert.deepEqual(errors, [
    {
      field: 'fundingStreams',
      message: 'The funding stream shares must add up to exactly 100%, but they add up to 90%',
    },
  ]);
});

test('fields that cannot be read say what to type, and are not reported twice', () => {
  const errors = messages({
    ...versionValues(demo),
    code: '',
    name: '',
    'effectiveFrom-day': '31',
    'effectiveFrom-month': '2',
    'effectiveFrom-year': '2027',
    pricePerPoint: 'lots',
    contingencyPercent: '5.555',
    contingencyMode: '',
    minimum: '',
    'stream-2-name': 'Health',
    'stream-2-kind': '',
    'stream-2-share': '',
  });
  assert.deepEqual(
    errors.map((e) => e.field),
    [
      'code',
      'name',
      'effectiveFrom',
      'pricePerPoint',
      'contingencyPercent',
      'contingencyMode',
      'minimum',
      'stream-2-kind',
      'stream-2-share',
    ],
  );
  assert.match(errors[2]?.message ?? '', /real date/);
  assert.match(errors[3]?.message ?? '', /price per point in pounds and pence/);
  assert.match(errors[4]?.message ?? '', /no more than 2 numbers after the decimal point/);
});

test('two streams with the same name are refused', () => {
  const errors = messages({
    ...versionValues(demo),
    'stream-1-name': 'council SOCIAL care',
    'stream-1-id': '',
  });
  assert.deepEqual(
    errors.map((e) => e.field),
    ['stream-1-name'],
  );
  assert.match(errors[0]?.message ?? '', /both called "council SOCIAL care"/);
});

test('question lines: mistakes are reported with their line numbers', () => {
  const q = parseQuestionLines(
    '- early | An answer first | 1\nmood | Your mood\n- low | Low | two\nno bar here\n- ok | Fine\n',
  );
  assert.deepEqual(q.errors, [
    'Questions, line 1: an answer must come after its question. Put the question on the line before it',
    'Questions, line 3: the points for answer "low" must be a whole number, like 2',
    'Questions, line 4: a question needs its id, a |, then its text, like "medication | Managing your medication". Start answer lines with a hyphen',
    'Questions, line 5: an answer needs its id, its text and its points, separated by |, like "- some | I need reminders | 2"',
  ]);
});

test('rules problems in the questions point to the line they are on', () => {
  const errors = messages({
    ...versionValues(demo),
    questions: 'mood | Your mood\n- low | Low | 0\n- low | Very low | -2\n\nsleep | Sleep\n',
  });
  assert.deepEqual(errors, [
    { field: 'questions', message: 'Questions, line 3: Points must not be negative' },
    { field: 'questions', message: 'Questions, line 5: A question needs at least one answer' },
    {
      field: 'questions',
      message: 'Questions, line 1: Answer id "low" is used more than once in question "mood"',
    },
  ]);
});

test('rows: filled rows, then spare ones; more on request', () => {
  const values = bandsValues();
  assert.equal(formRows(values, 'band', 4).length, 4);
  assert.equal(formRows({ ...values, 'band-5-from': '9' }, 'band', 4).length, 8);
  assert.equal(formRows(values, 'band', 4, true).length, 7);
  assert.deepEqual(formRows(values, 'band', 4)[1]?.values, {
    from: '21',
    to: '',
    amount: '5000.50',
  });
});

test('a copy gets the next free version id', () => {
  assert.equal(nextVersionId('adult-v1', new Set(['adult-v1'])), 'adult-v2');
  assert.equal(nextVersionId('adult-v1', new Set(['adult-v1', 'adult-v2'])), 'adult-v3');
  assert.equal(nextVersionId('adult', new Set(['adult'])), 'adult-2');
});
