// The import's fast lane (batch.ts) against readRow (rules.ts): every record the fast lane takes
// must read exactly as readRow reads it (same row, same category), and it must never take a
// record readRow refuses. Records are made from fields with the awkward cases: spaces around
// values, quotes, long values, impossible dates, amounts in every accepted and refused shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pgDays } from '../../platform/db/copy-binary.ts';
import { FastLane, Names, RowBatch, civilOfDays } from './batch.ts';
import { categorise } from './categories.ts';
import {
  BUILT_IN_MAPPINGS,
  CsvScanner,
  checkHeader,
  readRow,
  type ColumnMapping,
  type CsvRecord,
} from './rules.ts';

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

// Mostly good values (so the fast lane has much to take), with the awkward ones mixed in.
const idArb = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Z0-9-]{1,12}$/), weight: 6 },
  pick('', ' T1', 'T1 ', 'T"1', 'a,b', 'x'.repeat(100), 'x'.repeat(101), 'Té1'),
);
const dateArb = (format: string) =>
  fc.oneof(
    fc
      .record({
        y: fc.oneof(fc.integer({ min: 1890, max: 2100 }), pick(2024, 2025, 2026)),
        m: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 12 })),
        d: fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 1, max: 28 })),
        pad: fc.boolean(),
      })
      .map(({ y, m, d, pad }) => {
        const two = (n: number) => (pad ? String(n).padStart(2, '0') : String(n));
        return format === 'YYYY-MM-DD'
          ? `${String(y)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
          : `${two(d)}/${two(m)}/${String(y)}`;
      }),
    pick(
      '',
      ' 01/04/2026',
      '01/04/2026 ',
      '2026-04-01',
      '01/04/26',
      '1/4/2026',
      '29/02/2024',
      '29/02/2025',
    ),
  );
const amountArb = fc.oneof(
  {
    arbitrary: fc
      .record({ neg: fc.boolean(), whole: fc.nat({ max: 2_000_000 }), frac: fc.nat({ max: 99 }) })
      .map(
        ({ neg, whole, frac }) =>
          `${neg ? '-' : ''}${String(whole)}.${String(frac).padStart(2, '0')}`,
      ),
    weight: 4,
  },
  pick(
    '',
    '0',
    '0.00',
    '-0.00',
    '12',
    '12.3',
    '12.345',
    '(3.20)',
    '£1,234.50',
    '+1.00',
    ' 1.00',
    '1.00 ',
    '1,000.00',
    '-',
    '.50',
    '1.',
    '10000000.00',
    '1000000.01',
  ),
);
const mccArb = fc.oneof(
  { arbitrary: pick('', '5411', '7995', '4131', '0742', '742'), weight: 4 },
  pick('54a1', ' 5411', '12345', '12', '9999'),
);
const refArb = fc.oneof(
  { arbitrary: pick('5354 **** **** 0001', '12345678'), weight: 6 },
  pick('', ' 12345678', 'REF"1'),
);
const descArb = fc.oneof(
  { arbitrary: pick('Tesco Stores', 'Bus, city', 'Argos', 'Gym', ''), weight: 4 },
  pick(
    '',
    'Tesco Stores',
    'Bus, city',
    'Refund "Argos"',
    ' padded',
    'padded ',
    'x'.repeat(501),
    'Café',
    'two\nlines',
    'BET365',
  ),
  fc.string({ maxLength: 20 }),
);

/** A CSV field: quoted when it must be, and sometimes when it need not be. */
function field(v: string, quote: boolean): string {
  return quote || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function recordsOf(
  header: string,
  rows: string[][],
  quotes: boolean[],
  take: CsvScanner['take'],
): CsvRecord[] {
  const text = [
    header,
    ...rows.map((r, i) =>
      r.map((v, k) => field(v, quotes[(i + k) % quotes.length] ?? false)).join(','),
    ),
  ].join('\n');
  const scanner = new CsvScanner();
  scanner.take = take;
  return [...scanner.push(Buffer.from(text)), ...scanner.end()];
}

function check(mapping: ColumnMapping, header: string, rowArb: fc.Arbitrary<string[]>): void {
  let taken = 0;
  let declinedGood = 0;
  fc.assert(
    fc.property(
      fc.array(rowArb, { minLength: 1, maxLength: 8 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
      (rows, quotes) => {
        const first = recordsOf(header, [], [false], null)[0];
        assert.ok(first?.fields);
        const checked = checkHeader(first.fields, mapping);
        assert.ok(checked.ok);
        // The usual way: every record as strings, through readRow.
        const usual = recordsOf(header, rows, quotes, null)
          .slice(1)
          .map((r) => readRow(r, checked.positions, mapping));
        // The fast lane: the records it takes land in a batch, the rest come back as usual.
        const batch = new RowBatch(new Names(), new Names());
        const lane = new FastLane(mapping, checked.positions, categorise);
        lane.target = batch;
        let header1 = true;
        const takenLines = new Set<number>();
        const left = recordsOf(header, rows, quotes, (bytes, bounds, line) => {
          if (header1) {
            header1 = false;
            return false;
          }
          const before = batch.count;
          const took = lane.take(bytes, bounds, line);
          if (took) {
            assert.equal(batch.count, before + 1);
            takenLines.add(line);
          }
          return took;
        }).slice(1);
        assert.equal(left.length + takenLines.size, usual.length, 'every record once');
        taken += batch.count;
        declinedGood += usual.filter((u) => u.ok).length - batch.count;
        for (let i = 0; i < batch.count; i++) {
          const got = batch.row(i);
          const same = usual.find((u) => (u.ok ? u.row.line : u.bad.line) === got.line);
          assert.ok(same, `line ${String(got.line)}`);
          assert.ok(same.ok, `the fast lane took line ${String(got.line)}, which readRow refuses`);
          assert.deepEqual(got, same.row);
          assert.equal(batch.category(i), categorise(same.row.mcc, same.row.description));
        }
      },
    ),
    { numRuns: 400 },
  );
  // Both ways were tried: many records taken, and good records the lane left to readRow.
  assert.ok(taken > 100, `the fast lane took ${String(taken)} records`);
  assert.ok(declinedGood > 20, `readRow read ${String(declinedGood)} good records the lane left`);
}

test('prepaid-card records: what the fast lane takes reads as readRow reads it', () => {
  check(
    BUILT_IN_MAPPINGS['prepaid-card'],
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    fc.tuple(idArb, dateArb('DD/MM/YYYY'), refArb, descArb, mccArb, amountArb),
  );
});

test('bank records (paid out and paid in): what the fast lane takes reads as readRow reads it', () => {
  const either = fc.oneof(
    { arbitrary: amountArb.map((a) => [a, '']), weight: 3 },
    { arbitrary: amountArb.map((a) => ['', a]), weight: 3 },
    { arbitrary: fc.tuple(amountArb, amountArb), weight: 1 },
  );
  check(
    BUILT_IN_MAPPINGS.bank,
    'Date,Reference,Description,Paid out,Paid in,Account',
    fc
      .tuple(dateArb('DD/MM/YYYY'), idArb, descArb, either, refArb)
      .map(([d, id, desc, [out, inn], ref]) => [d, id, desc, out ?? '', inn ?? '', ref]),
  );
});

test('ISO dates in a mapping of their own', () => {
  const mapping: ColumnMapping = {
    ...BUILT_IN_MAPPINGS['prepaid-card'],
    name: 'iso-card',
    dateFormat: 'YYYY-MM-DD',
  };
  check(
    mapping,
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    fc.tuple(idArb, dateArb('YYYY-MM-DD'), refArb, descArb, mccArb, amountArb),
  );
});

/** A prepaid-card file's rows offered to a fast lane: its batch and the records it declined. */
function throughLane(rows: string[][]) {
  const mapping = BUILT_IN_MAPPINGS['prepaid-card'];
  const header = 'Transaction ID,Date,Card Number,Merchant,MCC,Amount';
  const batch = new RowBatch(new Names(), new Names());
  const first = recordsOf(header, [], [false], null)[0];
  assert.ok(first?.fields);
  const checked = checkHeader(first.fields, mapping);
  assert.ok(checked.ok);
  const lane = new FastLane(mapping, checked.positions, categorise);
  lane.target = batch;
  let skipHeader = true;
  const left = recordsOf(header, rows, [false], (bytes, bounds, line) => {
    if (skipHeader) return (skipHeader = false);
    return lane.take(bytes, bounds, line);
  });
  return { batch, left };
}

test('the fast lane takes the plain records of a typical statement', () => {
  const { batch, left } = throughLane([
    ['TX1', '01/04/2026', '5354 **** **** 0001', 'Tesco Stores', '5411', '-12.50'],
    ['TX2', '2/4/2026', '5354 **** **** 0001', 'Bus, city', '4131', '3.2'],
    ['TX3', '03/04/2026', '5354 **** **** 0002', 'Refund', '', '-1'],
  ]);
  assert.equal(left.length, 1, 'only the header comes back');
  assert.equal(batch.count, 3);
  assert.deepEqual(
    [0, 1, 2].map((i) => [batch.row(i).amountPence, batch.row(i).date, batch.row(i).mcc]),
    [
      [-1250, '2026-04-01', '5411'],
      [320, '2026-04-02', '4131'],
      [-100, '2026-04-03', null],
    ],
  );
});

test('days and civil dates round trip', () => {
  fc.assert(
    fc.property(fc.integer({ min: -36500, max: 73000 }), (d) => {
      assert.equal(pgDays(civilOfDays(d)), d);
    }),
  );
  assert.equal(civilOfDays(0), '2000-01-01');
  assert.equal(pgDays('2026-11-24'), 9824);
});

test('two card references that hash alike in the fast lane stay two references', () => {
  // FNV-1a gives these two the same 32-bit hash: the lane must compare the bytes, not trust it.
  const [a, b] = ['5354 **** **** LG47', '5354 **** **** P000'];
  const refs = [a, b, a, b, b, a];
  const { batch } = throughLane(
    refs.map((ref, i) => [`TX${String(i)}`, '01/04/2026', ref, 'Shop', '5411', '-1.00']),
  );
  assert.equal(batch.count, refs.length);
  assert.deepEqual(
    refs.map((_, i) => batch.row(i).accountReference),
    refs,
  );
  assert.deepEqual(batch.refs.list, [a, b]);
});
