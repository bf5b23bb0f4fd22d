// The public RAS pages and calculator over a real HTTP server, without signing in: what the page
// shows, that the calculator gives exactly what the rules give, polite refusals of bad answers
// (never a 500), and that only the version in force today is ever shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  publishRas,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { formatPounds, pence } from '../../platform/money.ts';
import { DEMO_RAS } from './demo-ras.ts';
import {
  calculateIndicativeBudget,
  formatBasisPoints,
  rasVersionSchema,
  type RasVersionInput,
} from './rules.ts';

const q = (id: string, text: string, answers: [string, string, number][]) => ({
  id,
  text,
  answers: answers.map(([aid, atext, points]) => ({ id: aid, text: atext, points })),
});

/** Odd price and shares, so rounding and the largest-remainder split are exercised. */
const CALC: RasVersionInput = {
  id: 'calc-v1',
  name: 'Calculator test RAS',
  effectiveFrom: '2020-01-01',
  questions: [
    q('home', 'Help at home', [
      ['none', 'No help', 0],
      ['some', 'Some help', 3],
      ['lots', 'Help every day', 7],
    ]),
    q('out', 'Getting out and about', [
      ['none', 'I go out on my own', 0],
      ['some', 'I need someone with me sometimes', 2],
      ['lots', 'I cannot go out without help', 9],
    ]),
    q('carer', 'Support from a carer', [
      ['yes', 'A carer helps me', 0],
      ['no', 'I have no one', 4],
    ]),
  ],
  pricing: { kind: 'pricePerPoint', pencePerPoint: 123_457 },
  fundingStreams: [
    { id: 'care', kind: 'socialCare', name: 'Council social care', shareBasisPoints: 3_333 },
    { id: 'phb', kind: 'nhsPersonalHealthBudget', name: 'NHS budget', shareBasisPoints: 3_333 },
    { id: 'other', kind: 'other', name: 'Housing support fund', shareBasisPoints: 3_334 },
  ],
  contingency: { basisPoints: 750, mode: 'added' },
  section117: { nhsShareBasisPoints: 6_667 },
  minimumAnnualPence: 500_000,
  maximumAnnualPence: 2_000_000,
};
const calc = rasVersionSchema.parse(CALC);

const BANDS: RasVersionInput = {
  ...CALC,
  id: 'bands-v1',
  name: 'Banded test RAS',
  pricing: {
    kind: 'bands',
    bands: [
      { fromPoints: 0, toPoints: 4, annualPence: 250_000 },
      { fromPoints: 5, toPoints: 12, annualPence: 900_000 },
      { fromPoints: 13, toPoints: null, annualPence: 1_800_000 },
    ],
  },
  contingency: { basisPoints: 1_000, mode: 'held' },
  minimumAnnualPence: 0,
};
const bands = rasVersionSchema.parse(BANDS);

let t: TestApp;
let c: TestClient;
let withCalc: TestPartnership;
let withDemo: TestPartnership;
let withBands: TestPartnership;
let withNone: TestPartnership;
let draftOnly: TestPartnership;
before(async () => {
  t = await startTestApp();
  c = new TestClient(t.url);
  withCalc = await createPartnership(t.db, 'Calc Partnership');
  withDemo = await createPartnership(t.db, 'Demo Partnership');
  withBands = await createPartnership(t.db, 'Banded Partnership');
  withNone = await createPartnership(t.db, 'Quiet Partnership');
  draftOnly = await createPartnership(t.db, 'Drafting Partnership');
  await publishRas(t.db, withCalc.id, CALC);
  await publishRas(t.db, withDemo.id, DEMO_RAS);
  await publishRas(t.db, withBands.id, BANDS);
  // Never current: a newer draft, and a published version that starts in the future.
  await insertDraft(withCalc.id, { ...CALC, id: 'calc-draft', effectiveFrom: '2021-01-01' });
  await publishRas(t.db, withCalc.id, {
    ...CALC,
    id: 'calc-future',
    effectiveFrom: '2099-01-01',
    pricing: { kind: 'pricePerPoint', pencePerPoint: 777_700 },
  });
  await insertDraft(draftOnly.id, { ...CALC, id: 'only-draft' });
  await publishRas(t.db, draftOnly.id, { ...CALC, id: 'only-future', effectiveFrom: '2099-01-01' });
});
after(() => t.close());

async function insertDraft(partnershipId: string, input: RasVersionInput): Promise<void> {
  const v = rasVersionSchema.parse({
    ...input,
    pricing: { kind: 'pricePerPoint', pencePerPoint: 999_900 },
  });
  await t.db.system
    .insertInto('ras_versions')
    .values({
      partnership_id: partnershipId,
      code: v.id,
      name: v.name,
      effective_from: v.effectiveFrom,
      definition: JSON.stringify(v),
      status: 'draft',
    })
    .execute();
}

const decode = (s: string) =>
  s
    .replace(/<[^>]*>/g, ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ')
    .trim();

/** The page's visible text in <main>, tags removed, spaces collapsed. */
const mainText = (html: string) => decode(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '');

/** Every table row in <main>, as its cells' text. */
const tableRows = (html: string): string[][] =>
  [...(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '').matchAll(/<tr[\s\S]*?<\/tr>/g)].map((m) =>
    [...m[0].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => decode(cell[1] ?? '')),
  );

/** The links in the NHS.UK error summary: [href, text]. */
const errorSummary = (html: string): [string, string][] => {
  const box = /class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...box.matchAll(/<a href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => [
    m[1] ?? '',
    decode(m[2] ?? ''),
  ]);
};

const checked = (html: string, name: string): string[] =>
  [...html.matchAll(/<input[^>]*>/g)]
    .map((m) => m[0])
    .filter((i) => i.includes(`name="${name}"`) && /\schecked/.test(i))
    .map((i) => /value="([^"]*)"/.exec(i)?.[1] ?? '');

const resultPath = (p: TestPartnership, query: string) =>
  `/allocation/${p.code}/calculator/result?${query}`;
const queryOf = (answers: Record<string, string>, section117 = false) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(answers)) params.append(`q-${k}`, v);
  if (section117) params.append('section117', 'yes');
  return params.toString();
};

test('/allocation lists every partnership, each linking to its own page, without signing in', async () => {
  const res = await c.get('/allocation');
  assert.equal(res.status, 200);
  for (const p of [withCalc, withDemo, withBands, withNone, draftOnly]) {
    const name = (
      await t.db.system
        .selectFrom('partnerships')
        .select('name')
        .where('id', '=', p.id)
        .executeTakeFirstOrThrow()
    ).name;
    assert.match(res.text, new RegExp(`<a href="/allocation/${p.code}">${name}</a>`));
  }
  assert.doesNotMatch(res.text, /Sign out/);
  // Signed-out visitors find it from the sign-in page and the footer.
  const signIn = await c.get('/sign-in');
  assert.match(mainText(signIn.text), /how budgets are worked out/);
  assert.match(signIn.text, /<a href="\/allocation">how budgets are worked out<\/a>/);
  assert.match(signIn.text, /<a class="nhsuk-footer__list-item-link" href="\/allocation">/);
});

test('with exactly one partnership, /allocation goes straight to its page', async () => {
  const single = await startTestApp();
  try {
    const p = await createPartnership(single.db, 'Only Partnership');
    await publishRas(single.db, p.id, DEMO_RAS);
    const one = new TestClient(single.url);
    const res = await one.get('/allocation');
    assert.equal(res.status, 303);
    assert.equal(res.location, `/allocation/${p.code}`);
    const page = await one.get(res.location);
    assert.equal(page.status, 200);
    assert.match(mainText(page.text), /Only Partnership/);
  } finally {
    await single.close();
  }
});

test('the RAS page shows every question, answer and points, the price, limits and the split', async () => {
  const res = await c.get(`/allocation/${withDemo.code}`);
  assert.equal(res.status, 200);
  const text = mainText(res.text);
  const demo = rasVersionSchema.parse(DEMO_RAS);
  const rows = tableRows(res.text);
  for (const question of demo.questions) {
    assert.ok(text.includes(question.text), `question "${question.text}" is shown`);
    for (const a of question.answers) {
      assert.ok(
        rows.some((r) => r[0] === a.text && r[1] === String(a.points)),
        `answer "${a.text}" with ${String(a.points)} points is shown`,
      );
    }
  }
  assert.match(text, /starting point, never a cap/);
  assert.match(text, /You can challenge it/);
  assert.match(text, /Each point is worth £350\.00 a year/);
  assert.ok(text.includes(demo.name) && text.includes(demo.id));
  assert.match(text, /In use from 1 April 2026/);
  assert.match(text, /holds back a contingency of 5%/);
  assert.match(text, /never gives less than £1,000\.00 a year or more than £60,000\.00 a year/);
  assert.ok(rows.some((r) => r[0] === 'Council social care' && r[1] === '60%'));
  assert.ok(rows.some((r) => r[0] === 'NHS personal health budget' && r[1] === '40%'));
  assert.ok(rows.some((r) => r[0] === 'Section 117 after-care: NHS share' && r[1] === '50%'));
  assert.ok(rows.some((r) => r[0] === 'Section 117 after-care: council share' && r[1] === '50%'));
  assert.match(res.text, new RegExp(`href="/allocation/${withDemo.code}/calculator"`));
});

test('a banded RAS shows its bands table and a held contingency', async () => {
  const res = await c.get(`/allocation/${withBands.code}`);
  assert.equal(res.status, 200);
  const rows = tableRows(res.text);
  assert.ok(rows.some((r) => r[0] === '0 to 4 points' && r[1] === '£2,500.00'));
  assert.ok(rows.some((r) => r[0] === '5 to 12 points' && r[1] === '£9,000.00'));
  assert.ok(rows.some((r) => r[0] === '13 points or more' && r[1] === '£18,000.00'));
  assert.match(mainText(res.text), /holds back a contingency of 10%/);
});

const CASES: { name: string; answers: Record<string, string>; section117?: boolean }[] = [
  { name: 'no needs: raised to the minimum', answers: { home: 'none', out: 'none', carer: 'yes' } },
  { name: 'some needs', answers: { home: 'some', out: 'some', carer: 'yes' } },
  { name: 'more needs', answers: { home: 'lots', out: 'some', carer: 'no' } },
  { name: 'most needs: held at the maximum', answers: { home: 'lots', out: 'lots', carer: 'no' } },
  { name: 'section 117', answers: { home: 'some', out: 'lots', carer: 'no' }, section117: true },
  {
    name: 'section 117 at the minimum',
    answers: { home: 'none', out: 'none', carer: 'yes' },
    section117: true,
  },
];

for (const k of CASES) {
  test(`the calculator gives exactly what the rules give: ${k.name}`, async () => {
    const expected = calculateIndicativeBudget(calc, k.answers, {
      section117: k.section117 ?? false,
    });
    assert.ok(expected.ok);
    const b = expected.budget;
    const res = await c.get(resultPath(withCalc, queryOf(k.answers, k.section117)));
    assert.equal(res.status, 200, res.text);
    const text = mainText(res.text);
    assert.ok(text.includes(`${formatPounds(b.annual)} a year`));
    const rows = tableRows(res.text);
    assert.ok(text.includes(`Every 4 weeks ${formatPounds(b.fourWeekly)}`));
    assert.ok(text.includes(`Every week ${formatPounds(b.weekly)}`));
    for (const scored of b.answers) {
      const question = calc.questions.find((x) => x.id === scored.questionId);
      const answer = question?.answers.find((a) => a.id === scored.answerId);
      assert.ok(
        rows.some(
          (r) => r[0] === question?.text && r[1] === answer?.text && r[2] === String(scored.points),
        ),
        `row for ${scored.questionId}`,
      );
    }
    assert.ok(rows.some((r) => r[0] === 'Total points' && r[1] === String(b.totalPoints)));
    assert.ok(text.includes(`× £1,234.57 a point = ${formatPounds(b.baseAnnual)} a year`));
    assert.ok(
      text.includes(`contingency of 7.5% (${formatPounds(b.contingency.amount)}) is added`),
    );
    if (b.clamped === 'minimum') assert.match(text, /less than the minimum of £5,000\.00 a year/);
    if (b.clamped === 'maximum')
      assert.match(text, /more than the most the calculator gives, £20,000\.00 a year/);
    if (b.clamped === null)
      assert.doesNotMatch(text, /the minimum of|the most the calculator gives/);
    assert.equal(b.section117, k.section117 ?? false);
    let total = 0;
    for (const s of b.streams) {
      assert.ok(
        rows.some(
          (r) =>
            r[0] === s.name &&
            r[1] === formatBasisPoints(s.shareBasisPoints) &&
            r[2] === formatPounds(s.annual),
        ),
        `stream ${s.name}`,
      );
      total += s.annual;
    }
    assert.equal(total, b.annual, 'the parts add up exactly');
    assert.ok(rows.some((r) => r[0] === 'Total' && r[1] === formatPounds(b.annual)));
    if (k.section117) assert.match(text, /You said you get section 117 after-care/);
    // "Change your answers" fills the form in again.
    const change = /<a href="([^"]*)">Change your answers<\/a>/
      .exec(res.text)?.[1]
      ?.replaceAll('&amp;', '&');
    assert.ok(change);
    const form = await c.get(change);
    assert.equal(form.status, 200);
    for (const [questionId, answerId] of Object.entries(k.answers)) {
      assert.deepEqual(checked(form.text, `q-${questionId}`), [answerId]);
    }
    assert.deepEqual(checked(form.text, 'section117'), k.section117 ? ['yes'] : []);
    assert.equal(errorSummary(form.text).length, 0);
  });
}

test('a banded RAS: the calculator gives the band amount and holds the contingency back', async () => {
  const answers = { home: 'some', out: 'some', carer: 'yes' };
  const expected = calculateIndicativeBudget(bands, answers);
  assert.ok(expected.ok);
  const res = await c.get(resultPath(withBands, queryOf(answers)));
  assert.equal(res.status, 200);
  const text = mainText(res.text);
  assert.ok(text.includes(`${formatPounds(expected.budget.annual)} a year`));
  assert.match(text, /5 points is in the band for 5 to 12 points: £9,000\.00 a year/);
  assert.match(text, /holds back a contingency of 10% \(£900\.00\)/);
});

test('the calculator form lists every question as radios, sent by GET with no CSRF token', async () => {
  const res = await c.get(`/allocation/${withCalc.code}/calculator`);
  assert.equal(res.status, 200);
  assert.match(
    res.text,
    new RegExp(`<form method="get" action="/allocation/${withCalc.code}/calculator/result"`),
  );
  assert.doesNotMatch(res.text, /name="_csrf"/);
  for (const question of calc.questions) {
    for (const a of question.answers) {
      assert.match(res.text, new RegExp(`name="q-${question.id}" type="radio" value="${a.id}"`));
    }
  }
  assert.match(res.text, /name="section117" type="checkbox" value="yes"/);
  assert.equal(errorSummary(res.text).length, 0);
});

const BAD: {
  name: string;
  query: string;
  errors: [string, RegExp][];
  kept: Record<string, string>;
}[] = [
  {
    name: 'a missing answer',
    query: 'q-home=some&q-carer=no',
    errors: [['#q-out', /^Select an answer for ‘Getting out and about’$/]],
    kept: { home: 'some', carer: 'no' },
  },
  {
    name: 'nothing at all',
    query: '',
    errors: [
      ['#q-home', /^Select an answer for ‘Help at home’$/],
      ['#q-out', /^Select an answer for ‘Getting out and about’$/],
      ['#q-carer', /^Select an answer for ‘Support from a carer’$/],
    ],
    kept: {},
  },
  {
    name: 'an answer that is not one of the question’s answers',
    query: 'q-home=everything&q-out=lots&q-carer=yes',
    errors: [['#q-home', /^Select one of the answers shown for ‘Help at home’$/]],
    kept: { out: 'lots', carer: 'yes' },
  },
  {
    name: 'another question’s answer id',
    query: 'q-home=some&q-out=lots&q-carer=some',
    errors: [['#q-carer', /^Select one of the answers shown for ‘Support from a carer’$/]],
    kept: { home: 'some', out: 'lots' },
  },
  {
    name: 'a question that does not exist',
    query: 'q-home=some&q-out=lots&q-carer=yes&q-wealth=lots',
    errors: [['#q-home', /question that is not in this resource allocation system/]],
    kept: { home: 'some', out: 'lots', carer: 'yes' },
  },
  {
    name: 'two answers to one question',
    query: 'q-home=some&q-home=lots&q-out=none&q-carer=yes',
    errors: [['#q-home', /^Select only one answer for ‘Help at home’$/]],
    kept: { out: 'none', carer: 'yes' },
  },
  {
    name: 'a silly long answer',
    query: `q-home=${'a'.repeat(5000)}&q-out=none&q-carer=no`,
    errors: [['#q-home', /^Select one of the answers shown for ‘Help at home’$/]],
    kept: { out: 'none', carer: 'no' },
  },
  {
    name: 'a section 117 box with a strange value',
    query: 'q-home=some&q-out=none&q-carer=no&section117=definitely',
    errors: [['#section117', /^Tick the box if you get section 117 after-care/]],
    kept: { home: 'some', out: 'none', carer: 'no' },
  },
];

for (const bad of BAD) {
  test(`the calculator refuses ${bad.name} politely, keeping the valid answers`, async () => {
    const res = await c.get(resultPath(withCalc, bad.query));
    assert.equal(res.status, 400);
    assert.match(res.text, /<title>Error: /);
    const summary = errorSummary(res.text);
    assert.equal(summary.length, bad.errors.length, JSON.stringify(summary));
    bad.errors.forEach(([href, message], i) => {
      assert.equal(summary[i]?.[0], href);
      assert.match(summary[i]?.[1] ?? '', message);
    });
    for (const question of calc.questions) {
      const kept = bad.kept[question.id];
      assert.deepEqual(checked(res.text, `q-${question.id}`), kept ? [kept] : [], question.id);
    }
    assert.doesNotMatch(res.text, /aaaaaaaaaa|everything|wealth|definitely/);
  });
}

test('odd and hostile query strings never give a 500', async () => {
  const raw = [
    'q-home=%',
    'q-home=%FF&q-out=%E2%82',
    '%00=1&q-home=%00',
    'q-home[]=none&q-out[x]=none',
    '__proto__=x&q-__proto__=x&constructor=1&q-constructor=1',
    'q-home=none&q-out=none&q-carer=yes&section117=yes&section117=yes',
    'q-home=none&q-out=none&q-carer=yes&section117=',
    '=&&&==&q-=none',
    'q-home=none;q-out=none',
  ];
  for (const query of raw) {
    const res = await c.get(resultPath(withCalc, query));
    assert.ok([200, 400].includes(res.status), `${query}: ${String(res.status)}`);
  }
  const key = fc.oneof(
    fc.constantFrom('q-home', 'q-out', 'q-carer', 'section117', 'q-', 'q-nope'),
    fc.string({ maxLength: 20 }),
  );
  const value = fc.oneof(
    fc.constantFrom('none', 'some', 'lots', 'yes', 'no', ''),
    fc.string({ maxLength: 300, unit: 'binary' }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 8 }), async (pairs) => {
      const params = new URLSearchParams();
      for (const [k, v] of pairs) params.append(k, v);
      const res = await c.get(resultPath(withCalc, params.toString()));
      assert.ok([200, 400].includes(res.status), `${params.toString()}: ${String(res.status)}`);
      if (res.status === 400) assert.ok(errorSummary(res.text).length > 0);
    }),
    { numRuns: 60 },
  );
});

test('an unknown partnership code is a 404, on every public page', async () => {
  for (const path of [
    '/allocation/no-such-partnership',
    '/allocation/no-such-partnership/calculator',
    '/allocation/no-such-partnership/calculator/result?q-home=none',
    '/allocation/%00',
    `/allocation/${'x'.repeat(100)}`,
  ]) {
    const res = await c.get(path);
    assert.equal(res.status, 404, path);
  }
  const res = await c.get('/allocation/no-such-partnership');
  assert.match(mainText(res.text), /Partnership not found/);
  // Refused by the router before they reach us, still with a page and a 4xx: a part of the path
  // that is too long, and one that is not valid percent-encoding.
  assert.equal((await c.get(`/allocation/${'x'.repeat(300)}/calculator`)).status, 414);
  assert.equal((await c.get('/allocation/%E2%82')).status, 400);
});

test('a partnership without a RAS in force says so clearly, with a 404', async () => {
  for (const p of [withNone, draftOnly]) {
    for (const path of [
      '',
      '/calculator',
      `/calculator/result?${queryOf({ home: 'none', out: 'none', carer: 'yes' })}`,
    ]) {
      const res = await c.get(`/allocation/${p.code}${path}`);
      assert.equal(res.status, 404);
      assert.match(mainText(res.text), /has not published how budgets are worked out/);
    }
  }
});

test('a draft or a version not in force yet is never shown or used', async () => {
  const page = mainText((await c.get(`/allocation/${withCalc.code}`)).text);
  assert.match(page, /Each point is worth £1,234\.57 a year/);
  assert.doesNotMatch(page, /£9,999\.00|£7,777\.00|calc-draft|calc-future/);
  const answers = { home: 'some', out: 'none', carer: 'yes' };
  const expected = calculateIndicativeBudget(calc, answers);
  assert.ok(expected.ok);
  const result = mainText((await c.get(resultPath(withCalc, queryOf(answers)))).text);
  assert.ok(result.includes(`${formatPounds(expected.budget.annual)} a year`));
  assert.ok(result.includes('calc-v1'));
  assert.doesNotMatch(result, /£9,999\.00|£7,777\.00/);
  assert.equal(formatPounds(pence(123_457)), '£1,234.57');
});

test('the public pages set no cookie of their own', async () => {
  const fresh = new TestClient(t.url);
  for (const path of [
    `/allocation/${withCalc.code}`,
    `/allocation/${withCalc.code}/calculator`,
    resultPath(withCalc, queryOf({ home: 'some', out: 'none', carer: 'yes' })),
  ]) {
    const res = await fresh.get(path);
    const names = res.headers.getSetCookie().map((s) => s.split('=')[0]);
    // Only the platform's CSRF seed, set once for any visitor without one.
    assert.ok(
      names.every((n) => n === 'pooled_csrf'),
      names.join(', '),
    );
  }
  assert.deepEqual([...fresh.cookies.keys()], ['pooled_csrf']);
});
