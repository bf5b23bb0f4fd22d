// /api/v1 support plans and reviews against a real server and database: the whole journey by
// API (start from the indicative budget, save a document, submit, sign-off by a member of staff,
// the approved plan and its reviews), optimistic versions, bad documents, the plan check's
// problems at submission, unknown ids, partnership isolation, permissions and tokens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { createCompletedAssessment } from '../../../test/support/assessments.ts';
import { DEMO_RAS, rasVersionSchema } from '../allocation/index.ts';
import { createPlanningService } from '../planning/index.ts';
import type { AuditContext } from '../../platform/audit/audit.ts';
import type { UserPrincipal } from '../../platform/auth/principal.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';
import { planListSchema, planSchema, reviewListSchema, submittedSchema } from './plans-schemas.ts';

const ras = rasVersionSchema.parse(DEMO_RAS);
const rasAnswers = Object.fromEntries(ras.questions.map((q) => [q.id, q.answers[1]?.id ?? '']));

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let rasA = '';
let coordinator: TestUser;
let full: TestApiClient;
let reader: TestApiClient;
let peopleOnly: TestApiClient;
let plansOnly: TestApiClient;
let fullB: TestApiClient;
let personId = '';
let weekly = 0;

const EVERYTHING = ['people:read', 'people:write', 'plans:read', 'plans:write'] as const;

before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  rasA = await publishRas(t.db, a.id);
  await publishRas(t.db, b.id);
  coordinator = await createUser(t.db, a, ['care_coordinator']);
  full = await createApiClient(t.db, a.id, [...EVERYTHING], 'Full');
  reader = await createApiClient(t.db, a.id, ['people:read', 'plans:read'], 'Reader');
  peopleOnly = await createApiClient(t.db, a.id, ['people:read', 'people:write'], 'People');
  plansOnly = await createApiClient(t.db, a.id, ['plans:read', 'plans:write'], 'Plans only');
  fullB = await createApiClient(t.db, b.id, [...EVERYTHING], 'Full B');
  personId = await assessedPerson();
});
after(() => t.close());

async function assessedPerson(): Promise<string> {
  const person = await createPerson(t.db, a, { coordinatorId: coordinator.id });
  const done = await createCompletedAssessment(t.db, {
    partnershipId: a.id,
    personId: person.id,
    rasVersionId: rasA,
    rasAnswers,
  });
  weekly = done.budget.weekly;
  return person.id;
}

function ctxFor(user: TestUser): AuditContext {
  const principal: UserPrincipal = {
    kind: 'user',
    userId: user.id,
    partnershipId: a.id,
    partnershipName: 'Test',
    fullName: 'Test',
    email: user.email,
    roles: new Set(['care_coordinator']),
    teamIds: [a.teamId],
    organisationId: a.trustId,
    organisationKind: 'nhs_trust',
    mustChangePassword: false,
    sessionId: 'test',
  };
  return { principal };
}

function assertProblem(res: ApiResponse, status: number) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = problemSchema.parse(res.body);
  assert.equal(problem.status, status);
  return problem;
}

const fieldsOf = (res: ApiResponse) =>
  (problemSchema.parse(res.body).errors ?? []).map((e) => e.field);

/** A plan costing half the weekly budget on the first stream, with the NHS procedure. */
function validDocument(streams: { id: string }[]): Record<string, unknown> {
  const stream = streams[0];
  assert.ok(stream);
  return {
    outcomes: [
      { id: 'choir', text: 'I want to sing in a choir again', needIds: ['relationships'] },
    ],
    items: [
      {
        id: 'pa',
        what: 'Personal assistant to go to choir with me',
        category: 'personal_assistant',
        provider: { kind: 'personal_assistant', name: 'Robin' },
        unitCostPence: Math.floor(weekly / 2),
        units: 1,
        frequency: 'weekly',
        streamId: stream.id,
        outcomeIds: ['choir'],
      },
    ],
    streams,
    riskManagementProcedure: {
      procedure: 'If Robin cannot come, I call the agency on the number in my crisis plan.',
      risksExplained: true,
      agreedWith: ['the person', 'the care coordinator'],
      agreedOn: '2026-11-01',
    },
  };
}

describe('the whole journey by API', () => {
  let planId = '';
  let version = 0;
  let streams: { id: string }[] = [];

  test('no plans and no reviews to begin with', async () => {
    const plans = await call(t.url, 'GET', `/api/v1/people/${personId}/plans`, {
      token: reader.token,
    });
    assert.equal(plans.status, 200, plans.text);
    assert.deepEqual(planListSchema.parse(plans.body).items, []);
    const reviews = await call(t.url, 'GET', `/api/v1/people/${personId}/reviews`, {
      token: reader.token,
    });
    assert.equal(reviews.status, 200, reviews.text);
    assert.deepEqual(reviewListSchema.parse(reviews.body).items, []);
  });

  test('POST starts a draft from the budget (201, Location, ETag); again returns it (200)', async () => {
    const res = await call(t.url, 'POST', `/api/v1/people/${personId}/plans`, {
      token: full.token,
    });
    assert.equal(res.status, 201, res.text);
    const plan = planSchema.parse(res.body);
    planId = plan.id;
    version = plan.version;
    streams = plan.document.streams;
    assert.equal(res.headers.get('location'), `/api/v1/plans/${plan.id}`);
    assert.equal(res.headers.get('etag'), `"${String(plan.version)}"`);
    assert.equal(plan.status, 'draft');
    assert.equal(plan.sequence, 1);
    assert.equal(plan.personId, personId);
    assert.ok(plan.indicativeAnnualPence !== null && plan.indicativeAnnualPence > 0);
    assert.ok(streams.length > 0, 'the streams come from the budget');
    assert.equal(plan.check.ok, false);
    const noOutcomes = plan.check.problems.find((p) => p.rule === 'no_outcomes');
    assert.ok(noOutcomes, JSON.stringify(plan.check.problems));
    assert.match(noOutcomes.source, /Care Act 2014/);
    assert.ok(noOutcomes.title.length > 0);

    const again = await call(t.url, 'POST', `/api/v1/people/${personId}/plans`, {
      token: full.token,
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(planSchema.parse(again.body).id, planId);
  });

  test('submitting with problems: 400 listing the plan check’s problems, nothing stored', async () => {
    const res = await call(t.url, 'POST', `/api/v1/plans/${planId}/submit`, {
      token: full.token,
      json: { version },
    });
    assertProblem(res, 400);
    assert.ok(fieldsOf(res).includes('no_outcomes'), fieldsOf(res).join(', '));
    const plan = planSchema.parse(
      (await call(t.url, 'GET', `/api/v1/plans/${planId}`, { token: reader.token })).body,
    );
    assert.equal(plan.status, 'draft');
    assert.equal(plan.version, version);
  });

  test('PUT a valid document with the version read: saved, checked ok, version up', async () => {
    const res = await call(t.url, 'PUT', `/api/v1/plans/${planId}`, {
      token: full.token,
      json: { version, document: validDocument(streams) },
    });
    assert.equal(res.status, 200, res.text);
    const plan = planSchema.parse(res.body);
    assert.equal(plan.version, version + 1);
    assert.equal(res.headers.get('etag'), `"${String(plan.version)}"`);
    assert.equal(plan.check.ok, true, JSON.stringify(plan.check.problems));
    assert.equal(plan.document.items.length, 1);
    assert.equal(plan.totals.weeklyPence, Math.floor(weekly / 2));
    assert.equal(plan.totalAnnualPence, plan.totals.annualPence);
    assert.equal(plan.budget?.status, 'under');
    version = plan.version;
  });

  test('a stale version: 409 and nothing written', async () => {
    const res = await call(t.url, 'PUT', `/api/v1/plans/${planId}`, {
      token: full.token,
      json: { version: version - 1, document: { outcomes: [] } },
    });
    assertProblem(res, 409);
    const stale = await call(t.url, 'POST', `/api/v1/plans/${planId}/submit`, {
      token: full.token,
      json: { version: version - 1 },
    });
    assertProblem(stale, 409);
    const plan = planSchema.parse(
      (await call(t.url, 'GET', `/api/v1/plans/${planId}`, { token: reader.token })).body,
    );
    assert.equal(plan.version, version);
    assert.equal(plan.document.outcomes.length, 1);
    assert.equal(plan.status, 'draft');
  });

  test('bad documents: 400 with each field, never 500', async () => {
    const cases: [unknown, string][] = [
      [{ document: {} }, 'version'],
      [{ version }, 'document'],
      [{ version: 'one', document: {} }, 'version'],
      [{ version, document: { items: 'lots' } }, 'document.items'],
      [{ version, document: { crisis: { setAsidePence: -5 } } }, 'document.crisis.setAsidePence'],
      [{ version, document: { startsOn: 'next week' } }, 'document.startsOn'],
      [{ version, document: {}, extra: true }, 'extra'],
    ];
    for (const [json, field] of cases) {
      const res = await call(t.url, 'PUT', `/api/v1/plans/${planId}`, { token: full.token, json });
      assertProblem(res, 400);
      assert.ok(fieldsOf(res).includes(field), `${field} in ${fieldsOf(res).join(', ')}`);
    }
    const notObject = await call(t.url, 'PUT', `/api/v1/plans/${planId}`, {
      token: full.token,
      json: [1, 2],
    });
    assertProblem(notObject, 400);
    const broken = await call(t.url, 'PUT', `/api/v1/plans/${planId}`, {
      token: full.token,
      raw: '{"version":',
      headers: { 'content-type': 'application/json' },
    });
    assertProblem(broken, 400);
    const agreement = await call(t.url, 'POST', `/api/v1/plans/${planId}/agreement`, {
      token: full.token,
      json: { how: '  ' },
    });
    assertProblem(agreement, 400);
    assert.deepEqual(fieldsOf(agreement).sort(), ['by', 'how']);
    const plan = planSchema.parse(
      (await call(t.url, 'GET', `/api/v1/plans/${planId}`, { token: reader.token })).body,
    );
    assert.equal(plan.version, version, 'nothing was written');
  });

  test('submit routes the plan; no reviews until it is approved', async () => {
    const res = await call(t.url, 'POST', `/api/v1/plans/${planId}/submit`, {
      token: full.token,
      json: { version },
    });
    assert.equal(res.status, 200, res.text);
    const submitted = submittedSchema.parse(res.body);
    assert.equal(submitted.route, 'coordinator');
    assert.equal(submitted.plan.status, 'submitted');
    assert.equal(submitted.plan.route, 'coordinator');
    const again = await call(t.url, 'PUT', `/api/v1/plans/${planId}`, {
      token: full.token,
      json: { version: submitted.plan.version, document: validDocument(streams) },
    });
    assertProblem(again, 409);
    const reviews = await call(t.url, 'GET', `/api/v1/people/${personId}/reviews`, {
      token: reader.token,
    });
    assert.deepEqual(reviewListSchema.parse(reviews.body).items, []);
  });

  test('once staff approve it, the API shows the approved plan, its decision and its reviews', async () => {
    const service = createPlanningService({ db: t.db, now: () => new Date() });
    await service.decide(ctxFor(coordinator), planId, { outcome: 'approved', reason: '' });

    const agreed = await call(t.url, 'POST', `/api/v1/plans/${planId}/agreement`, {
      token: full.token,
      json: { how: 'Signed in person at home', by: 'the person' },
    });
    assert.equal(agreed.status, 200, agreed.text);
    const plan = planSchema.parse(agreed.body);
    assert.equal(plan.status, 'approved');
    assert.match(plan.approvedOn ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(plan.decisions.length, 1);
    assert.equal(plan.decisions[0]?.outcome, 'approved');
    assert.equal(plan.decisions[0]?.step, 'coordinator');
    assert.equal(plan.personAgreement?.how, 'Signed in person at home');
    assert.equal(plan.personAgreement?.by, 'the person');

    const list = planListSchema.parse(
      (await call(t.url, 'GET', `/api/v1/people/${personId}/plans`, { token: reader.token })).body,
    );
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0]?.status, 'approved');
    assert.equal(list.items[0]?.approvedOn, plan.approvedOn);
    assert.equal(list.items[0]?.totalAnnualPence, plan.totals.annualPence);

    const reviews = reviewListSchema.parse(
      (await call(t.url, 'GET', `/api/v1/people/${personId}/reviews`, { token: reader.token }))
        .body,
    );
    const first = reviews.items.find((r) => r.rule === 'care_plan_first');
    assert.ok(first, JSON.stringify(reviews.items));
    assert.equal(first.kind, 'planned');
    assert.equal(first.status, 'due');
    assert.ok(first.label && first.source, 'each planned review names its rule and source');
    assert.ok(first.dueOn > (plan.approvedOn ?? ''));
  });

  test('a new version starts from the approved one', async () => {
    const res = await call(t.url, 'POST', `/api/v1/people/${personId}/plans`, {
      token: full.token,
    });
    assert.equal(res.status, 201, res.text);
    const plan = planSchema.parse(res.body);
    assert.equal(plan.sequence, 2);
    assert.equal(plan.document.items.length, 1);
  });
});

describe('what is refused', () => {
  test('start without a completed assessment: 409', async () => {
    const fresh = await createPerson(t.db, a, { familyName: 'Unassessed' });
    const res = await call(t.url, 'POST', `/api/v1/people/${fresh.id}/plans`, {
      token: full.token,
    });
    assertProblem(res, 409);
  });

  test('unknown ids and another partnership’s ids: 404', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const plans = planListSchema.parse(
      (await call(t.url, 'GET', `/api/v1/people/${personId}/plans`, { token: reader.token })).body,
    );
    const planId = plans.items[0]?.id ?? '';
    for (const [method, path, json] of [
      ['GET', `/api/v1/plans/${unknown}`, undefined],
      ['GET', '/api/v1/plans/not-a-uuid', undefined],
      ['PUT', `/api/v1/plans/${unknown}`, { version: 1, document: {} }],
      ['POST', `/api/v1/plans/${unknown}/submit`, { version: 1 }],
      ['POST', `/api/v1/plans/${unknown}/agreement`, { how: 'Signed', by: 'the person' }],
      ['GET', `/api/v1/people/${unknown}/plans`, undefined],
      ['POST', `/api/v1/people/${unknown}/plans`, undefined],
      ['GET', `/api/v1/people/${unknown}/reviews`, undefined],
    ] as const)
      assertProblem(await call(t.url, method, path, { token: full.token, json }), 404);
    for (const [method, path, json] of [
      ['GET', `/api/v1/plans/${planId}`, undefined],
      ['PUT', `/api/v1/plans/${planId}`, { version: 1, document: {} }],
      ['GET', `/api/v1/people/${personId}/plans`, undefined],
      ['POST', `/api/v1/people/${personId}/plans`, undefined],
      ['GET', `/api/v1/people/${personId}/reviews`, undefined],
    ] as const)
      assertProblem(await call(t.url, method, path, { token: fullB.token, json }), 404);
  });

  test('a missing permission: 403; no token or a bad one: 401', async () => {
    const plans = planListSchema.parse(
      (await call(t.url, 'GET', `/api/v1/people/${personId}/plans`, { token: reader.token })).body,
    );
    const planId = plans.items[0]?.id ?? '';
    const write: [string, string, unknown][] = [
      ['POST', `/api/v1/people/${personId}/plans`, undefined],
      ['PUT', `/api/v1/plans/${planId}`, { version: 1, document: {} }],
      ['POST', `/api/v1/plans/${planId}/submit`, { version: 1 }],
      ['POST', `/api/v1/plans/${planId}/agreement`, { how: 'Signed', by: 'the person' }],
    ];
    const read: [string, string, unknown][] = [
      ['GET', `/api/v1/plans/${planId}`, undefined],
      ['GET', `/api/v1/people/${personId}/plans`, undefined],
      ['GET', `/api/v1/people/${personId}/reviews`, undefined],
    ];
    for (const [method, path, json] of write) {
      const p = assertProblem(await call(t.url, method, path, { token: reader.token, json }), 403);
      assert.match(p.detail ?? '', /plans:write/);
      assertProblem(await call(t.url, method, path, { token: plansOnly.token, json }), 403);
    }
    for (const [method, path, json] of [...read, ...write]) {
      const p = assertProblem(
        await call(t.url, method, path, { token: peopleOnly.token, json }),
        403,
      );
      assert.match(p.detail ?? '', /plans:(read|write)/);
      const none = assertProblem(await call(t.url, method, path, { json }), 401);
      assert.ok(none);
      assertProblem(
        await call(t.url, method, path, {
          token: `pooled_${'0'.repeat(12)}_${'x'.repeat(43)}`,
          json,
        }),
        401,
      );
    }
    for (const [method, path] of read) {
      const res = await call(t.url, method, path, { token: plansOnly.token });
      const p = assertProblem(res, 403);
      assert.match(p.detail ?? '', /people:read/);
    }
  });
});
