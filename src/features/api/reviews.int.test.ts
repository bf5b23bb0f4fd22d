// /api/v1 reviews against a real server and database: reading a review with the plan outcomes it
// rates, recording what it found (the next planned review scheduled 12 months on, the goal
// attainment kept as a measure), unplanned reviews with their CLD reason, bad bodies refused
// naming each field with nothing written, permissions, another partnership's review not found,
// and the audit trail.
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
import { addDays, addMonths } from '../reviews/index.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';
import { reviewListSchema } from './plans-schemas.ts';
import { reviewDetailSchema, reviewRecordedSchema } from './reviews-schemas.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let rasId = '';
let coordinator: TestUser;
let full: TestApiClient;
let reader: TestApiClient;
let peopleOnly: TestApiClient;
let fullB: TestApiClient;

const EVERYTHING = ['people:read', 'people:write', 'plans:read', 'plans:write'] as const;
const today = todayInLondon();

before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  rasId = await publishRas(t.db, a.id);
  coordinator = await createUser(t.db, a, ['care_coordinator']);
  full = await createApiClient(t.db, a.id, [...EVERYTHING], 'Full');
  reader = await createApiClient(t.db, a.id, ['people:read', 'plans:read'], 'Reader');
  peopleOnly = await createApiClient(t.db, a.id, ['people:read', 'people:write'], 'People');
  fullB = await createApiClient(t.db, b.id, [...EVERYTHING], 'Full B');
});
after(() => t.close());

/** A person with a plan approved today, and its first care plan review. */
async function approvedPlan() {
  const by = ctxFor(a, coordinator, ['care_coordinator']);
  const x = await submittedPlan(t.db, a, { rasId, coordinatorId: coordinator.id, author: by });
  await approve(t.db, by, x.planId);
  const review = await t.db.system
    .selectFrom('reviews')
    .select('id')
    .where('plan_id', '=', x.planId)
    .where('rule', '=', 'care_plan_first')
    .executeTakeFirstOrThrow();
  return { ...x, reviewId: review.id };
}

function assertProblem(res: ApiResponse, status: number) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = problemSchema.parse(res.body);
  assert.equal(problem.status, status);
  return problem;
}

const fieldsOf = (res: ApiResponse) =>
  (problemSchema.parse(res.body).errors ?? []).map((e) => e.field).sort();

const goodRecord = {
  outcomes: [{ outcomeId: 'choir', achieved: 'partly' }],
  personView: 'I go most weeks now, but the evenings are hard.',
  budgetSufficient: true,
  usedAsAgreed: false,
  usedAsAgreedNotes: 'Some weeks the PA came for two hours instead of three.',
  changesNeeded: true,
  changes: 'Move choir support to Tuesday afternoons.',
};

async function reviewRow(id: string) {
  return t.db.system
    .selectFrom('reviews')
    .select(['status', 'completed_on', 'completed_by', 'document'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('a planned review, recorded by API', () => {
  let x: Awaited<ReturnType<typeof approvedPlan>>;
  before(async () => {
    x = await approvedPlan();
  });

  test('GET: the review, its rule and source, and the plan outcomes to rate', async () => {
    const res = await call(t.url, 'GET', `/api/v1/reviews/${x.reviewId}`, { token: reader.token });
    assert.equal(res.status, 200, res.text);
    const review = reviewDetailSchema.parse(res.body);
    assert.equal(review.id, x.reviewId);
    assert.equal(review.href, `/api/v1/reviews/${x.reviewId}`);
    assert.equal(review.personId, x.personId);
    assert.equal(review.planId, x.planId);
    assert.equal(review.planHref, `/api/v1/plans/${x.planId}`);
    assert.equal(review.kind, 'planned');
    assert.equal(review.rule, 'care_plan_first');
    assert.equal(review.status, 'due');
    assert.equal(review.dueOn, addDays(today, 56));
    assert.equal(review.earliestOn, addDays(today, 42));
    assert.ok(review.label && review.source);
    assert.deepEqual(review.planOutcomes, [
      { id: 'choir', text: 'I want to sing in a choir again' },
    ]);
    assert.equal(review.record, null);
    assert.equal(review.request, null);
  });

  test('bad bodies: 400 naming each field, and the review still due', async () => {
    const path = `/api/v1/reviews/${x.reviewId}/record`;
    const cases: [unknown, string[]][] = [
      [{}, ['budgetSufficient', 'changesNeeded', 'outcomes', 'personView', 'usedAsAgreed']],
      [{ ...goodRecord, personView: '   ' }, ['personView']],
      [{ ...goodRecord, personView: 'x'.repeat(5001) }, ['personView']],
      [{ ...goodRecord, budgetSufficient: 'yes' }, ['budgetSufficient']],
      [{ ...goodRecord, usedAsAgreedNotes: '' }, ['usedAsAgreedNotes']],
      [{ ...goodRecord, changes: undefined }, ['changes']],
      [
        { ...goodRecord, personView: '', usedAsAgreedNotes: ' ', changes: '' },
        ['changes', 'personView', 'usedAsAgreedNotes'],
      ],
      [{ ...goodRecord, outcomes: [] }, ['outcomes']],
      [{ ...goodRecord, outcomes: 'all of them' }, ['outcomes']],
      [
        { ...goodRecord, outcomes: [{ outcomeId: 'choir', achieved: 'mostly' }] },
        ['outcomes.0.achieved'],
      ],
      [
        { ...goodRecord, outcomes: [{ outcomeId: 'swim', achieved: 'fully' }] },
        ['outcomes', 'outcomes.0.outcomeId'],
      ],
      [
        {
          ...goodRecord,
          outcomes: [
            { outcomeId: 'choir', achieved: 'fully' },
            { outcomeId: 'choir', achieved: 'not' },
          ],
        },
        ['outcomes.1.outcomeId'],
      ],
      [{ ...goodRecord, extra: 1 }, ['extra']],
    ];
    for (const [json, fields] of cases) {
      const res = await call(t.url, 'POST', path, { token: full.token, json });
      assertProblem(res, 400);
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(json).slice(0, 200));
    }
    assert.equal((await reviewRow(x.reviewId)).status, 'due', 'nothing was written');
  });

  test('POST record: completed, kept, goal attainment measured, the next review scheduled 12 months on', async () => {
    const res = await call(t.url, 'POST', `/api/v1/reviews/${x.reviewId}/record`, {
      token: full.token,
      json: goodRecord,
    });
    assert.equal(res.status, 200, res.text);
    const recorded = reviewRecordedSchema.parse(res.body);
    assert.equal(recorded.nextDueOn, addMonths(today, 12));
    assert.equal(recorded.review.status, 'completed');
    assert.equal(recorded.review.completedOn, today);
    assert.equal(recorded.review.completedByName, 'API client Full');
    assert.deepEqual(recorded.review.record, {
      ...goodRecord,
      outcomes: [
        { outcomeId: 'choir', text: 'I want to sing in a choir again', achieved: 'partly' },
      ],
    });
    const row = await reviewRow(x.reviewId);
    assert.equal(row.completed_by, null, 'no user recorded it');

    const list = reviewListSchema.parse(
      (await call(t.url, 'GET', `/api/v1/people/${x.personId}/reviews`, { token: reader.token }))
        .body,
    );
    const next = list.items.filter((r) => r.status === 'due');
    assert.deepEqual(
      next.map((r) => [r.rule, r.dueOn]),
      [['care_plan_annual', addMonths(today, 12)]],
    );

    const goals = await t.db.system
      .selectFrom('outcome_measures')
      .select(['instrument', 'plan_id', 'review_id', 'taken_on', 'recorded_by', 'score'])
      .where('person_id', '=', x.personId)
      .execute();
    assert.equal(goals.length, 1);
    assert.equal(goals[0]?.instrument, 'goal_attainment');
    assert.equal(goals[0]?.review_id, x.reviewId);
    assert.equal(goals[0]?.plan_id, x.planId);
    assert.equal(goals[0]?.recorded_by, null);
    assert.equal((goals[0]?.score as { partly: number }).partly, 1);

    const events = await t.db.system
      .selectFrom('audit_events')
      .select(['action', 'record_type', 'record_id', 'person_id', 'detail'])
      .where('api_client_id', '=', full.id)
      .where('record_type', '=', 'review')
      .where('action', '=', 'update')
      .execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.record_id, x.reviewId);
    assert.equal(events[0]?.person_id, x.personId);
    assert.equal((events[0]?.detail as { nextDueOn: string }).nextDueOn, addMonths(today, 12));
  });

  test('recording it again: 409, nothing changed', async () => {
    const before = await reviewRow(x.reviewId);
    const res = await call(t.url, 'POST', `/api/v1/reviews/${x.reviewId}/record`, {
      token: full.token,
      json: { ...goodRecord, personView: 'Something else' },
    });
    assertProblem(res, 409);
    assert.deepEqual(await reviewRow(x.reviewId), before);
  });
});

describe('unplanned reviews by API', () => {
  test('POST with a CLD reason: 201, Location, due when asked; recorded, no next one', async () => {
    const x = await approvedPlan();
    const res = await call(t.url, 'POST', `/api/v1/people/${x.personId}/reviews`, {
      token: full.token,
      json: {
        reason: 'Unplanned - Carer related',
        trigger: 'person_asked',
        details: 'Her mother, who cares for her, has gone into hospital.',
        dueOn: addDays(today, 7),
      },
    });
    assert.equal(res.status, 201, res.text);
    const review = reviewDetailSchema.parse(res.body);
    assert.equal(res.headers.get('location'), `/api/v1/reviews/${review.id}`);
    assert.equal(review.kind, 'unplanned');
    assert.equal(review.rule, 'Unplanned - Carer related');
    assert.equal(review.label, 'Something has changed for a carer');
    assert.equal(review.dueOn, addDays(today, 7));
    assert.equal(review.planId, x.planId);
    assert.deepEqual(review.request, {
      details: 'Her mother, who cares for her, has gone into hospital.',
      trigger: 'person_asked',
      source: 'Care Act 2014 section 27(1)(b)',
      requestedOn: today,
    });

    const recorded = await call(t.url, 'POST', `/api/v1/reviews/${review.id}/record`, {
      token: full.token,
      json: { ...goodRecord, usedAsAgreed: true, changesNeeded: false },
    });
    assert.equal(recorded.status, 200, recorded.text);
    const done = reviewRecordedSchema.parse(recorded.body);
    assert.equal(done.nextDueOn, null, 'an unplanned review schedules no other');
    assert.equal(done.review.record?.usedAsAgreedNotes, '', 'notes only when used differently');
    assert.equal(done.review.record?.changes, '');
    assert.equal(done.review.request?.trigger, 'person_asked', 'the request is kept');
  });

  test('without a due date it is due in 4 weeks', async () => {
    const x = await approvedPlan();
    const res = await call(t.url, 'POST', `/api/v1/people/${x.personId}/reviews`, {
      token: full.token,
      json: { reason: 'Unplanned - Provider Failure', details: 'The agency closed.' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(reviewDetailSchema.parse(res.body).dueOn, addDays(today, 28));
  });

  test('bad bodies: 400 naming each field; no plan: 409; nothing written', async () => {
    const x = await approvedPlan();
    const path = `/api/v1/people/${x.personId}/reviews`;
    const good = { reason: 'Unplanned - Other Reason', details: 'Asked for one.' };
    const cases: [unknown, string[]][] = [
      [{}, ['details', 'reason']],
      [{ ...good, reason: 'Planned' }, ['reason']],
      [{ ...good, reason: 'Unplanned - Bored' }, ['reason']],
      [{ ...good, details: '  ' }, ['details']],
      [{ ...good, details: 'x'.repeat(2001) }, ['details']],
      [{ ...good, trigger: 'bored' }, ['trigger']],
      [{ ...good, dueOn: 'soon' }, ['dueOn']],
      [{ ...good, dueOn: '2027-02-29' }, ['dueOn']],
      [{ ...good, dueOn: addDays(today, -1) }, ['dueOn']],
      [{ ...good, extra: true }, ['extra']],
    ];
    for (const [json, fields] of cases) {
      const res = await call(t.url, 'POST', path, { token: full.token, json });
      assertProblem(res, 400);
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(json).slice(0, 200));
    }
    const unplanned = await t.db.system
      .selectFrom('reviews')
      .select('id')
      .where('person_id', '=', x.personId)
      .where('kind', '=', 'unplanned')
      .execute();
    assert.deepEqual(unplanned, []);

    const noPlan = await createPerson(t.db, a, { familyName: 'Planless' });
    assertProblem(
      await call(t.url, 'POST', `/api/v1/people/${noPlan.id}/reviews`, {
        token: full.token,
        json: good,
      }),
      409,
    );
  });
});

describe('who may', () => {
  test('a missing permission: 403 naming it; no token: 401; nothing written', async () => {
    const x = await approvedPlan();
    const get = `/api/v1/reviews/${x.reviewId}`;
    const post: [string, unknown][] = [
      [`/api/v1/reviews/${x.reviewId}/record`, goodRecord],
      [
        `/api/v1/people/${x.personId}/reviews`,
        { reason: 'Unplanned - Other Reason', details: 'x' },
      ],
    ];
    const read = assertProblem(await call(t.url, 'GET', get, { token: peopleOnly.token }), 403);
    assert.match(read.detail ?? '', /plans:read/);
    assertProblem(await call(t.url, 'GET', get), 401);
    for (const [path, json] of post) {
      const p = assertProblem(await call(t.url, 'POST', path, { token: reader.token, json }), 403);
      assert.match(p.detail ?? '', /plans:write/);
      assertProblem(await call(t.url, 'POST', path, { token: peopleOnly.token, json }), 403);
      assertProblem(await call(t.url, 'POST', path, { json }), 401);
    }
    assert.equal((await reviewRow(x.reviewId)).status, 'due');
  });

  test('another partnership’s review or person, an unknown id or not an id: 404', async () => {
    const x = await approvedPlan();
    const unknown = '00000000-0000-4000-8000-000000000000';
    const unplanned = { reason: 'Unplanned - Other Reason', details: 'Asked for one.' };
    for (const [token, id, personId] of [
      [fullB.token, x.reviewId, x.personId],
      [full.token, unknown, unknown],
      [full.token, 'not-a-uuid', 'not-a-uuid'],
    ] as const) {
      assertProblem(await call(t.url, 'GET', `/api/v1/reviews/${id}`, { token }), 404);
      assertProblem(
        await call(t.url, 'POST', `/api/v1/reviews/${id}/record`, { token, json: goodRecord }),
        404,
      );
      assertProblem(
        await call(t.url, 'POST', `/api/v1/people/${personId}/reviews`, {
          token,
          json: unplanned,
        }),
        404,
      );
    }
    assert.equal((await reviewRow(x.reviewId)).status, 'due');
  });
});

describe('properties', () => {
  test('any JSON object sent to record a review is answered 200, 400 or 409, never 500', async () => {
    const x = await approvedPlan();
    const path = `/api/v1/reviews/${x.reviewId}/record`;
    const outcome = fc.record(
      { outcomeId: fc.oneof(fc.constant('choir'), fc.string()), achieved: fc.jsonValue() },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.record(
        {
          outcomes: fc.oneof(fc.array(outcome, { maxLength: 3 }), fc.jsonValue()),
          personView: fc.oneof(fc.string(), fc.jsonValue()),
          budgetSufficient: fc.jsonValue(),
          usedAsAgreed: fc.oneof(fc.boolean(), fc.jsonValue()),
          usedAsAgreedNotes: fc.jsonValue(),
          changesNeeded: fc.oneof(fc.boolean(), fc.jsonValue()),
          changes: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const res = await call(t.url, 'POST', path, { token: full.token, json });
        assert.ok([200, 400, 409].includes(res.status), `${String(res.status)}: ${res.text}`);
        if (res.status !== 200) assertProblem(res, res.status);
      }),
      { numRuns: 60 },
    );
  });
});
