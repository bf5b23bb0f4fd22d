// /api/v1 assessments, eligibility decisions and allocations against a real server and
// database: the whole journey by API (start, every section, complete, decision, budget,
// judgement, reassessment), optimistic versions, what is missing, bad bodies, unknown ids,
// partnership isolation, permissions, tokens and the audit trail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  publishRas,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { calculateIndicativeBudget, DEMO_RAS, rasVersionSchema } from '../allocation/index.ts';
import { ELIGIBILITY_RULES_VERSION, SECTIONS, type SectionId } from '../assessment/index.ts';
import { CARE_ACT_OUTCOMES } from '../assessment/eligibility.ts';
import { WELLBEING_AREAS } from '../assessment/answers.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';
import {
  allocationSchema,
  assessmentListSchema,
  assessmentSchema,
  eligibilitySchema,
} from './assessments-schemas.ts';

const ras = rasVersionSchema.parse(DEMO_RAS);
/** Question i gets its answer i (mod the number of answers): a spread of points. */
const budgetAnswers: Record<string, string> = Object.fromEntries(
  ras.questions.map((q, i) => [q.id, q.answers[i % q.answers.length]?.id ?? '']),
);

/** Valid answers for every section: the first two outcomes cannot be achieved. */
const BODIES: Record<SectionId, Record<string, unknown>> = {
  outcomes: {
    respondent: 'person',
    items: Object.fromEntries(
      CARE_ACT_OUTCOMES.map((o, i) => [
        o.id,
        i < 2
          ? { achievable: false, reasons: ['needs_assistance'], notes: 'Needs prompting' }
          : { achievable: true, reasons: [], notes: '' },
      ]),
    ),
  },
  impairment: { respondent: 'worker', needsFromImpairmentOrIllness: true, notes: 'Psychosis' },
  wellbeing: {
    respondent: 'worker',
    areas: Object.fromEntries(WELLBEING_AREAS.map((a) => [a.id, 'significant'])),
    significantImpact: true,
    notes: '',
  },
  nhs: {
    respondent: 'worker',
    detained: false,
    continuingHealthcare: 'not_assessed',
    otherHealthNeeds: '',
  },
  recovery: {
    respondent: 'person',
    whatIsWorking: 'My support worker',
    strengths: 'Cooking',
    familyAndCommunitySupport: 'My brother',
    goals: 'Back to work part-time',
    hasUnpaidCarer: true,
    carerName: 'Sam',
    carerAssessment: 'wanted',
  },
  budget: { respondent: 'representative', answers: budgetAnswers },
};

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let noRas: TestPartnership;
let full: TestApiClient;
let reader: TestApiClient;
let peopleOnly: TestApiClient;
let assessmentsOnly: TestApiClient;
let fullB: TestApiClient;
let fullNoRas: TestApiClient;
let personId = '';

before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  noRas = await createPartnership(t.db, 'C');
  await publishRas(t.db, a.id);
  await publishRas(t.db, b.id);
  const everything = [
    'people:read',
    'people:write',
    'assessments:read',
    'assessments:write',
  ] as const;
  full = await createApiClient(t.db, a.id, [...everything], 'Full');
  reader = await createApiClient(t.db, a.id, ['people:read', 'assessments:read'], 'Reader');
  peopleOnly = await createApiClient(t.db, a.id, ['people:read', 'people:write'], 'People');
  assessmentsOnly = await createApiClient(
    t.db,
    a.id,
    ['assessments:read', 'assessments:write'],
    'Assessments only',
  );
  fullB = await createApiClient(t.db, b.id, [...everything], 'Full B');
  fullNoRas = await createApiClient(t.db, noRas.id, [...everything], 'Full C');
  personId = (await createPerson(t.db, a, { familyName: 'Assessed' })).id;
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
  (problemSchema.parse(res.body).errors ?? []).map((e) => e.field);

const put = (id: string, section: SectionId, body: Record<string, unknown>, token = full.token) =>
  call(t.url, 'PUT', `/api/v1/assessments/${id}/sections/${section}`, { token, json: body });

describe('the whole journey by API', () => {
  let assessmentId = '';
  let version = 0;
  let allocationId = '';

  test('POST starts a draft (201, Location, ETag); a second POST returns the same draft (200)', async () => {
    const res = await call(t.url, 'POST', `/api/v1/people/${personId}/assessments`, {
      token: full.token,
    });
    assert.equal(res.status, 201, res.text);
    const view = assessmentSchema.parse(res.body);
    assessmentId = view.id;
    version = view.version;
    assert.equal(res.headers.get('location'), `/api/v1/assessments/${view.id}`);
    assert.equal(res.headers.get('etag'), `"${String(view.version)}"`);
    assert.equal(view.status, 'draft');
    assert.equal(view.sequence, 1);
    assert.equal(view.personId, personId);
    assert.equal(view.rasVersion.code, ras.id);
    assert.deepEqual(
      view.budgetQuestions.map((q) => q.id),
      ras.questions.map((q) => q.id),
    );
    assert.ok(view.missing.length > 10, 'everything is still to answer');
    assert.equal(view.eligibility, null);
    assert.equal(view.allocation, null);

    const again = await call(t.url, 'POST', `/api/v1/people/${personId}/assessments`, {
      token: full.token,
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(assessmentSchema.parse(again.body).id, assessmentId);
  });

  test('completing while answers are missing: a 400 problem listing each, and nothing stored', async () => {
    const res = await call(t.url, 'POST', `/api/v1/assessments/${assessmentId}/complete`, {
      token: full.token,
      json: { version },
    });
    assertProblem(res, 400);
    const fields = fieldsOf(res);
    const view = assessmentSchema.parse(
      (await call(t.url, 'GET', `/api/v1/assessments/${assessmentId}`, { token: reader.token }))
        .body,
    );
    assert.deepEqual(
      fields,
      view.missing.map((m) => m.field),
    );
    for (const expected of [
      'outcomes.respondent',
      'outcomes.items.nutrition.achievable',
      'wellbeing.areas.health',
      'recovery.goals',
      `budget.answers.${ras.questions[0]?.id ?? ''}`,
    ])
      assert.ok(fields.includes(expected), `${expected} in ${fields.join(', ')}`);
    assert.equal(view.status, 'draft');
    assert.equal(view.version, version, 'nothing was written');
  });

  test('PUT each section with the version read: each save bumps the version', async () => {
    for (const { id: section } of SECTIONS) {
      const res = await put(assessmentId, section, { ...BODIES[section], version });
      assert.equal(res.status, 200, `${section}: ${res.text}`);
      const view = assessmentSchema.parse(res.body);
      assert.equal(view.version, version + 1, section);
      assert.equal(res.headers.get('etag'), `"${String(view.version)}"`);
      assert.ok(!view.missing.some((m) => m.section === section), `${section} is complete`);
      version = view.version;
    }
    const view = assessmentSchema.parse(
      (await call(t.url, 'GET', `/api/v1/assessments/${assessmentId}`, { token: reader.token }))
        .body,
    );
    assert.deepEqual(view.missing, []);
    assert.equal(view.answers.recovery?.carerName, 'Sam');
    assert.deepEqual(view.answers.budget?.answers, budgetAnswers);
  });

  test('a stale version: 409 problem, and the answers stay as they were', async () => {
    const res = await put(assessmentId, 'impairment', {
      ...BODIES.impairment,
      notes: 'Overwritten?',
      version: version - 1,
    });
    const problem = assertProblem(res, 409);
    assert.match(problem.detail ?? '', /Someone else saved changes/);
    const view = assessmentSchema.parse(
      (await call(t.url, 'GET', `/api/v1/assessments/${assessmentId}`, { token: reader.token }))
        .body,
    );
    assert.equal(view.version, version);
    assert.equal(view.answers.impairment?.notes, 'Psychosis');
    const stale = await call(t.url, 'POST', `/api/v1/assessments/${assessmentId}/complete`, {
      token: full.token,
      json: { version: version - 1 },
    });
    assertProblem(stale, 409);
  });

  test('bad section bodies: a 400 problem naming each field, and nothing is saved', async () => {
    const nutritionNoReason = {
      ...BODIES.outcomes,
      items: {
        ...(BODIES.outcomes.items as object),
        nutrition: { achievable: false, reasons: [], notes: '' },
        clothing: { achievable: true, reasons: ['needs_assistance'], notes: '' },
      },
      version,
    };
    const cases: [SectionId, Record<string, unknown>, string[]][] = [
      ['outcomes', nutritionNoReason, ['items.nutrition.reasons', 'items.clothing.reasons']],
      ['outcomes', { ...BODIES.outcomes, respondent: 'alien', version }, ['respondent']],
      ['outcomes', { ...BODIES.outcomes, colour: 'blue', version }, ['colour']],
      ['impairment', { ...BODIES.impairment }, ['version']],
      ['impairment', { ...BODIES.impairment, version: 'two' }, ['version']],
      [
        'impairment',
        { ...BODIES.impairment, needsFromImpairmentOrIllness: 'yes', version },
        ['needsFromImpairmentOrIllness'],
      ],
      ['nhs', { ...BODIES.nhs, detained: true, version }, ['detentionSection', 'discharged']],
      ['recovery', { ...BODIES.recovery, carerAssessment: null, version }, ['carerAssessment']],
      ['recovery', { ...BODIES.recovery, goals: 'x'.repeat(5001), version }, ['goals']],
      [
        'budget',
        { respondent: 'worker', answers: { ...budgetAnswers, medication: 'never' }, version },
        ['answers.medication'],
      ],
      [
        'budget',
        { respondent: 'worker', answers: { ...budgetAnswers, 'no-such-question': 'x' }, version },
        ['answers.no-such-question'],
      ],
    ];
    for (const [section, body, fields] of cases) {
      const res = await put(assessmentId, section, body);
      const problem = assertProblem(res, 400);
      assert.deepEqual(fieldsOf(res), fields, `${section}: ${problem.detail ?? ''}`);
      for (const e of problem.errors ?? []) assert.ok(e.message.length > 5, e.message);
    }
    const notJson = await call(t.url, 'PUT', `/api/v1/assessments/${assessmentId}/sections/nhs`, {
      token: full.token,
      raw: '{"version": ',
      headers: { 'content-type': 'application/json' },
    });
    assertProblem(notJson, 400);
    const view = assessmentSchema.parse(
      (await call(t.url, 'GET', `/api/v1/assessments/${assessmentId}`, { token: reader.token }))
        .body,
    );
    assert.equal(view.version, version, 'no bad body was saved');
  });

  test('completing stores the decision and the budget; both read back by API', async () => {
    const res = await call(t.url, 'POST', `/api/v1/assessments/${assessmentId}/complete`, {
      token: full.token,
      json: { version },
    });
    assert.equal(res.status, 200, res.text);
    const view = assessmentSchema.parse(res.body);
    assert.equal(view.status, 'completed');
    assert.ok(view.completedAt);
    assert.ok(view.eligibility);
    assert.ok(view.allocation);
    allocationId = view.allocation.id;

    const el = await call(t.url, 'GET', `/api/v1/assessments/${assessmentId}/eligibility`, {
      token: reader.token,
    });
    assert.equal(el.status, 200, el.text);
    const decision = eligibilitySchema.parse(el.body);
    assert.deepEqual(decision, view.eligibility);
    assert.equal(decision.rulesVersion, ELIGIBILITY_RULES_VERSION);
    assert.equal(decision.careAct.eligible, true);
    assert.deepEqual(decision.careAct.conditions, {
      impairmentOrIllness: true,
      twoOrMoreOutcomesNotAchieved: true,
      significantWellbeingImpact: true,
    });
    assert.deepEqual(
      decision.careAct.outcomesNotAchieved,
      CARE_ACT_OUTCOMES.slice(0, 2).map((o) => o.id),
    );
    assert.equal(decision.nhs.right, 'local_offer');
    assert.match(decision.explanation, /^You are eligible/);
    assert.equal(decision.finalCareActEligible, true);
    assert.deepEqual(decision.judgements, []);

    const al = await call(t.url, 'GET', `/api/v1/allocations/${allocationId}`, {
      token: reader.token,
    });
    assert.equal(al.status, 200, al.text);
    const allocation = allocationSchema.parse(al.body);
    assert.deepEqual(allocation, view.allocation);
    const expected = calculateIndicativeBudget(ras, budgetAnswers, { section117: false });
    assert.ok(expected.ok);
    const e = expected.budget;
    assert.equal(allocation.rasVersion.code, ras.id);
    assert.equal(allocation.rasVersion.name, ras.name);
    assert.deepEqual(allocation.answers, budgetAnswers);
    assert.deepEqual(
      allocation.scoredAnswers.map(({ questionId, answerId, points }) => ({
        questionId,
        answerId,
        points,
      })),
      e.answers,
    );
    for (const s of allocation.scoredAnswers) {
      const q = ras.questions.find((x) => x.id === s.questionId);
      assert.equal(s.questionText, q?.text);
      assert.equal(s.answerText, q?.answers.find((x) => x.id === s.answerId)?.text);
    }
    assert.equal(allocation.totalPoints, e.totalPoints);
    assert.equal(allocation.baseAnnualPence, e.baseAnnual);
    assert.deepEqual(allocation.contingency, {
      mode: e.contingency.mode,
      amountPence: e.contingency.amount,
    });
    assert.equal(allocation.beforeLimitsPence, e.beforeLimits);
    assert.equal(allocation.clamped, e.clamped);
    assert.equal(allocation.annualPence, e.annual);
    assert.equal(allocation.fourWeeklyPence, e.fourWeekly);
    assert.equal(allocation.weeklyPence, e.weekly);
    assert.deepEqual(
      allocation.streams,
      e.streams.map((s) => ({
        id: s.id,
        kind: s.kind,
        name: s.name,
        shareBasisPoints: s.shareBasisPoints,
        annualPence: s.annual,
      })),
    );
    assert.equal(
      allocation.streams.reduce((sum, s) => sum + s.annualPence, 0),
      allocation.annualPence,
    );
    assert.equal(allocation.currentAnnualPence, e.annual);
    assert.deepEqual(allocation.overrides, []);
    assert.ok(allocation.annualPence > 0);
  });

  test('a completed assessment cannot be changed or completed again (409)', async () => {
    assertProblem(await put(assessmentId, 'impairment', { ...BODIES.impairment, version }), 409);
    const again = await call(t.url, 'POST', `/api/v1/assessments/${assessmentId}/complete`, {
      token: full.token,
      json: { version },
    });
    assertProblem(again, 409);
  });

  test('a professional judgement: refused without a reason or when it changes nothing; recorded with one', async () => {
    const path = `/api/v1/assessments/${assessmentId}/eligibility/judgements`;
    const short = await call(t.url, 'POST', path, {
      token: full.token,
      json: { careActEligible: false, reason: '  too short ' },
    });
    assertProblem(short, 400);
    assert.deepEqual(fieldsOf(short), ['reason']);
    const same = await call(t.url, 'POST', path, {
      token: full.token,
      json: { careActEligible: true, reason: 'The rules already say so, but still.' },
    });
    assertProblem(same, 400);
    assert.deepEqual(fieldsOf(same), ['careActEligible']);
    const missing = await call(t.url, 'POST', path, { token: full.token, json: {} });
    assertProblem(missing, 400);
    assert.deepEqual(fieldsOf(missing).sort(), ['careActEligible', 'reason']);

    const reason = 'Needs are met by family support that is reliable and long-standing.';
    const res = await call(t.url, 'POST', path, {
      token: full.token,
      json: { careActEligible: false, reason },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), `/api/v1/assessments/${assessmentId}/eligibility`);
    const decision = eligibilitySchema.parse(res.body);
    assert.equal(decision.careAct.eligible, true, 'the rules’ decision is kept');
    assert.equal(decision.finalCareActEligible, false);
    assert.equal(decision.judgements.length, 1);
    assert.equal(decision.judgements[0]?.reason, reason);
    assert.equal(decision.judgements[0]?.recordedByName, null);

    const audited = await t.db.system
      .selectFrom('audit_events')
      .select(['record_type', 'reason', 'person_id'])
      .where('api_client_id', '=', full.id)
      .where('record_type', '=', 'eligibility_decision')
      .execute();
    assert.deepEqual(audited, [
      { record_type: 'eligibility_decision', reason, person_id: personId },
    ]);
  });

  test('the person’s list shows the completed assessment with its decision and budget in brief', async () => {
    const res = await call(t.url, 'GET', `/api/v1/people/${personId}/assessments`, {
      token: reader.token,
    });
    assert.equal(res.status, 200, res.text);
    const list = assessmentListSchema.parse(res.body);
    assert.equal(list.items.length, 1);
    const item = list.items[0];
    assert.equal(item?.id, assessmentId);
    assert.equal(item.status, 'completed');
    assert.equal(item.eligibility?.finalCareActEligible, false);
    assert.equal(item.eligibility.rulesCareActEligible, true);
    assert.equal(item.allocation?.id, allocationId);
    assert.equal(item.allocation.href, `/api/v1/allocations/${allocationId}`);
  });

  test('a reassessment starts from the last answers; the list puts the draft first', async () => {
    const res = await call(t.url, 'POST', `/api/v1/people/${personId}/assessments`, {
      token: full.token,
    });
    assert.equal(res.status, 201, res.text);
    const view = assessmentSchema.parse(res.body);
    assert.equal(view.sequence, 2);
    assert.deepEqual(view.missing, []);
    assert.deepEqual(view.answers.budget?.answers, budgetAnswers);
    const list = assessmentListSchema.parse(
      (await call(t.url, 'GET', `/api/v1/people/${personId}/assessments`, { token: reader.token }))
        .body,
    );
    assert.deepEqual(
      list.items.map((i) => [i.sequence, i.status]),
      [
        [2, 'draft'],
        [1, 'completed'],
      ],
    );
  });

  test('every read and write is audited against the client, the allocation read as an allocation', async () => {
    const events = await t.db.system
      .selectFrom('audit_events')
      .select(['action', 'record_type', 'record_id', 'person_id'])
      .where('api_client_id', 'in', [full.id, reader.id])
      .orderBy('id')
      .execute();
    assert.ok(events.every((e) => e.person_id === personId));
    const has = (action: string, type: string, id?: string) =>
      events.some(
        (e) => e.action === action && e.record_type === type && (!id || e.record_id === id),
      );
    assert.ok(has('create', 'assessment', assessmentId));
    assert.ok(has('update', 'assessment', assessmentId));
    assert.ok(has('read', 'assessment', assessmentId));
    assert.ok(has('list', 'assessment'));
    assert.ok(has('read', 'allocation', allocationId));
  });

  describe('refusals', () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const routes = (assessment: string, allocation: string, person: string) =>
      [
        ['GET', `/api/v1/people/${person}/assessments`],
        ['POST', `/api/v1/people/${person}/assessments`],
        ['GET', `/api/v1/assessments/${assessment}`],
        ['PUT', `/api/v1/assessments/${assessment}/sections/outcomes`],
        ['POST', `/api/v1/assessments/${assessment}/complete`],
        ['GET', `/api/v1/assessments/${assessment}/eligibility`],
        ['POST', `/api/v1/assessments/${assessment}/eligibility/judgements`],
        ['GET', `/api/v1/allocations/${allocation}`],
      ] as const;
    const bodyFor = (method: string, path: string) => {
      if (method === 'GET' || path.endsWith('/assessments')) return {};
      if (path.endsWith('/judgements'))
        return { json: { careActEligible: false, reason: 'A reason long enough' } };
      if (path.endsWith('/outcomes')) return { json: { ...BODIES.outcomes, version: 1 } };
      return { json: { version: 1 } };
    };

    test('unknown and malformed ids: 404 problems', async () => {
      for (const id of [unknown, 'nope']) {
        for (const [method, path] of routes(id, id, id)) {
          const res = await call(t.url, method, path, {
            token: full.token,
            ...bodyFor(method, path),
          });
          assertProblem(res, 404);
        }
      }
      assertProblem(
        await call(t.url, 'PUT', `/api/v1/assessments/${assessmentId}/sections/colour`, {
          token: full.token,
          json: { version },
        }),
        404,
      );
    });

    test('another partnership’s records do not exist for a client: 404, nothing written', async () => {
      const before = await t.db.system
        .selectFrom('assessments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      for (const [method, path] of routes(assessmentId, allocationId, personId)) {
        const res = await call(t.url, method, path, {
          token: fullB.token,
          ...bodyFor(method, path),
        });
        assertProblem(res, 404);
      }
      const after = await t.db.system
        .selectFrom('assessments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });

    test('the eligibility of a draft is 404; a judgement on a draft is 409', async () => {
      const list = assessmentListSchema.parse(
        (
          await call(t.url, 'GET', `/api/v1/people/${personId}/assessments`, {
            token: reader.token,
          })
        ).body,
      );
      const draft = list.items.find((i) => i.status === 'draft');
      assert.ok(draft);
      const el = await call(t.url, 'GET', `/api/v1/assessments/${draft.id}/eligibility`, {
        token: reader.token,
      });
      assert.match(assertProblem(el, 404).detail ?? '', /complete it first/);
      const j = await call(
        t.url,
        'POST',
        `/api/v1/assessments/${draft.id}/eligibility/judgements`,
        {
          token: full.token,
          json: { careActEligible: false, reason: 'A reason long enough' },
        },
      );
      assertProblem(j, 409);
    });

    test('no published RAS: starting is a 409 problem that says what to do', async () => {
      const p = await createPerson(t.db, noRas);
      const res = await call(t.url, 'POST', `/api/v1/people/${p.id}/assessments`, {
        token: fullNoRas.token,
      });
      assert.match(assertProblem(res, 409).detail ?? '', /publish/);
    });

    test('a token without a permission: 403 naming the one missing, nothing written', async () => {
      const all = routes(assessmentId, allocationId, personId);
      const writes = all.filter(([m]) => m !== 'GET');
      const reads = all.filter(([m]) => m === 'GET');
      const cases: [TestApiClient, string, string, string][] = [
        ...all.map(([m, p]): [TestApiClient, string, string, string] => [
          peopleOnly,
          m,
          p,
          m === 'GET' ? 'assessments:read' : 'assessments:write',
        ]),
        ...all.map(([m, p]): [TestApiClient, string, string, string] => [
          assessmentsOnly,
          m,
          p,
          m === 'GET' ? 'people:read' : 'people:write',
        ]),
        ...writes.map(([m, p]): [TestApiClient, string, string, string] => [
          reader,
          m,
          p,
          'assessments:write',
        ]),
      ];
      assert.ok(reads.length > 0);
      const countEvents = async () =>
        Number(
          (
            await t.db.system
              .selectFrom('audit_events')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('api_client_id', 'in', [peopleOnly.id, assessmentsOnly.id, reader.id])
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await countEvents();
      for (const [client, method, path, permission] of cases) {
        const res = await call(t.url, method, path, {
          token: client.token,
          ...bodyFor(method, path),
        });
        const problem = assertProblem(res, 403);
        assert.match(problem.detail ?? '', new RegExp(permission), `${method} ${path}`);
      }
      assert.equal(await countEvents(), before);
    });

    test('no token, or a wrong one: 401 with WWW-Authenticate on every route', async () => {
      for (const [method, path] of routes(assessmentId, allocationId, personId)) {
        const res = await call(t.url, method, path, bodyFor(method, path));
        assertProblem(res, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="Pooled"/);
        const wrong = await call(t.url, method, path, {
          token: 'pooled_000000000000_nottherightsecretnottherightsecretnottheright',
          ...bodyFor(method, path),
        });
        assertProblem(wrong, 401);
      }
    });
  });
});
