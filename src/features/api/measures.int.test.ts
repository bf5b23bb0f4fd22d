// /api/v1 outcome measures against a real server and database: recording each instrument (a
// baseline for a plan, a later one at a review) with the score the rules give, the change from
// baseline to latest, bad bodies refused naming each field with nothing written, permissions,
// another partnership's person not found, and the audit trail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { approve, ctxFor, submittedPlan } from '../../../test/support/submitted-plans.ts';
import { todayInLondon } from '../../platform/dates.ts';
import { SWEMWBS_ITEMS, SWEMWBS_METRIC_HUNDREDTHS } from '../measures/index.ts';
import { addDays } from '../reviews/index.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';
import { measureListSchema, measureRecordedSchema } from './measures-schemas.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let coordinator: TestUser;
let full: TestApiClient;
let reader: TestApiClient;
let peopleOnly: TestApiClient;
let fullB: TestApiClient;
let personId = '';
let planId = '';
let reviewId = '';
let otherReviewId = '';

const EVERYTHING = ['people:read', 'people:write', 'plans:read', 'plans:write'] as const;
const today = todayInLondon();

before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  const rasId = await publishRas(t.db, a.id);
  coordinator = await createUser(t.db, a, ['care_coordinator']);
  full = await createApiClient(t.db, a.id, [...EVERYTHING], 'Full');
  reader = await createApiClient(t.db, a.id, ['people:read', 'plans:read'], 'Reader');
  peopleOnly = await createApiClient(t.db, a.id, ['people:read', 'people:write'], 'People');
  fullB = await createApiClient(t.db, b.id, [...EVERYTHING], 'Full B');
  const by = ctxFor(a, coordinator, ['care_coordinator']);
  const approved = async () => {
    const x = await submittedPlan(t.db, a, { rasId, coordinatorId: coordinator.id, author: by });
    await approve(t.db, by, x.planId);
    const review = await t.db.system
      .selectFrom('reviews')
      .select('id')
      .where('plan_id', '=', x.planId)
      .where('rule', '=', 'care_plan_first')
      .executeTakeFirstOrThrow();
    return { ...x, reviewId: review.id };
  };
  const x = await approved();
  personId = x.personId;
  planId = x.planId;
  reviewId = x.reviewId;
  otherReviewId = (await approved()).reviewId;
});
after(() => t.close());

function assertProblem(res: ApiResponse, status: number) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = problemSchema.parse(res.body);
  assert.equal(problem.status, status);
  return problem;
}

const fieldsOf = (res: ApiResponse) =>
  (problemSchema.parse(res.body).errors ?? []).map((e) => e.field).sort();

const path = (id = personId) => `/api/v1/people/${id}/measures`;

const swemwbs = (level: number) => ({
  wemwbs1: level,
  wemwbs2: level,
  wemwbs3: level,
  wemwbs6: level,
  wemwbs7: level,
  wemwbs9: level,
  wemwbs11: level,
});
const eq5d = (profile: string, vas?: number) => ({
  MO: Number(profile[0]),
  SC: Number(profile[1]),
  UA: Number(profile[2]),
  PD: Number(profile[3]),
  AD: Number(profile[4]),
  ...(vas === undefined ? {} : { vas }),
});
const ascot = (level: string, dignity = level) => ({
  controlOverDailyLife: level,
  personalCleanlinessAndComfort: level,
  foodAndDrink: level,
  personalSafety: level,
  socialParticipation: level,
  occupation: level,
  accommodationCleanlinessAndComfort: level,
  dignity,
});

async function record(json: unknown, token = full.token) {
  return call(t.url, 'POST', path(), { token, json });
}

async function measureRows() {
  return t.db.system
    .selectFrom('outcome_measures')
    .select(['id', 'instrument', 'taken_on', 'plan_id', 'review_id', 'score'])
    .where('person_id', '=', personId)
    .orderBy('recorded_at')
    .execute();
}

describe('recording and reading measures', () => {
  test('none to begin with: each instrument listed, empty, with no change', async () => {
    const res = await call(t.url, 'GET', path(), { token: reader.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const list = measureListSchema.parse(res.body);
    assert.deepEqual(
      list.items.map((i) => [i.instrument, i.measurements.length, i.change]),
      [
        ['swemwbs', 0, null],
        ['eq5d5l', 0, null],
        ['ascot_sct4', 0, null],
        ['employment', 0, null],
        ['accommodation', 0, null],
      ],
    );
  });

  test('a baseline of each instrument for the plan: 201 with the rules’ scores', async () => {
    const baseline = addDays(today, -60);
    const cases: [string, unknown, unknown][] = [
      // SWEMWBS raw 21 is 19.25 on the Rasch table (DOMAIN.md 7.4).
      [
        'swemwbs',
        swemwbs(3),
        { instrument: 'swemwbs', answered: 7, raw: 21, metricHundredths: 1925 },
      ],
      // EQ-5D-5L 11111 is full health by every value set.
      [
        'eq5d5l',
        eq5d('11111', 70),
        {
          instrument: 'eq5d5l',
          profile: '11111',
          vas: 70,
          indexThousandths: { england2018: 1000, ukCrosswalk: 1000, uk2026: 1000 },
        },
      ],
      // ASCOT: some needs (1) in 7 domains and no needs (2) in one: 9 of 24.
      [
        'ascot_sct4',
        ascot('someNeeds', 'noNeeds'),
        { instrument: 'ascot_sct4', answered: 8, score: 9 },
      ],
      [
        'employment',
        { status: 'Not in Paid Employment (seeking work)' },
        { instrument: 'employment', status: 'Not in Paid Employment (seeking work)', paid: false },
      ],
      [
        'accommodation',
        { status: 'Rough sleeper / squatting' },
        { instrument: 'accommodation', status: 'Rough sleeper / squatting', settled: null },
      ],
    ];
    for (const [instrument, answers, score] of cases) {
      const res = await record({ instrument, takenOn: baseline, planId, answers });
      assert.equal(res.status, 201, res.text);
      const recorded = measureRecordedSchema.parse(res.body);
      const history = recorded.measures.find((h) => h.instrument === instrument);
      assert.ok(history);
      assert.equal(history.measurements.length, 1);
      const m = history.measurements[0];
      assert.ok(m);
      assert.equal(m.id, recorded.id);
      assert.equal(m.takenOn, baseline);
      assert.equal(m.planId, planId);
      assert.equal(m.reviewId, null);
      assert.deepEqual(m.score, score, instrument);
      assert.equal(history.change, null, 'one measurement has no change');
    }
    const rows = await measureRows();
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => r.plan_id === planId && r.review_id === null));
  });

  test('at the review: the change from baseline to latest, per instrument', async () => {
    const cases: [string, unknown][] = [
      ['swemwbs', swemwbs(4)],
      ['eq5d5l', eq5d('12345', 55)],
      ['ascot_sct4', ascot('noNeeds')],
      ['employment', { status: 'Paid: Less than 16 hours a week' }],
      ['accommodation', { status: 'Tenant' }],
    ];
    let last: ApiResponse | undefined;
    for (const [instrument, answers] of cases) {
      last = await record({ instrument, takenOn: today, reviewId, answers });
      assert.equal(last.status, 201, last.text);
    }
    const list = measureListSchema.parse(
      (await call(t.url, 'GET', path(), { token: reader.token })).body,
    );
    assert.deepEqual(measureRecordedSchema.parse(last?.body).measures, list.items);
    const of = (instrument: string) => {
      const h = list.items.find((x) => x.instrument === instrument);
      assert.ok(h);
      assert.equal(h.measurements.length, 2);
      assert.equal(h.measurements[1]?.reviewId, reviewId);
      assert.equal(h.measurements[1]?.takenOn, today);
      return h;
    };
    // SWEMWBS raw 28 is 25.03: up 5.78 from 19.25.
    assert.deepEqual(of('swemwbs').change, {
      metricHundredths: { from: 1925, to: 2503, change: 578 },
    });
    // EQ-5D-5L 12345: England 0.322 and the NICE crosswalk 0.063 (DOMAIN.md 7.2).
    assert.deepEqual(of('eq5d5l').change, {
      indexThousandths: {
        england2018: { from: 1000, to: 322, change: -678 },
        ukCrosswalk: { from: 1000, to: 63, change: -937 },
      },
      vas: { from: 70, to: 55, change: -15 },
    });
    assert.deepEqual(of('ascot_sct4').change, { score: { from: 9, to: 16, change: 7 } });
    assert.deepEqual(of('employment').change, {
      status: {
        from: 'Not in Paid Employment (seeking work)',
        to: 'Paid: Less than 16 hours a week',
        changed: true,
      },
      paid: { from: false, to: true },
    });
    assert.deepEqual(of('accommodation').change, {
      status: { from: 'Rough sleeper / squatting', to: 'Tenant', changed: true },
      settled: { from: null, to: true },
    });
  });

  test('each call is in the audit trail under the client, with the person', async () => {
    const events = await t.db.system
      .selectFrom('audit_events')
      .select(['action', 'record_type', 'record_id', 'person_id'])
      .where('api_client_id', 'in', [full.id, reader.id])
      .where('record_type', '=', 'outcome_measure')
      .orderBy('id')
      .execute();
    const rows = await measureRows();
    const created = events.filter((e) => e.action === 'create');
    assert.deepEqual(
      created.map((e) => e.record_id),
      rows.map((r) => r.id),
      'one create event a measurement, naming it',
    );
    assert.ok(events.some((e) => e.action === 'read'));
    assert.ok(events.every((e) => e.person_id === personId));
  });
});

describe('what is refused', () => {
  const good = { instrument: 'swemwbs', takenOn: '2026-01-05', answers: swemwbs(2) };

  test('bad bodies: 400 naming each field, and nothing written', async () => {
    const before = (await measureRows()).length;
    const missingTwo = { ...swemwbs(3) } as Record<string, number>;
    delete missingTwo.wemwbs3;
    delete missingTwo.wemwbs7;
    const cases: [unknown, string[]][] = [
      [{}, ['answers', 'instrument', 'takenOn']],
      [{ ...good, instrument: 'mood' }, ['instrument']],
      [{ ...good, takenOn: '2026-02-30' }, ['takenOn']],
      [{ ...good, takenOn: 'last Tuesday' }, ['takenOn']],
      [{ ...good, takenOn: addDays(today, 1) }, ['takenOn']],
      [{ ...good, answers: missingTwo }, ['answers.wemwbs3', 'answers.wemwbs7']],
      [
        { ...good, answers: { ...swemwbs(3), wemwbs1: 6, wemwbs4: 2 } },
        ['answers.wemwbs1', 'answers.wemwbs4'],
      ],
      [{ ...good, answers: 'all good' }, ['answers']],
      [{ ...good, instrument: 'eq5d5l', answers: eq5d('11111', 101) }, ['answers.vas']],
      [
        { ...good, instrument: 'eq5d5l', answers: { MO: 1 } },
        ['answers.AD', 'answers.PD', 'answers.SC', 'answers.UA'],
      ],
      [
        { ...good, instrument: 'ascot_sct4', answers: ascot('ideal', 'great') },
        ['answers.dignity'],
      ],
      [{ ...good, instrument: 'employment', answers: { status: 'Busy' } }, ['answers.status']],
      [{ ...good, instrument: 'accommodation', answers: {} }, ['answers.status']],
      [{ ...good, extra: true }, ['extra']],
      [{ ...good, reviewId: 'review-1' }, ['reviewId']],
      [{ ...good, reviewId: otherReviewId }, ['reviewId']],
      [{ ...good, planId: '00000000-0000-4000-8000-000000000000' }, ['planId']],
      [{ ...good, instrument: 'goal_attainment', answers: { outcomes: [] } }, ['instrument']],
    ];
    for (const [json, fields] of cases) {
      const res = await record(json);
      assertProblem(res, 400);
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(json));
    }
    const notObject = await record([1, 2]);
    assertProblem(notObject, 400);
    const broken = await call(t.url, 'POST', path(), {
      token: full.token,
      raw: '{"instrument":',
      headers: { 'content-type': 'application/json' },
    });
    assertProblem(broken, 400);
    assert.equal((await measureRows()).length, before, 'nothing was written');
  });

  test('a missing permission: 403 naming it; no token: 401', async () => {
    const write = assertProblem(await record(good, reader.token), 403);
    assert.match(write.detail ?? '', /plans:write/);
    const read = assertProblem(await call(t.url, 'GET', path(), { token: peopleOnly.token }), 403);
    assert.match(read.detail ?? '', /plans:read/);
    assertProblem(await record(good, peopleOnly.token), 403);
    assertProblem(await call(t.url, 'GET', path()), 401);
    assertProblem(await call(t.url, 'POST', path(), { json: good }), 401);
  });

  test('another partnership’s person, an unknown id or not an id: 404, nothing written', async () => {
    const before = (await measureRows()).length;
    assertProblem(await call(t.url, 'GET', path(), { token: fullB.token }), 404);
    assertProblem(await record(good, fullB.token), 404);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      assertProblem(await call(t.url, 'GET', path(id), { token: full.token }), 404);
      assertProblem(await call(t.url, 'POST', path(id), { token: full.token, json: good }), 404);
    }
    assert.equal((await measureRows()).length, before);
  });

  test('a person without a plan may still have a measure recorded', async () => {
    const fresh = await createPerson(t.db, a, { familyName: 'Unplanned' });
    const res = await call(t.url, 'POST', path(fresh.id), { token: full.token, json: good });
    assert.equal(res.status, 201, res.text);
  });
});

describe('properties', () => {
  test('any complete SWEMWBS is stored with the Rasch metric of its raw score', async () => {
    const level = fc.constantFrom(1, 2, 3, 4, 5);
    await fc.assert(
      fc.asyncProperty(
        fc.record(Object.fromEntries(SWEMWBS_ITEMS.map((i) => [i, level]))),
        async (answers) => {
          const res = await record({ instrument: 'swemwbs', takenOn: today, answers });
          assert.equal(res.status, 201, res.text);
          const recorded = measureRecordedSchema.parse(res.body);
          const m = recorded.measures
            .find((h) => h.instrument === 'swemwbs')
            ?.measurements.find((x) => x.id === recorded.id);
          const raw = Object.values(answers).reduce((a, b) => a + b, 0);
          assert.deepEqual(m?.score, {
            instrument: 'swemwbs',
            answered: 7,
            raw,
            metricHundredths: SWEMWBS_METRIC_HUNDREDTHS[raw - 7],
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  test('any JSON object is answered 201 or a 400 problem, never 500', async () => {
    const instrument = fc.constantFrom('swemwbs', 'eq5d5l', 'ascot_sct4', 'employment', 'x');
    const body = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.record(
        {
          instrument,
          takenOn: fc.oneof(fc.constant(today), fc.string()),
          answers: fc.oneof(
            fc.dictionary(
              fc.constantFrom(...SWEMWBS_ITEMS, 'MO', 'status', 'dignity'),
              fc.jsonValue(),
            ),
            fc.jsonValue(),
          ),
          reviewId: fc.oneof(fc.constant(null), fc.uuid(), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const res = await record(json);
        assert.ok([201, 400].includes(res.status), `${String(res.status)}: ${res.text}`);
        if (res.status === 400) assertProblem(res, 400);
      }),
      { numRuns: 60 },
    );
  });
});
