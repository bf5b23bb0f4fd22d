import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FEWER_THAN, NOT_SHOWN, suppressBreakdown, suppressOne, summaryCsv } from './rules.ts';

test('one count: 0 and 5 or more show, 1 to 4 do not', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, FEWER_THAN],
    [4, FEWER_THAN],
    [5, '5'],
    [1234, '1,234'],
  ];
  for (const [n, shown] of cases) assert.equal(suppressOne('x', n).display, shown, String(n));
});

test('a lone hidden cell takes the next smallest with it', () => {
  const cells = suppressBreakdown([
    { label: 'a', count: 2 },
    { label: 'b', count: 9 },
    { label: 'c', count: 6 },
    { label: 'd', count: 0 },
  ]);
  assert.deepEqual(
    cells.map((c) => c.display),
    [FEWER_THAN, '9', NOT_SHOWN, '0'],
  );
});

test('no breakdown ever shows a small number or leaves one hidden cell to be worked out', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 12 }), (counts) => {
      const cells = suppressBreakdown(counts.map((count, i) => ({ label: `g${i}`, count })));
      for (const c of cells)
        if (c.count !== null) assert.ok(c.count === 0 || c.count >= 5, `shows ${c.count}`);
      const hidden = cells.filter((c) => c.count === null).length;
      const nonZero = counts.filter((n) => n > 0).length;
      assert.ok(hidden !== 1 || nonZero === 1, 'a single hidden cell could be subtracted out');
    }),
  );
});

test('the CSV carries suppression and cannot smuggle formulas', () => {
  const csv = summaryCsv({
    total: suppressOne('Everyone', 12),
    tables: [
      {
        id: 't',
        caption: 'People by team',
        heading: 'Team',
        cells: suppressBreakdown([
          { label: '=HYPERLINK("x")', count: 3 },
          { label: 'North "A"', count: 9 },
        ]),
      },
    ],
  });
  assert.equal(
    csv,
    [
      '"measure","group","people"',
      '"All people","Everyone","12"',
      `"People by team","'=HYPERLINK(""x"")","${FEWER_THAN}"`,
      `"People by team","North ""A""","${NOT_SHOWN}"`,
      '',
    ].join('\r\n'),
  );
});
