import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  add,
  annualToFourWeekly,
  annualToWeekly,
  convertPeriod,
  formatPounds,
  fourWeeklyToAnnual,
  fourWeeklyToWeekly,
  isPence,
  negate,
  parsePounds,
  pence,
  plainPounds,
  splitLargestRemainder,
  subtract,
  sum,
  weeklyToAnnual,
  weeklyToFourWeekly,
  type ParseProblem,
  type Pence,
} from './money.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const safePence = fc.integer({ min: -MAX, max: MAX }).map(pence);

test('pence accepts safe integers and rejects everything else with RangeError', () => {
  for (const n of [0, 1, -1, 1250, MAX, -MAX]) assert.equal(pence(n), n);
  assert.ok(Object.is(pence(-0), 0), 'negative zero becomes zero');
  for (const n of [0.5, -1.25, MAX + 1, -MAX - 1, Number.NaN, Infinity, -Infinity]) {
    assert.throws(() => pence(n), RangeError, String(n));
  }
  assert.equal(isPence(12), true);
  assert.equal(isPence(1.5), false);
  assert.equal(isPence('12'), false);
});

test('add, subtract, negate and sum stay in pence and guard the safe range', () => {
  assert.equal(add(pence(1250), pence(-250)), 1000);
  assert.equal(subtract(pence(1000), pence(1250)), -250);
  assert.equal(negate(pence(5)), -5);
  assert.ok(Object.is(negate(pence(0)), 0));
  assert.equal(sum([]), 0);
  assert.equal(sum([pence(1), pence(2), pence(3)]), 6);
  assert.throws(() => add(pence(MAX), pence(1)), RangeError);
  assert.throws(() => subtract(pence(-MAX), pence(1)), RangeError);
  assert.throws(() => sum([pence(MAX), pence(MAX), pence(-MAX)]), RangeError);
});

test('formatPounds: table of cases', () => {
  const cases: [number, string][] = [
    [0, '£0.00'],
    [1, '£0.01'],
    [10, '£0.10'],
    [99, '£0.99'],
    [100, '£1.00'],
    [1250, '£12.50'],
    [-1250, '-£12.50'],
    [-1, '-£0.01'],
    [99999, '£999.99'],
    [100000, '£1,000.00'],
    [123456, '£1,234.56'],
    [-123456, '-£1,234.56'],
    [100000000, '£1,000,000.00'],
    [MAX, '£90,071,992,547,409.91'],
    [-MAX, '-£90,071,992,547,409.91'],
    [MAX - 1, '£90,071,992,547,409.90'],
  ];
  for (const [p, text] of cases) assert.equal(formatPounds(pence(p)), text, String(p));
});

test('parsePounds: accepted forms', () => {
  const cases: [string, number][] = [
    ['12.50', 1250],
    ['£1,234.50', 123450],
    ['(12.50)', -1250],
    ['(£12.50)', -1250],
    ['-12.50', -1250],
    ['−12.50', -1250],
    ['-£12.50', -1250],
    ['£-12.50', -1250],
    ['- £ 12.50', -1250],
    ['+12.50', 1250],
    ['12.5', 1250],
    ['12', 1200],
    [' £ 3 ', 300],
    ['.5', 50],
    ['0.01', 1],
    ['007.00', 700],
    ['1,000,000', 100000000],
    ['-0', 0],
    ['(0.00)', 0],
    ['£90,071,992,547,409.91', MAX],
    ['-90071992547409.91', -MAX],
  ];
  for (const [text, expected] of cases) {
    const r = parsePounds(text);
    assert.ok(r.ok, `${text} should parse`);
    assert.ok(
      Object.is(r.value, expected),
      `${text} → ${String(r.value)}, expected ${String(expected)}`,
    );
  }
});

test('parsePounds: rejected forms give a reason, never throw', () => {
  const cases: [string, ParseProblem][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['12.505', 'too-many-decimals'],
    ['0.001', 'too-many-decimals'],
    ['1,23.00', 'bad-grouping'],
    ['12,50', 'bad-grouping'],
    ['1,2345', 'bad-grouping'],
    ['abc', 'not-money'],
    ['12.', 'not-money'],
    ['.', 'not-money'],
    ['£', 'not-money'],
    ['-', 'not-money'],
    ['--1', 'not-money'],
    ['-£-1', 'not-money'],
    ['(-12.50)', 'not-money'],
    ['(12.50', 'not-money'],
    ['12.50)', 'not-money'],
    ['1 234', 'not-money'],
    ['12.50 GBP', 'not-money'],
    ['$12', 'not-money'],
    ['1e3', 'not-money'],
    [',123', 'not-money'],
    ['90071992547409.92', 'too-large'],
    ['-90071992547409.92', 'too-large'],
    ['99999999999999999999', 'too-large'],
  ];
  for (const [text, expected] of cases) {
    const r = parsePounds(text);
    assert.ok(!r.ok, `${text} should be rejected`);
    assert.equal(r.problem, expected, text);
    assert.ok(r.message.length > 0, `${text} has a message`);
  }
});

test('property: parsePounds(formatPounds(p)) gives back p for any safe amount', () => {
  fc.assert(
    fc.property(safePence, (p) => {
      const r = parsePounds(formatPounds(p));
      assert.ok(r.ok);
      assert.ok(Object.is(r.value, p));
    }),
    { numRuns: 2000 },
  );
});

test('plainPounds: no £ and no commas, for files other systems read; reads back exactly', () => {
  const cases: [number, string][] = [
    [0, '0.00'],
    [5, '0.05'],
    [-5, '-0.05'],
    [123_456, '1234.56'],
    [-100, '-1.00'],
    [MAX, '90071992547409.91'],
  ];
  for (const [p, text] of cases) assert.equal(plainPounds(pence(p)), text, String(p));
  fc.assert(
    fc.property(safePence, (p) => {
      const text = plainPounds(p);
      assert.match(text, /^-?\d+\.\d\d$/);
      const r = parsePounds(text);
      assert.ok(r.ok);
      assert.ok(Object.is(r.value, p));
    }),
    { numRuns: 2000 },
  );
});

test('property: parsePounds never throws on any text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-−+(£ ]{0,3}[\d,.]{0,12}\)?$/)), (t) => {
      const r = parsePounds(t);
      if (r.ok) assert.ok(isPence(r.value));
    }),
    { numRuns: 2000 },
  );
});

test('property: add is associative and commutative on safe values', () => {
  const small = fc.integer({ min: -Math.floor(MAX / 3), max: Math.floor(MAX / 3) }).map(pence);
  fc.assert(
    fc.property(small, small, small, (a, b, c) => {
      assert.equal(add(add(a, b), c), add(a, add(b, c)));
      assert.equal(add(a, b), add(b, a));
      assert.equal(subtract(add(a, b), b), a);
    }),
  );
});

test('splitLargestRemainder: table of cases', () => {
  const cases: [number, number[], number[], string][] = [
    [100, [1, 1, 1], [34, 33, 33], 'tie on remainder goes to the lower index'],
    [200, [1, 1, 1], [67, 67, 66], 'two spare pennies go to the first two'],
    [-100, [1, 1, 1], [-34, -33, -33], 'negative total mirrors the positive split'],
    [0, [3, 1], [0, 0], 'zero total'],
    [1000, [0, 1, 0], [0, 1000, 0], 'zero weights get nothing'],
    [10, [1, 2], [3, 7], 'largest remainder wins (3.33 vs 6.67)'],
    [100, [0.25, 0.75], [25, 75], 'shares'],
    [101, [0.5, 0.5], [51, 50], 'equal shares, odd penny to the first'],
    [1, [1, 1, 1, 1], [1, 0, 0, 0], 'one penny among four'],
    [5200, Array<number>(52).fill(1), Array<number>(52).fill(100), 'even split'],
    [MAX, [1, 1], [Math.ceil(MAX / 2), Math.floor(MAX / 2)], 'largest safe total'],
  ];
  for (const [total, weights, expected, why] of cases) {
    assert.deepEqual(splitLargestRemainder(pence(total), weights), expected, why);
  }
});

test('splitLargestRemainder: bad weights are a RangeError', () => {
  const cases: [number[], string][] = [
    [[], 'no weights'],
    [[0, 0], 'all zero'],
    [[1, -1], 'negative'],
    [[1, Number.NaN], 'NaN'],
    [[1, Infinity], 'infinite'],
  ];
  for (const [weights, why] of cases) {
    assert.throws(() => splitLargestRemainder(pence(100), weights), RangeError, why);
  }
});

const weightsArb = fc
  .array(
    fc.oneof(
      fc.nat({ max: 1_000_000 }),
      fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }),
    ),
    { minLength: 1, maxLength: 30 },
  )
  .filter((ws) => ws.some((w) => w > 0));

/** The exact share total·w/W, as a fraction of BigInts, via the same exact reading of doubles. */
function exactScaled(ws: number[]): bigint[] {
  const scale = 2n ** 1100n; // every finite double times this is an integer
  return ws.map((w) => {
    let x = w;
    let k = 0n;
    while (!Number.isInteger(x)) {
      x *= 2;
      k += 1n;
    }
    return (BigInt(x) * scale) / 2n ** k;
  });
}

test('property: split parts sum to the total, each within 1p of its share, deterministic', () => {
  fc.assert(
    fc.property(safePence, weightsArb, (total, weights) => {
      const parts = splitLargestRemainder(total, weights);
      assert.equal(parts.length, weights.length);
      assert.equal(
        parts.reduce((a, b) => a + BigInt(b), 0n),
        BigInt(total),
      );
      const ws = exactScaled(weights);
      const whole = ws.reduce((a, b) => a + b, 0n);
      parts.forEach((part, i) => {
        const w = ws[i] ?? 0n;
        // |part − total·w/W| < 1  ⇔  |part·W − total·w| < W
        const diff = BigInt(part) * whole - BigInt(total) * w;
        assert.ok((diff < 0n ? -diff : diff) < whole, `part ${String(i)} is within 1p`);
        if (w === 0n) assert.ok(Object.is(part, 0), 'zero weight gets exactly 0');
      });
      assert.deepEqual(splitLargestRemainder(total, [...weights]), parts);
    }),
    { numRuns: 1000 },
  );
});

test('property: splitting a negative total mirrors the positive one', () => {
  fc.assert(
    fc.property(safePence, weightsArb, (total, weights) => {
      assert.deepEqual(
        splitLargestRemainder(negate(total), weights),
        splitLargestRemainder(total, weights).map(negate),
      );
    }),
  );
});

test('period conversions: table of cases (52-week year, half away from zero)', () => {
  const cases: [(p: Pence) => Pence, number, number, string][] = [
    [weeklyToFourWeekly, 8200, 32800, '£82/week is £328 four-weekly'],
    [weeklyToAnnual, 8200, 426400, '£82/week is £4,264 a year'],
    [fourWeeklyToAnnual, 32800, 426400, '13 four-weekly periods'],
    [annualToWeekly, 426400, 8200, 'exact'],
    [annualToWeekly, 8467800, 162842, '£84,678 a year is £1,628.423…/week'],
    [annualToWeekly, 26, 1, '0.5p rounds up'],
    [annualToWeekly, -26, -1, '−0.5p rounds away from zero'],
    [annualToWeekly, 25, 0, 'under half rounds down'],
    [annualToFourWeekly, 100000, 7692, '£1,000 a year is £76.923…'],
    [fourWeeklyToWeekly, 2, 1, '0.5p rounds up'],
    [fourWeeklyToWeekly, 6, 2, '1.5p rounds up'],
    [fourWeeklyToWeekly, 5, 1, '1.25p rounds down'],
    [fourWeeklyToWeekly, -6, -2, '−1.5p rounds away from zero'],
  ];
  for (const [convert, from, to, why] of cases) assert.equal(convert(pence(from)), to, why);
  assert.equal(convertPeriod(pence(123), 'weekly', 'weekly'), 123);
  assert.throws(() => weeklyToAnnual(pence(MAX)), RangeError);
});

test('property: up then down gives back the amount; conversion is odd', () => {
  const periods = fc.constantFrom('weekly' as const, 'fourWeekly' as const, 'annual' as const);
  const modest = fc.integer({ min: -1e12, max: 1e12 }).map(pence);
  fc.assert(
    fc.property(modest, (w) => {
      assert.equal(annualToWeekly(weeklyToAnnual(w)), w);
      assert.equal(fourWeeklyToWeekly(weeklyToFourWeekly(w)), w);
      assert.equal(weeklyToAnnual(w), fourWeeklyToAnnual(weeklyToFourWeekly(w)));
    }),
  );
  fc.assert(
    fc.property(modest, periods, periods, (p, from, to) => {
      const there = convertPeriod(p, from, to);
      assert.ok(Object.is(convertPeriod(negate(p), from, to), negate(there)));
    }),
  );
});
