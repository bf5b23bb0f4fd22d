// Each person's budget pages over a real HTTP server and database: "How your budget was worked
// out", the way to it from the person, and the worker's different figure with its reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { createCompletedAssessment } from '../../../test/support/assessments.ts';
import { formatPounds, pence, splitLargestRemainder } from '../../platform/money.ts';
import { DEMO_RAS } from './demo-ras.ts';
import {
  calculateIndicativeBudget,
  rasVersionSchema,
  type IndicativeBudget,
  type RasAnswers,
} from './rules.ts';

const demo = rasVersionSchema.parse(DEMO_RAS);

let t: TestApp;
let p: TestPartnership;
let other: TestPartnership;
let rasVersionId: string;
let coordinator: TestUser;
let manager: TestUser;
let finance: TestUser;
let commissioner: TestUser;
let outsider: TestUser;
let otherCoordinator: TestUser;
before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db);
  other = await createPartnership(t.db, 'Other');
  rasVersionId = await publishRas(t.db, p.id);
  await publishRas(t.db, other.id);
  coordinator = await createUser(t.db, p, ['care_coordinator'], { name: 'Casey Coordinator' });
  manager = await createUser(t.db, p, ['team_manager'], { name: 'Morgan Manager' });
  finance = await createUser(t.db, p, ['finance_officer'], { name: 'Frankie Finance' });
  commissioner = await createUser(t.db, p, ['commissioner'], { teamId: null });
  outsider = await createUser(t.db, p, ['care_coordinator'], { teamId: p.otherTeamId });
  otherCoordinator = await createUser(t.db, other, ['care_coordinator']);
});
after(() => t.close());

async function signedIn(user: TestUser): Promise<TestClient> {
  const c = new TestClient(t.url);
  const r = await c.signIn(user.email, user.password);
  assert.equal(r.status, 303, 'signed in');
  return c;
}

/** The page's text with tags' whitespace collapsed and the common entities undone. */
function flat(html: string): string {
  return html
    .replace(/\s+/g, ' ')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
}

function has(html: string, re: RegExp, yes = true): void {
  assert.equal(re.test(flat(html)), yes, `${yes ? 'expected' : 'did not expect'} ${re}`);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every question answered with the answer at `pick(question index)` (wrapping round). */
function answersBy(pick: (i: number) => number): RasAnswers {
  return Object.fromEntries(
    demo.questions.map((q, i) => {
      const a = q.answers[pick(i) % q.answers.length];
      return [q.id, a?.id ?? ''];
    }),
  );
}

function expected(answers: RasAnswers, section117 = false): IndicativeBudget {
  const r = calculateIndicativeBudget(demo, answers, { section117 });
  assert.ok(r.ok);
  return r.budget;
}

/** A person in the coordinator's team with a completed assessment and its stored allocation. */
async function personWithBudget(
  answers: RasAnswers,
  options: { section117?: boolean; partnership?: TestPartnership; rasVersionId?: string } = {},
): Promise<{ personId: string; allocationId: string }> {
  const partnership = options.partnership ?? p;
  const person = await createPerson(t.db, partnership, { coordinatorId: coordinator.id });
  const done = await createCompletedAssessment(t.db, {
    partnershipId: partnership.id,
    personId: person.id,
    rasVersionId: options.rasVersionId ?? rasVersionId,
    rasAnswers: answers,
    ...(options.section117 !== undefined ? { section117: options.section117 } : {}),
  });
  return { personId: person.id, allocationId: done.allocationId };
}

async function auditRows(action: string, userId: string, personId: string) {
  return t.db.system
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('user_id', '=', userId)
    .where('person_id', '=', personId)
    .execute();
}

test('the explained page shows every answer with its points, the amounts and the split', async () => {
  const answers = answersBy((i) => i); // a mixture of low and high answers
  const budget = expected(answers);
  const { personId, allocationId } = await personWithBudget(answers);
  const c = await signedIn(coordinator);
  const r = await c.get(`/allocations/${allocationId}/explained`);
  assert.equal(r.status, 200);
  has(r.text, /<h1>How your budget was worked out<\/h1>/);
  has(r.text, new RegExp(escapeRe(demo.name)));
  has(r.text, /in use from 1 April 2026/);
  const code = (
    await t.db.system
      .selectFrom('partnerships')
      .select('code')
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow()
  ).code;
  has(r.text, new RegExp(`href="/allocation/${escapeRe(code)}"`));

  assert.equal(budget.answers.length, demo.questions.length);
  for (const a of budget.answers) {
    const q = demo.questions.find((x) => x.id === a.questionId)!;
    const chosen = q.answers.find((x) => x.id === a.answerId)!;
    has(
      r.text,
      new RegExp(
        `<td[^>]*>${escapeRe(q.text)}</td> <td[^>]*>${escapeRe(chosen.text)}</td> <td[^>]*>${String(a.points)}</td>`,
      ),
    );
  }
  has(r.text, new RegExp(`Total points</th> <td[^>]*><strong>${String(budget.totalPoints)}<`));
  has(
    r.text,
    new RegExp(
      `${String(budget.totalPoints)} points × £350.00 = <strong>${escapeRe(formatPounds(budget.baseAnnual))} a year`,
    ),
  );
  has(
    r.text,
    new RegExp(
      `sets aside 5% of this amount \\(${escapeRe(formatPounds(budget.contingency.amount))}\\)`,
    ),
  );
  has(r.text, new RegExp(`A year</th><td[^>]*>${escapeRe(formatPounds(budget.annual))}<`));
  has(
    r.text,
    new RegExp(`Every 4 weeks</th><td[^>]*>${escapeRe(formatPounds(budget.fourWeekly))}<`),
  );
  has(r.text, new RegExp(`A week</th><td[^>]*>${escapeRe(formatPounds(budget.weekly))}<`));

  // The streams on the page are the stored ones, and they add up exactly to the total.
  assert.equal(
    budget.streams.reduce((s, x) => s + x.annual, 0),
    budget.annual,
  );
  for (const s of budget.streams)
    has(
      r.text,
      new RegExp(
        `${escapeRe(s.name)}</td> <td[^>]*>\\d+%</td> <td[^>]*>${escapeRe(formatPounds(s.annual))}<`,
      ),
    );
  has(
    r.text,
    new RegExp(
      `Total</th> <td[^>]*>100%</td> <td[^>]*><strong>${escapeRe(formatPounds(budget.annual))}<`,
    ),
  );
  has(r.text, /starting point, not a limit/);
  has(r.text, /Ombudsman/);
  has(r.text, /Check these figures/, false);

  const reads = await auditRows('read', coordinator.id, personId);
  assert.ok(
    reads.some((e) => e.record_type === 'allocation' && e.record_id === allocationId),
    'the read is audited against the allocation and the person',
  );
});

test('section 117 after-care shows the NHS and council shares and that it is free', async () => {
  const answers = answersBy((i) => (i % 2 === 0 ? 3 : 1));
  const budget = expected(answers, true);
  const { allocationId } = await personWithBudget(answers, { section117: true });
  const c = await signedIn(coordinator);
  const r = await c.get(`/allocations/${allocationId}/explained`);
  assert.equal(r.status, 200);
  has(r.text, /section 117 after-care/);
  has(r.text, /After-care is free/);
  has(r.text, /the NHS pays 50% and the council pays 50%/);
  const [nhs, council] = budget.streams;
  assert.ok(nhs && council);
  assert.equal(nhs.annual + council.annual, budget.annual);
  has(
    r.text,
    new RegExp(`NHS share</td> <td[^>]*>50%</td> <td[^>]*>${escapeRe(formatPounds(nhs.annual))}<`),
  );
  has(
    r.text,
    new RegExp(
      `council share</td> <td[^>]*>50%</td> <td[^>]*>${escapeRe(formatPounds(council.annual))}<`,
    ),
  );
});

test('the minimum is explained when it applies', async () => {
  const answers = answersBy(() => 0); // no points at all
  const budget = expected(answers);
  assert.equal(budget.clamped, 'minimum');
  const { allocationId } = await personWithBudget(answers);
  const c = await signedIn(coordinator);
  const r = await c.get(`/allocations/${allocationId}/explained`);
  has(r.text, /so your budget was raised to <strong>£1,000.00<\/strong>/);
});

test("a person's budget link goes to their latest assessment's allocation, or says there is none", async () => {
  const person = await createPerson(t.db, p, { coordinatorId: coordinator.id });
  const c = await signedIn(coordinator);
  const none = await c.get(`/people/${person.id}/budget`);
  assert.equal(none.status, 200);
  has(none.text, /<h1>No budget yet<\/h1>/);

  // Completed out of order in time: the latest is the highest sequence, not the newest row.
  const second = await createCompletedAssessment(t.db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId,
    rasAnswers: answersBy((i) => i + 2),
    sequence: 2,
  });
  await createCompletedAssessment(t.db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId,
    rasAnswers: answersBy((i) => i + 1),
    sequence: 1,
  });
  const latest = second.allocationId;
  const r = await c.get(`/people/${person.id}/budget`);
  assert.equal(r.status, 303);
  assert.equal(r.location, `/allocations/${latest}/explained`);
});

test('someone who may not see the person is refused, and the refusal is audited', async () => {
  const { personId, allocationId } = await personWithBudget(answersBy((i) => i));
  const c = await signedIn(outsider);
  const r = await c.get(`/allocations/${allocationId}/explained`);
  assert.equal(r.status, 403);
  assert.equal((await auditRows('access_refused', outsider.id, personId)).length, 1);
  assert.equal((await c.get(`/people/${personId}/budget`)).status, 403);
  assert.equal((await c.get(`/allocations/${allocationId}/override`)).status, 403);
  assert.equal((await auditRows('read', outsider.id, personId)).length, 0);

  const commissionerClient = await signedIn(commissioner);
  assert.equal(
    (await commissionerClient.get(`/allocations/${allocationId}/explained`)).status,
    403,
  );
});

test('an allocation in another partnership, or an id that is not one, is not found', async () => {
  const { allocationId } = await personWithBudget(answersBy((i) => i));
  const c = await signedIn(otherCoordinator);
  assert.equal((await c.get(`/allocations/${allocationId}/explained`)).status, 404);
  assert.equal((await c.get(`/allocations/${allocationId}/override`)).status, 404);
  const mine = await signedIn(coordinator);
  assert.equal((await mine.get('/allocations/not-an-id/explained')).status, 404);
  assert.equal(
    (await mine.get('/allocations/00000000-0000-4000-8000-000000000000/explained')).status,
    404,
  );
});

test('a bad amount or a short reason shows the form again with messages and the answers kept', async () => {
  const { allocationId } = await personWithBudget(answersBy((i) => i));
  const c = await signedIn(coordinator);
  const form = await c.get(`/allocations/${allocationId}/override`);
  assert.equal(form.status, 200);
  has(form.text, /Set a different budget figure/);

  const cases: [string, string, RegExp[]][] = [
    ['twelve', 'Too short', [/Enter an amount in pounds and pence/, /at least 10 characters/]],
    ['-50', 'The plan costs more than the points give', [/must be £0 or more/]],
    ['2,000,000', 'The plan costs more than the points give', [/must be £1,000,000.00 or less/]],
    ['12.345', 'The plan costs more than the points give', [/no more than 2 numbers after/]],
    ['', '', [/Enter the yearly amount/, /Enter why the budget should be a different figure/]],
  ];
  for (const [amount, reason, messages] of cases) {
    const r = await c.post(`/allocations/${allocationId}/override`, { amount, reason });
    assert.equal(r.status, 400, `${amount} / ${reason}`);
    has(r.text, /There is a problem/);
    for (const m of messages) has(r.text, m);
    has(
      r.text,
      new RegExp(
        `name="amount"[^>]*value="${escapeRe(amount)}"|value="${escapeRe(amount)}"[^>]*name="amount"`,
      ),
    );
    if (reason) has(r.text, new RegExp(`>${escapeRe(reason)}</textarea>`));
  }
  const stored = await t.db.system
    .selectFrom('allocation_overrides')
    .select('id')
    .where('allocation_id', '=', allocationId)
    .execute();
  assert.equal(stored.length, 0);
});

test('a good override is stored, audited with its reason and shown on the explained page', async () => {
  const answers = answersBy((i) => i);
  const budget = expected(answers);
  const { personId, allocationId } = await personWithBudget(answers);
  const c = await signedIn(manager);
  await c.get(`/allocations/${allocationId}/override`);
  const reason = 'The support plan needs two visits a day, which costs more than the points give.';
  const r = await c.post(`/allocations/${allocationId}/override`, {
    amount: '£18,250.01',
    reason,
  });
  assert.equal(r.status, 303);
  assert.equal(r.location, `/allocations/${allocationId}/explained`);

  const rows = await t.db.system
    .selectFrom('allocation_overrides')
    .selectAll()
    .where('allocation_id', '=', allocationId)
    .execute();
  assert.equal(rows.length, 1);
  assert.equal(String(rows[0]!.annual_pence), '1825001'); // bigint: a string from pg
  assert.equal(rows[0]!.reason, reason);
  assert.equal(rows[0]!.recorded_by, manager.id);

  const updates = await auditRows('update', manager.id, personId);
  assert.equal(updates.length, 1);
  assert.equal(updates[0]!.record_type, 'allocation');
  assert.equal(updates[0]!.record_id, allocationId);
  assert.equal(updates[0]!.reason, reason);

  const page = await c.get(r.location);
  assert.equal(page.status, 200);
  has(page.text, /The budget is now £18,250.01 a year/); // the flash
  has(page.text, /Your budget is <strong>£18,250.01 a year<\/strong>/);
  has(page.text, new RegExp(`The points system gave ${escapeRe(formatPounds(budget.annual))}`));
  has(page.text, /Morgan Manager set your budget at <strong>£18,250.01 a year<\/strong>/);
  has(page.text, new RegExp(escapeRe(reason)));
  const parts = splitLargestRemainder(
    pence(1_825_001),
    budget.streams.map((s) => s.shareBasisPoints),
  );
  assert.equal(
    parts.reduce((s, x) => s + x, 0),
    1_825_001,
  );
  budget.streams.forEach((s, i) =>
    has(
      page.text,
      new RegExp(
        `How this figure is split.*${escapeRe(s.name)}</td> <td[^>]*>\\d+%</td> <td[^>]*>${escapeRe(formatPounds(parts[i]!))}<`,
      ),
    ),
  );

  // A second figure: the first one is kept as history on both pages.
  await c.post(`/allocations/${allocationId}/override`, {
    amount: '20000',
    reason: 'The crisis plan adds a weekly session with a peer worker.',
  });
  const again = await c.get(`/allocations/${allocationId}/explained`);
  has(again.text, /Your budget is <strong>£20,000.00 a year<\/strong>/);
  has(again.text, /Figures set before.*£18,250.01 a year, set by Morgan Manager/);
  const form = await c.get(`/allocations/${allocationId}/override`);
  has(form.text, /Current figure.*£20,000.00.*Set before.*£18,250.01/);
});

test('a finance officer can read the explanation but cannot set a figure; nor can a commissioner', async () => {
  const { allocationId } = await personWithBudget(answersBy((i) => i));
  const f = await signedIn(finance);
  const page = await f.get(`/allocations/${allocationId}/explained`);
  assert.equal(page.status, 200);
  has(page.text, /Set a different figure/, false);
  assert.equal((await f.get(`/allocations/${allocationId}/override`)).status, 403);
  const post = await f.post(`/allocations/${allocationId}/override`, {
    amount: '99999',
    reason: 'Finance should not be able to do this at all.',
  });
  assert.equal(post.status, 403);
  const cm = await signedIn(commissioner);
  assert.equal((await cm.get(`/allocations/${allocationId}/override`)).status, 403);
  const cmPost = await cm.post(`/allocations/${allocationId}/override`, {
    amount: '99999',
    reason: 'Commissioners should not be able to do this either.',
  });
  assert.equal(cmPost.status, 403);
  const stored = await t.db.system
    .selectFrom('allocation_overrides')
    .select('id')
    .where('allocation_id', '=', allocationId)
    .execute();
  assert.equal(stored.length, 0);
});

test('the explained page links a print stylesheet that hides the page furniture on paper', async () => {
  const { allocationId } = await personWithBudget(answersBy((i) => i));
  const c = await signedIn(coordinator);
  const r = await c.get(`/allocations/${allocationId}/explained`);
  has(r.text, /<link rel="stylesheet" href="\/assets\/app\/print.css">/);
  has(r.text, /Print this page/);
  const css = await c.get('/assets/app/print.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  assert.match(css.text, /@media print/);
  assert.match(css.text, /\.nhsuk-header[\s\S]*display: none/);
});
