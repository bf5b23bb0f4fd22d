import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { paging, readPage } from './paging.ts';

test('readPage accepts a whole number from 1 and reads anything else as page 1', () => {
  const cases: [unknown, number][] = [
    ['1', 1],
    ['2', 2],
    ['17', 17],
    [undefined, 1],
    ['', 1],
    ['0', 1],
    ['-3', 1],
    ['2.5', 1],
    ['01', 1],
    ['abc', 1],
    ['9999999', 1],
    [['2'], 1],
  ];
  for (const [input, expected] of cases) assert.equal(readPage(input), expected, String(input));
});

test('paging: first, middle, last and past-the-end pages, with other parameters kept', () => {
  const first = paging('/reviews', { show: '90' }, 1, 120, 50);
  assert.deepEqual(
    [first.from, first.to, first.pageCount, first.previousUrl, first.nextUrl],
    [1, 50, 3, null, '/reviews?show=90&page=2'],
  );
  const middle = paging('/reviews', {}, 2, 120, 50);
  assert.deepEqual(
    [middle.from, middle.to, middle.previousUrl, middle.nextUrl],
    [51, 100, '/reviews', '/reviews?page=3'],
  );
  const last = paging('/reviews', {}, 3, 120, 50);
  assert.deepEqual([last.from, last.to, last.nextUrl], [101, 120, null]);
  const past = paging('/reviews', {}, 9, 120, 50);
  assert.deepEqual(
    [past.from, past.to, past.previousUrl, past.nextUrl],
    [0, 0, '/reviews?page=3', null],
  );
  const none = paging('/sign-off', {}, 1, 0, 50);
  assert.deepEqual(
    [none.from, none.to, none.pageCount, none.previousUrl, none.nextUrl],
    [0, 0, 1, null, null],
  );
});

test('paging: the pages together show every row exactly once', () => {
  fc.assert(
    fc.property(fc.nat(2000), fc.integer({ min: 1, max: 100 }), (total, size) => {
      const first = paging('/x', {}, 1, total, size);
      let shown = 0;
      for (let p = 1; p <= first.pageCount; p++) {
        const pg = paging('/x', {}, p, total, size);
        if (pg.to > 0) {
          assert.equal(pg.from, shown + 1);
          shown = pg.to;
        }
        assert.equal(pg.nextUrl === null, p === first.pageCount);
      }
      assert.equal(shown, total);
    }),
  );
});
