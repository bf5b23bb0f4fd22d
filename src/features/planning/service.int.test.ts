// The support plan service over a real database: start from the indicative budget, save with
// optimistic versions, the plan check, routing at submission, sign-off by the right person
// (never one's own plan above one's delegated limit), refusal with reasons, the person's
// agreement, and the reviews scheduled on the legal timetable when a plan is approved.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
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
import { Conflict, Forbidden, Invalid } from '../../platform/http/errors.ts';
import { todayInLondon } from '../../platform/dates.ts';
import { addMonths, addDays } from '../reviews/rules.ts';
import type { Role } from '../../platform/auth/roles.ts';
import type { AuditContext } from '../../platform/audit/audit.ts';
import type { UserPrincipal } from '../../platform/auth/principal.ts';
import { createPlanningService } from './service.ts';
import { planDocumentSchema, type PlanDocument } from './document.ts';

let db: Db;
let p: TestPartnership;
let rasId: string;
let coordinator: TestUser;
let manager: TestUser;
const ras = rasVersionSchema.parse(DEMO_RAS);
const service = () => createPlanningService({ db, now: () => new Date() });

before(async () => {
  db = await freshDb();
  p = await createPartnership(db);
  rasId = await publishRas(db, p.id);
  coordinator = await createUser(db, p, ['care_coordinator']);
  manager = await createUser(db, p, ['team_manager']);
});
after(() => db.close());

function ctxFor(user: TestUser, roles: Role[]): AuditContext {
  const principal: UserPrincipal = {
    kind: 'user',
    userId: user.id,
    partnershipId: p.id,
    partnershipName: 'Test',
    fullName: 'Test',
    email: user.email,
    roles: new Set(roles),
    teamIds: [p.teamId],
    organisationId: p.trustId,
    organisationKind: 'nhs_trust',
    mustChangePassword: false,
    sessionId: 'test',
  };
  return { principal };
}

const answers = Object.fromEntries(ras.questions.map((q) => [q.id, q.answers[1]?.id ?? '']));

async function assessedPerson() {
  const person = await createPerson(db, p, { coordinatorId: coordinator.id });
  const a = await createCompletedAssessment(db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId: rasId,
    rasAnswers: answers,
  });
  return { person, budget: a.budget };
}

/** A plan costing `weeklyPence` a week on the first stream. */
function planCosting(doc: PlanDocument, weeklyPence: number): PlanDocument {
  const stream = doc.streams[0];
  assert.ok(stream);
  return planDocumentSchema.parse({
    ...doc,
    outcomes: [
      { id: 'choir', text: 'I want to sing in a choir again', needIds: ['relationships'] },
    ],
    items: [
      {
        id: 'pa',
        what: 'Personal assistant to go to choir with me',
        category: 'personal_assistant',
        provider: { kind: 'personal_assistant', name: 'Robin' },
        unitCostPence: weeklyPence,
        units: 1,
        frequency: 'weekly',
        streamId: stream.id,
        outcomeIds: ['choir'],
      },
    ],
    // The NHS part is a direct payment, so the regulations' risk-management procedure is needed.
    riskManagementProcedure: {
      procedure: 'If Robin cannot come, I call the agency on the number in my crisis plan.',
      risksExplained: true,
      agreedWith: ['the person', 'the care coordinator'],
      agreedOn: '2026-11-01',
    },
  });
}

test('a plan within budget is routed to the coordinator and approved; reviews are scheduled on the legal timetable', async () => {
  const { person, budget } = await assessedPerson();
  const s = service();
  const c = ctxFor(coordinator, ['care_coordinator']);
  const started = await s.start(c, person.id);
  assert.equal(started.created, true);
  assert.deepEqual(await s.start(c, person.id), { id: started.id, created: false });
  const view = await s.get(c, started.id);
  assert.equal(view.plan.indicativeAnnual, budget.annual);
  assert.deepEqual(
    view.plan.document.streams.map((x) => x.id),
    budget.streams.map((x) => x.id),
  );
  // Within budget: well under the weekly amount.
  const doc = planCosting(view.plan.document, Math.floor(budget.weekly / 2));
  const v2 = await s.save(c, started.id, doc, view.plan.version);
  const checked = await s.get(c, started.id);
  assert.equal(checked.check.ok, true, JSON.stringify(checked.check.problems));
  assert.equal(await s.submit(c, started.id, v2), 'coordinator');
  await s.decide(c, started.id, { outcome: 'approved', reason: '' });
  await s.recordAgreement(c, started.id, { how: 'In person at home', by: 'the person' });
  const done = await s.get(c, started.id);
  assert.equal(done.plan.status, 'approved');
  assert.ok(done.plan.personAgreedAt);
  const { reviews } = await s.forPerson(c, person.id);
  const today = todayInLondon();
  const carePlan = reviews.find((r) => r.rule === 'care_plan_first');
  assert.ok(carePlan, JSON.stringify(reviews));
  assert.equal(carePlan.dueOn, addDays(today, 56));
  // A direct payment of council money: within 6 months of the first payment (no date yet: waiting),
  // so only care-plan review rows are certain; every scheduled review is after sign-off.
  for (const r of reviews) assert.ok(r.dueOn > today);
  assert.ok(reviews.every((r) => r.dueOn <= addMonths(today, 12)));
});

test('over budget: needs a justification, goes to a team manager; the coordinator cannot approve it; the manager can', async () => {
  const { person, budget } = await assessedPerson();
  const s = service();
  const c = ctxFor(coordinator, ['care_coordinator']);
  const m = ctxFor(manager, ['team_manager']);
  const { id } = await s.start(c, person.id);
  const view = await s.get(c, id);
  const over = planCosting(view.plan.document, budget.weekly + 5_000);
  let version = await s.save(c, id, over, view.plan.version);
  await assert.rejects(s.submit(c, id, version), (e: unknown) => {
    assert.ok(e instanceof Invalid);
    assert.ok(
      e.errors.some((x) => /say why the extra is needed/.test(x.message)),
      JSON.stringify(e.errors),
    );
    return true;
  });
  version = await s.save(
    c,
    id,
    { ...over, overBudgetJustification: 'Choir is in the evening, so the PA costs more.' },
    version,
  );
  assert.equal(await s.submit(c, id, version), 'team_manager');
  await assert.rejects(s.decide(c, id, { outcome: 'approved', reason: '' }), Forbidden);
  const queue = await s.queue(m);
  assert.ok(queue.entries.some((q) => q.planId === id && q.route === 'team_manager'));
  assert.equal(queue.total, queue.entries.length);
  await s.decide(m, id, { outcome: 'approved', reason: 'Agreed: worth it' });
  const done = await s.get(m, id);
  assert.equal(done.plan.status, 'approved');
  assert.deepEqual(
    done.decisions.map((d) => [d.step, d.outcome]),
    [['team_manager', 'approved']],
  );
});

test('a refusal needs reasons; the refused version is fixed and a new version starts from it', async () => {
  const { person, budget } = await assessedPerson();
  const s = service();
  const c = ctxFor(coordinator, ['care_coordinator']);
  const m = ctxFor(manager, ['team_manager']);
  const { id } = await s.start(c, person.id);
  const view = await s.get(c, id);
  const doc = {
    ...planCosting(view.plan.document, budget.weekly + 10_000),
    overBudgetJustification: 'Needs more',
  };
  const v = await s.save(c, id, doc, view.plan.version);
  await s.submit(c, id, v);
  await assert.rejects(s.decide(m, id, { outcome: 'refused', reason: 'no' }), Invalid);
  await s.decide(m, id, {
    outcome: 'refused',
    reason: 'The PA rate is above the local rate; please check with the broker.',
  });
  assert.equal((await s.get(c, id)).plan.status, 'refused');
  await assert.rejects(
    db.system.updateTable('support_plans').set({ document: '{}' }).where('id', '=', id).execute(),
    /cannot be changed/,
  );
  const next = await s.start(c, person.id);
  assert.notEqual(next.id, id);
  const nv = await s.get(c, next.id);
  assert.equal(nv.plan.sequence, 2);
  assert.equal(nv.plan.document.items[0]?.what, doc.items[0]?.what);
});

test('two people saving the same plan: the second is told it changed, and nothing is overwritten', async () => {
  const { person, budget } = await assessedPerson();
  const s = service();
  const c = ctxFor(coordinator, ['care_coordinator']);
  const { id } = await s.start(c, person.id);
  const view = await s.get(c, id);
  await s.save(c, id, planCosting(view.plan.document, 1_000), view.plan.version);
  await assert.rejects(
    s.save(c, id, planCosting(view.plan.document, budget.weekly), view.plan.version),
    Conflict,
  );
  const now = await s.get(c, id);
  assert.equal(now.plan.document.items[0]?.unitCostPence, 1_000);
});

test('approving one’s own plan above one’s delegated limit is refused', async () => {
  await db.system
    .insertInto('partnership_policies')
    .values({
      partnership_id: p.id,
      kind: 'sign_off',
      policy: JSON.stringify({
        teamManagerAbove: { basisPoints: 0, pence: null, combine: 'smaller' },
        delegatedLimits: { care_coordinator: null, team_manager: 100_000 },
      }),
    })
    .execute();
  const { person, budget } = await assessedPerson();
  const s = service();
  const m = ctxFor(manager, ['team_manager']);
  const { id } = await s.start(m, person.id);
  const view = await s.get(m, id);
  const doc = {
    ...planCosting(view.plan.document, budget.weekly + 2_000),
    overBudgetJustification: 'Evening support costs more than the RAS assumes.',
  };
  const v = await s.save(m, id, doc, view.plan.version);
  assert.equal(await s.submit(m, id, v), 'team_manager');
  await assert.rejects(s.decide(m, id, { outcome: 'approved', reason: '' }), (e: unknown) => {
    assert.ok(e instanceof Forbidden);
    assert.match(e.message, /delegated limit/);
    return true;
  });
  const other = ctxFor(await createUser(db, p, ['team_manager']), ['team_manager']);
  await s.decide(other, id, { outcome: 'approved', reason: '' });
  assert.equal((await s.get(m, id)).plan.status, 'approved');
});

test('no completed assessment: a plan cannot start', async () => {
  const person = await createPerson(db, p, { coordinatorId: coordinator.id });
  await assert.rejects(
    service().start(ctxFor(coordinator, ['care_coordinator']), person.id),
    /Complete an assessment first/,
  );
});
