// Import rules: header checks, dates, row → person, start lines of records, messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CivilDate } from '../../platform/dates.ts';
import {
  checkHeader,
  exitCodeFor,
  formatProblem,
  formatSummary,
  parseImportDate,
  parseSection,
  parseSupportReason,
  recordStartLine,
  rowToPerson,
  type PersonColumn,
  type Team,
} from './rules.ts';

const TODAY = '2026-06-01' as CivilDate;
const TEAMS = new Map<string, Team>([
  [
    'north cmht',
    {
      id: '00000000-0000-4000-8000-000000000001',
      organisationId: '00000000-0000-4000-8000-0000000000aa',
    },
  ],
]);

test('header: required columns, unknown columns, repeats', () => {
  const ok = checkHeader([
    'External_ID ',
    'given_name',
    'family_name',
    'date_of_birth',
    'shoe_size',
  ]);
  assert.ok(ok.ok);
  assert.deepEqual(ok.columns, ['external_id', 'given_name', 'family_name', 'date_of_birth', null]);
  assert.deepEqual(ok.unknown, ['shoe_size']);

  const cases: [string[], RegExp][] = [
    [
      ['given_name', 'family_name', 'date_of_birth'],
      /no external_id column, so nothing was imported/,
    ],
    [['external_id', 'given_name'], /no family_name, date_of_birth columns/],
    [
      ['external_id', 'given_name', 'family_name', 'date_of_birth', 'town', 'TOWN'],
      /column town more than once/,
    ],
  ];
  for (const [header, message] of cases) {
    const r = checkHeader(header);
    assert.ok(!r.ok, header.join(','));
    assert.match(r.message, message);
  }
});

test('dates: YYYY-MM-DD as is, DD/MM/YYYY turned round, anything else left for the schema', () => {
  const cases: [string, string][] = [
    ['1980-02-01', '1980-02-01'],
    [' 01/02/1980 ', '1980-02-01'],
    ['1/2/1980', '1980-02-01'],
    ['31/02/1980', '31/02/1980'],
    ['02/01/80', '02/01/80'],
    ['', ''],
  ];
  for (const [input, expected] of cases) assert.equal(parseImportDate(input), expected, input);
});

test('section 117 and support reason are read forgivingly', () => {
  const sections: [string, string][] = [
    ['3', '3'],
    ['s3', '3'],
    ['Section 37', '37'],
    ['45a', '45A'],
    ['', ''],
  ];
  for (const [input, expected] of sections) assert.equal(parseSection(input), expected, input);
  assert.equal(parseSupportReason('mental health support'), 'Mental Health Support');
  assert.equal(parseSupportReason(''), undefined);
  assert.equal(parseSupportReason('Feeling low'), 'Feeling low');
});

const COLUMNS: PersonColumn[] = [
  'external_id',
  'given_name',
  'family_name',
  'date_of_birth',
  'nhs_number',
  'team',
  'primary_support_reason',
  's117_section',
  's117_discharge_date',
];
const row = (over: Partial<Record<PersonColumn, string>>) =>
  COLUMNS.map(
    (c) =>
      over[c] ??
      (
        {
          external_id: 'E1',
          given_name: 'Ann',
          family_name: 'Lee',
          date_of_birth: '1980-02-01',
        } as Record<string, string>
      )[c] ??
      '',
  );

test('a good row becomes the person the schema describes, with its team and lead organisation', () => {
  const r = rowToPerson(
    row({
      nhs_number: '943 476 5919',
      team: 'North CMHT',
      date_of_birth: '01/02/1980',
      s117_section: 's3',
      s117_discharge_date: '2020-01-01',
    }),
    COLUMNS,
    TODAY,
    TEAMS,
  );
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.person.externalId, 'E1');
  assert.equal(r.person.dateOfBirth, '1980-02-01');
  assert.equal(r.person.nhsNumber, '9434765919');
  assert.equal(r.person.teamId, '00000000-0000-4000-8000-000000000001');
  assert.equal(r.person.leadOrganisationId, '00000000-0000-4000-8000-0000000000aa');
  assert.equal(r.person.primarySupportReason, 'Mental Health Support');
  assert.equal(r.person.s117Section, '3');
});

test('bad rows: every reason, in plain English, naming the column', () => {
  const cases: [Partial<Record<PersonColumn, string>>, RegExp[]][] = [
    [{ external_id: '' }, [/^external_id: enter the ID/]],
    [{ given_name: ' ' }, [/^given_name: Enter a first name/]],
    [
      { date_of_birth: '2099-01-01' },
      [/^date_of_birth: Date of birth must be today or in the past/],
    ],
    [
      { date_of_birth: '31/02/1980' },
      [/^date_of_birth: Date of birth must be a real date \(write dates as/],
    ],
    [{ nhs_number: '1234567890' }, [/^nhs_number: Enter a valid NHS number/]],
    [{ nhs_number: '12345' }, [/^nhs_number: NHS number must be 10 digits/]],
    [{ team: 'South' }, [/^team: there is no team called "South"/]],
    [{ primary_support_reason: 'Sad' }, [/^primary_support_reason: .*Client Level Data values/]],
    [{ s117_section: '2', s117_discharge_date: '2020-01-01' }, [/^s117_section: .*45A/]],
    [{ s117_section: '3' }, [/^s117_discharge_date: Enter the date they left hospital/]],
    [
      { given_name: '', family_name: '', nhs_number: '1' },
      [/^given_name/, /^family_name/, /^nhs_number/],
    ],
  ];
  for (const [over, expected] of cases) {
    const r = rowToPerson(row(over), COLUMNS, TODAY, TEAMS);
    assert.ok(!r.ok, JSON.stringify(over));
    assert.equal(
      r.reasons.length,
      expected.length,
      `${JSON.stringify(over)}: ${r.reasons.join(' | ')}`,
    );
    expected.forEach((re, i) => assert.match(r.reasons[i] ?? '', re));
  }
});

test('wrong number of values and text that is not UTF-8 are reported, not thrown', () => {
  const short = rowToPerson(['E1', 'Ann'], COLUMNS, TODAY, TEAMS);
  assert.ok(!short.ok);
  assert.match(short.reasons[0] ?? '', /2 values but the header has 9 columns/);
  const garbled = rowToPerson(row({ family_name: 'L\uFFFDe' }), COLUMNS, TODAY, TEAMS);
  assert.ok(!garbled.ok);
  assert.match(garbled.reasons[0] ?? '', /family_name is not valid UTF-8/);
});

test('unknown columns are ignored in rows', () => {
  const r = rowToPerson(
    ['E1', 'Ann', 'Lee', '1980-02-01', 'whatever'],
    ['external_id', 'given_name', 'family_name', 'date_of_birth', null],
    TODAY,
    TEAMS,
  );
  assert.ok(r.ok);
});

test('the line a record starts on, from where it ends and its raw text', () => {
  const cases: [number, string, number][] = [
    [2, 'a,b\n', 2],
    [3, '1,"two\nlines"\n', 2],
    [5, '\n3,x\n', 5],
    [6, '\r\n\r\n1,"a\r\nb\r\nc"\r\n', 4],
    [9, 'last,row', 9],
  ];
  for (const [end, raw, start] of cases)
    assert.equal(recordStartLine(end, raw), start, JSON.stringify(raw));
});

test('messages and exit codes', () => {
  assert.equal(formatProblem({ line: 7, reasons: ['a', 'b'] }), 'Line 7: a; b');
  const counts = { created: 1200, updated: 3, unchanged: 0, rejected: 1 };
  assert.equal(
    formatSummary(counts),
    '1,204 rows: 1,200 created, 3 updated, 0 unchanged, 1 rejected',
  );
  assert.equal(exitCodeFor(counts), 1);
  assert.equal(exitCodeFor({ ...counts, rejected: 0 }), 0);
});
