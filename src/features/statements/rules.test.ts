import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BUILT_IN_MAPPINGS,
  CsvScanner,
  NOT_UTF8,
  QUOTE_IN_VALUE,
  TEXT_AFTER_QUOTE,
  UNCLOSED_QUOTE,
  checkHeader,
  csvRecords,
  parseStatementDate,
  readMapping,
  readRow,
  type CsvRecord,
} from './rules.ts';
import { categorise, matchPlanItem, NEVER_BUY_BY_BODY } from './categories.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function scanAll(chunks: Uint8Array[]): CsvRecord[] {
  const s = new CsvScanner();
  const out: CsvRecord[] = [];
  for (const c of chunks) out.push(...s.push(c));
  out.push(...s.end());
  return out;
}
const scan = (text: string | Uint8Array) => scanAll([typeof text === 'string' ? enc(text) : text]);

test('csv: records, quotes, line numbers', () => {
  const cases: [string, CsvRecord[]][] = [
    [
      'a,b\n1,2\n',
      [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
      ],
    ],
    [
      'a,b\r\n1,2\r\n',
      [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
      ],
    ],
    [
      'a,b\n1,2',
      [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
      ],
    ],
    ['\uFEFFa,b\n', [{ line: 1, fields: ['a', 'b'] }]],
    [
      'a\n\n\nb\n',
      [
        { line: 1, fields: ['a'] },
        { line: 4, fields: ['b'] },
      ],
    ],
    ['"x,y",z\n', [{ line: 1, fields: ['x,y', 'z'] }]],
    [
      '"line\none",2\nnext,3\n',
      [
        { line: 1, fields: ['line\none', '2'] },
        { line: 3, fields: ['next', '3'] },
      ],
    ],
    ['"say ""hi""",1\n', [{ line: 1, fields: ['say "hi"', '1'] }]],
    ['"",\n', [{ line: 1, fields: ['', ''] }]],
    ['a,,c\n', [{ line: 1, fields: ['a', '', 'c'] }]],
    ['a,b,\n', [{ line: 1, fields: ['a', 'b', ''] }]],
    ['a,b,', [{ line: 1, fields: ['a', 'b', ''] }]],
    [
      '"q"\r\n1\r\n',
      [
        { line: 1, fields: ['q'] },
        { line: 2, fields: ['1'] },
      ],
    ],
    ['café,£1\n', [{ line: 1, fields: ['café', '£1'] }]],
    [
      'ab"c,1\nok\n',
      [
        { line: 1, problem: QUOTE_IN_VALUE },
        { line: 2, fields: ['ok'] },
      ],
    ],
    [
      '"ab"c,1\nok\n',
      [
        { line: 1, problem: TEXT_AFTER_QUOTE },
        { line: 2, fields: ['ok'] },
      ],
    ],
    [
      'ok\n"never closed,1\n2\n',
      [
        { line: 1, fields: ['ok'] },
        { line: 2, problem: UNCLOSED_QUOTE },
      ],
    ],
  ];
  for (const [text, expected] of cases)
    assert.deepEqual(scan(text), expected, JSON.stringify(text));
});

test('csv: a record that is not UTF-8 is a bad row and the next one is read', () => {
  const bytes = new Uint8Array([
    ...enc('a,b\n'),
    0x43,
    0x61,
    0x66,
    0xe9,
    0x2c,
    0x31,
    0x0a,
    ...enc('ok,2\n'),
  ]);
  assert.deepEqual(scan(bytes), [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, problem: NOT_UTF8 },
    { line: 3, fields: ['ok', '2'] },
  ]);
  // A truncated multi-byte character at the very end of the file.
  assert.deepEqual(scan(new Uint8Array([0x61, 0x0a, 0xe2, 0x82])), [
    { line: 1, fields: ['a'] },
    { line: 2, problem: NOT_UTF8 },
  ]);
});

// Fields of random text (including quotes, commas, line breaks, non-ASCII), written as CSV.
const field = fc.string({
  unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\n', '\r\n', 'é', '£', '😀'),
  maxLength: 8,
});
const quote = (f: string) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f);

test('csv property: any table written as CSV reads back the same, whatever the chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 6 }),
      (rows, crlf, bom, cutsRaw) => {
        const eol = crlf ? '\r\n' : '\n';
        const text =
          (bom ? '\uFEFF' : '') + rows.map((r) => r.map(quote).join(',')).join(eol) + eol;
        const bytes = enc(text);
        const cuts = [...new Set(cutsRaw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const c of [...cuts, bytes.length]) {
          chunks.push(bytes.subarray(prev, c));
          prev = c;
        }
        const got = scanAll(chunks);
        assert.deepEqual(
          got.map((r) => r.fields),
          rows,
        );
        // Line numbers: each record starts one line after the previous one ends.
        let line = 1;
        got.forEach((r, i) => {
          assert.equal(r.line, line);
          line += rows[i]!.join('').split('\n').length;
        });
      },
    ),
  );
});

test('csv: the async reader batches records from a stream', async () => {
  async function* chunks() {
    await Promise.resolve();
    yield enc('a,b\n1,');
    yield '2\n3,4';
  }
  const all: CsvRecord[] = [];
  for await (const batch of csvRecords(chunks())) all.push(...batch);
  assert.deepEqual(all, [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['1', '2'] },
    { line: 3, fields: ['3', '4'] },
  ]);
});

test('dates in each format: real calendar days only', () => {
  const cases: [string, 'YYYY-MM-DD' | 'DD/MM/YYYY', string | null][] = [
    ['2026-04-01', 'YYYY-MM-DD', '2026-04-01'],
    ['2024-02-29', 'YYYY-MM-DD', '2024-02-29'],
    ['2026-02-29', 'YYYY-MM-DD', null],
    ['2026-13-01', 'YYYY-MM-DD', null],
    ['01/04/2026', 'YYYY-MM-DD', null],
    ['01/04/2026', 'DD/MM/YYYY', '2026-04-01'],
    ['1/4/2026', 'DD/MM/YYYY', '2026-04-01'],
    [' 31/12/2025 ', 'DD/MM/YYYY', '2025-12-31'],
    ['31/04/2026', 'DD/MM/YYYY', null],
    ['29/02/2000', 'DD/MM/YYYY', '2000-02-29'],
    ['29/02/1900', 'DD/MM/YYYY', null],
    ['00/01/2026', 'DD/MM/YYYY', null],
    ['01/04/26', 'DD/MM/YYYY', null],
    ['2026-04-01', 'DD/MM/YYYY', null],
    ['aa/bb/cccc', 'DD/MM/YYYY', null],
    ['', 'DD/MM/YYYY', null],
  ];
  for (const [text, format, expected] of cases)
    assert.equal(parseStatementDate(text, format), expected, `${text} ${format}`);
});

test('date property: every real day round-trips in both formats', () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date('1950-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
      (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-');
        assert.equal(parseStatementDate(iso, 'YYYY-MM-DD'), iso);
        assert.equal(parseStatementDate(`${day!}/${m!}/${y!}`, 'DD/MM/YYYY'), iso);
      },
    ),
  );
});

const card = BUILT_IN_MAPPINGS['prepaid-card'];
const bank = BUILT_IN_MAPPINGS.bank;
const CARD_HEADER = ['Transaction ID', 'Date', 'Card Number', 'Merchant', 'MCC', 'Amount'];
const BANK_HEADER = ['Date', 'Reference', 'Description', 'Paid out', 'Paid in', 'Account'];

test('headers: missing columns refuse the file and are named; extra ones are ignored', () => {
  const ok = checkHeader([' transaction id ', ...CARD_HEADER.slice(1), 'Balance'], card);
  assert.ok(ok.ok);
  assert.deepEqual(ok.ignored, ['Balance']);
  const bad = checkHeader(['Date', 'Merchant', 'Value'], card);
  assert.ok(!bad.ok);
  assert.deepEqual(bad.missing, ['Transaction ID', 'Amount', 'MCC', 'Card Number']);
  assert.match(bad.message, /no "Transaction ID", "Amount", "MCC", "Card Number" columns/);
  assert.match(bad.message, /Its columns are: "Date", "Merchant", "Value"/);
  const bankAsCard = checkHeader(BANK_HEADER, card);
  assert.ok(!bankAsCard.ok);
  assert.ok(checkHeader(BANK_HEADER, bank).ok);
});

function cardRow(fields: string[], line = 2) {
  const h = checkHeader(CARD_HEADER, card);
  assert.ok(h.ok);
  return readRow({ line, fields }, h.positions, card);
}
function bankRow(fields: string[], line = 2) {
  const h = checkHeader(BANK_HEADER, bank);
  assert.ok(h.ok);
  return readRow({ line, fields }, h.positions, bank);
}

test('card rows: amounts in every accepted shape, signed as the card sees them', () => {
  const cases: [string, number][] = [
    ['-12.50', -1250],
    ['(12.50)', -1250],
    ['£1,234.50', 123450],
    ['-£1,234.50', -123450],
    ['12', 1200],
    ['-0.5', -50],
    ['+3.20', 320],
  ];
  for (const [text, p] of cases) {
    const r = cardRow(['T1', '01/04/2026', '**** 1234', 'Tesco', '5411', text]);
    assert.ok(r.ok, text);
    assert.equal(r.row.amountPence, p, text);
  }
  const r = cardRow(['T1', '01/04/2026', '**** 1234', ' Bus ', '411', '-1']);
  assert.ok(r.ok);
  assert.deepEqual(r.row, {
    line: 2,
    providerTransactionId: 'T1',
    date: '2026-04-01',
    description: 'Bus',
    amountPence: -100,
    mcc: '0411',
    accountReference: '**** 1234',
  });
});

test('card rows: every problem with a row, with its line', () => {
  const cases: [string[], RegExp[]][] = [
    [['', '01/04/2026', 'c', 'm', '', '-1'], [/Transaction ID: no transaction id/]],
    [
      ['T', '31/02/2026', 'c', 'm', '', '-1'],
      [/Date: "31\/02\/2026" is not a date in the form DD\/MM\/YYYY/],
    ],
    [['T', '01/04/2026', 'c', 'm', '', '12.505'], [/Amount: "12.505" is not an amount/]],
    [['T', '01/04/2026', 'c', 'm', '', 'abc'], [/Amount: "abc" is not an amount/]],
    [['T', '01/04/2026', 'c', 'm', '', ''], [/Amount: no amount/]],
    [['T', '01/04/2026', 'c', 'm', '', '0.00'], [/amount is zero/]],
    [['T', '01/04/2026', 'c', 'm', 'X1', '-1'], [/MCC: "X1" is not a merchant category code/]],
    [['T', '01/04/2026', '', 'm', '', '-1'], [/Card Number: no card or account reference/]],
    [
      ['T', '01/04/2026', 'c', 'm', '-1'],
      [/the row has 5 values but the header has 6 columns/, /Amount: no amount/, /MCC: "-1"/],
    ],
    [
      ['', 'x', '', 'm', '', 'y'],
      [/no transaction id/, /Date/, /Amount/, /Card Number/],
    ],
  ];
  for (const [fields, patterns] of cases) {
    const r = cardRow(fields, 7);
    assert.ok(!r.ok, fields.join(','));
    assert.equal(r.bad.line, 7);
    assert.equal(r.bad.problems.length, patterns.length, r.bad.problems.join(' | '));
    patterns.forEach((p, i) => assert.match(r.bad.problems[i]!, p));
  }
  const h = checkHeader(CARD_HEADER, card);
  assert.ok(h.ok);
  const unreadable = readRow({ line: 9, problem: NOT_UTF8 }, h.positions, card);
  assert.deepEqual(unreadable, { ok: false, bad: { line: 9, problems: [NOT_UTF8] } });
});

test('bank rows: paid out is negative, paid in positive, exactly one of them', () => {
  const out = bankRow(['02/04/2026', 'R1', 'Wages J Smith', '120.00', '', '12345678']);
  assert.ok(out.ok);
  assert.equal(out.row.amountPence, -12000);
  assert.equal(out.row.mcc, null);
  const inn = bankRow(['02/04/2026', 'R2', 'Direct payment', '', '£1,000.00', '12345678']);
  assert.ok(inn.ok);
  assert.equal(inn.row.amountPence, 100000);
  for (const [o, i, re] of [
    ['1', '2', /both have an amount/],
    ['', '', /no amount in either/],
    ['-5', '', /negative; give the amount without a sign/],
  ] as const) {
    const r = bankRow(['02/04/2026', 'R3', 'x', o, i, '1']);
    assert.ok(!r.ok);
    assert.match(r.bad.problems.join(), re);
  }
});

test('amount property: any pence amount written in any accepted style reads back', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -100_000_000, max: 100_000_000 }).filter((n) => n !== 0),
      fc.constantFrom('plain', 'pound', 'brackets'),
      (p, style) => {
        const abs = Math.abs(p);
        const pounds = `${String(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, '0')}`;
        const grouped = pounds.replace(/\B(?=(\d{3})+\.)/g, ',');
        const text =
          style === 'plain'
            ? `${p < 0 ? '-' : ''}${pounds}`
            : style === 'pound'
              ? `${p < 0 ? '-' : ''}£${grouped}`
              : p < 0
                ? `(${pounds})`
                : pounds;
        const r = cardRow(['T', '01/04/2026', 'c', 'm', '', text]);
        assert.ok(r.ok, text);
        assert.equal(r.row.amountPence, p);
      },
    ),
  );
});

test('categories: merchant codes first, then keywords; unknown stays unknown', () => {
  const cases: [string | null, string, string | null][] = [
    ['7995', 'Anything', 'gambling'],
    ['7801', 'Online', 'gambling'],
    ['5921', 'Corner shop', 'alcohol'],
    ['5813', 'The Red Lion', 'alcohol'],
    ['5993', 'Kiosk', 'tobacco'],
    ['6051', 'Quasi cash', 'cash_or_money_transfer'],
    ['6540', 'Card load', 'cash_or_money_transfer'],
    ['4829', 'Wire', 'cash_or_money_transfer'],
    ['6011', 'ATM', 'cash_or_money_transfer'],
    ['8011', 'Dr Patel', 'primary_care'],
    ['4121', 'Taxi co', 'transport'],
    ['8220', 'City College', 'education_or_training'],
    ['7997', 'Gym', 'leisure'],
    ['8099', 'Counselling', 'therapy'],
    ['7011', 'Premier Inn', 'short_breaks'],
    ['5411', 'Tesco', null],
    ['5411', 'Tesco wine', 'alcohol'], // unknown code: keywords decide
    [null, 'BET365 London', 'gambling'],
    [null, 'Paddy Power', 'gambling'],
    [null, 'Wages J Smith', 'personal_assistant'],
    [null, 'TfL travel', 'transport'],
    [null, 'Mind peer support group', 'peer_support'],
    [null, 'Tesco Stores', null],
    [null, '', null],
    [null, 'Rebetting', null], // whole words only
  ];
  for (const [mcc, description, expected] of cases)
    assert.equal(categorise(mcc, description), expected, `${String(mcc)} ${description}`);
});

test('never-buy lists: NHS money also never buys primary care', () => {
  assert.ok(NEVER_BUY_BY_BODY.nhs.includes('primary_care'));
  assert.ok(!NEVER_BUY_BY_BODY.council.includes('primary_care'));
  for (const c of ['gambling', 'alcohol', 'tobacco', 'debt_repayment'] as const)
    assert.ok(NEVER_BUY_BY_BODY.council.includes(c) && NEVER_BUY_BY_BODY.nhs.includes(c));
});

test('matching: first plan item in the category; never-buy and unknown match nothing', () => {
  const items = [
    { id: 'a', category: 'transport' },
    { id: 'b', category: 'leisure' },
    { id: 'c', category: 'transport' },
  ];
  assert.equal(matchPlanItem('transport', items), 'a');
  assert.equal(matchPlanItem('leisure', items), 'b');
  assert.equal(matchPlanItem('therapy', items), null);
  assert.equal(matchPlanItem('gambling', items), null);
  assert.equal(matchPlanItem(null, items), null);
});

test("a provider's own mapping: read from JSON, every problem named", () => {
  const good = readMapping(
    JSON.stringify({
      name: 'acme-card',
      label: 'Acme prepaid card',
      transactionId: 'Txn',
      date: 'Posted',
      dateFormat: 'YYYY-MM-DD',
      description: 'Payee',
      amount: { kind: 'signed', column: 'Value' },
      account: 'PAN',
    }),
  );
  assert.ok(good.ok);
  assert.equal(good.mapping.mcc, null);
  const h = checkHeader(['Txn', 'Posted', 'Payee', 'Value', 'PAN'], good.mapping);
  assert.ok(h.ok);
  const r = readRow(
    { line: 2, fields: ['A-1', '2026-04-01', 'Gym', '-5.00', 'X1'] },
    h.positions,
    good.mapping,
  );
  assert.ok(r.ok);
  assert.equal(r.row.date, '2026-04-01');

  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['{}', /name: .*transactionId: /],
    [
      JSON.stringify({ ...JSON.parse(JSON.stringify(BUILT_IN_MAPPINGS.bank)), name: 'Bad Name' }),
      /name: The name must be lower-case/,
    ],
    [JSON.stringify(BUILT_IN_MAPPINGS.bank), /"bank" is a built-in format's/],
    [
      JSON.stringify({ ...BUILT_IN_MAPPINGS.bank, name: 'x', dateFormat: 'MM/DD/YYYY' }),
      /dateFormat/,
    ],
    [JSON.stringify({ ...BUILT_IN_MAPPINGS.bank, name: 'x', extra: 1 }), /Unrecognized key/i],
  ];
  for (const [json, re] of cases) {
    const m = readMapping(json);
    assert.ok(!m.ok, json);
    assert.match(m.message, re);
  }
});
