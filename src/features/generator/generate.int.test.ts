// The generator: right counts, deterministic names, valid and unique NHS numbers, loadable twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import { isValidNhsNumber } from '../../platform/nhs-number.ts';
import { freshDb } from '../../../test/support/db.ts';
import { inPartnership } from '../../platform/db/database.ts';
import {
  calculateIndicativeBudget,
  currentRasVersion,
  DEMO_RAS,
  rasVersionSchema,
} from '../allocation/index.ts';
import { previewImpact } from '../allocation/preview.ts';
import {
  assessmentAnswersSchema,
  decideEligibility,
  missingItems,
  toEligibilityInput,
} from '../assessment/index.ts';
import { GenerateError, generatePartnership, type GenerateResult } from './generate.ts';
import { plan, planAssessments } from './rules.ts';
import { planDocumentSchema } from '../planning/document.ts';
import { parseMeasure, scoreMeasure } from '../measures/index.ts';

let db: Db;
let first: GenerateResult;
let second: GenerateResult;
before(async () => {
  db = await freshDb();
  first = await generatePartnership(db, { people: 500, seed: 42, partnershipCode: 'gen-a' });
  second = await generatePartnership(db, { people: 500, seed: 42, partnershipCode: 'gen-b' });
});
after(() => db.close());

const count = async (
  table:
    | 'people'
    | 'users'
    | 'teams'
    | 'consents'
    | 'care_team_members'
    | 'assessments'
    | 'eligibility_decisions'
    | 'allocations',
  partnershipId: string,
) =>
  Number(
    (
      await db.system
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('partnership_id', '=', partnershipId)
        .executeTakeFirstOrThrow()
    ).n,
  );

test('generate makes the people, teams, coordinators and care teams asked for', async () => {
  const { teams, coordinators } = plan(500);
  assert.equal(await count('people', first.partnershipId), 500);
  assert.equal(await count('teams', first.partnershipId), teams);
  assert.equal(await count('users', first.partnershipId), coordinators + teams + 2);
  assert.equal(await count('care_team_members', first.partnershipId), 500);
  const consents = await count('consents', first.partnershipId);
  assert.ok(consents > 350 && consents < 500, `most people consent (got ${String(consents)})`);
  const grants = await db.system
    .selectFrom('role_grants')
    .select(['role', (eb) => eb.fn.countAll().as('n')])
    .where('partnership_id', '=', first.partnershipId)
    .groupBy('role')
    .orderBy('role')
    .execute();
  assert.deepEqual(
    grants.map((g) => [g.role, Number(g.n)]),
    [
      ['care_coordinator', coordinators],
      ['finance_officer', 2],
      ['team_manager', teams],
    ],
  );
  const unassigned = await db.system
    .selectFrom('people')
    .select('id')
    .where('partnership_id', '=', first.partnershipId)
    .where((eb) => eb.or([eb('care_coordinator_id', 'is', null), eb('team_id', 'is', null)]))
    .execute();
  assert.equal(unassigned.length, 0, 'everyone has a coordinator and a team');
});

test('the same seed gives the same people', async () => {
  const names = (partnershipId: string) =>
    db.system
      .selectFrom('people')
      .select(['external_id', 'given_name', 'family_name', 'date_of_birth', 'nhs_number'])
      .where('partnership_id', '=', partnershipId)
      .orderBy('external_id')
      .execute();
  const a = await names(first.partnershipId);
  const b = await names(second.partnershipId);
  assert.equal(a.length, 500);
  assert.deepEqual(a, b);
  assert.ok(new Set(a.map((p) => p.family_name)).size > 50, 'family names vary');
});

test('NHS numbers are all valid and unique', async () => {
  const rows = await db.system
    .selectFrom('people')
    .select('nhs_number')
    .where('partnership_id', '=', first.partnershipId)
    .where('nhs_number', 'is not', null)
    .execute();
  assert.ok(rows.length > 450);
  for (const r of rows) assert.ok(isValidNhsNumber(r.nhs_number ?? ''), String(r.nhs_number));
  assert.equal(new Set(rows.map((r) => r.nhs_number)).size, rows.length);
});

test('a partnership code that is taken is refused and nothing is added', async () => {
  await assert.rejects(
    generatePartnership(db, { people: 10, seed: 1, partnershipCode: 'gen-a' }),
    GenerateError,
  );
  assert.equal(await count('people', first.partnershipId), 500);
});

// ---------------------------------------------------------------------------------------------
// Assessments, eligibility decisions and allocations

const demo = rasVersionSchema.parse(DEMO_RAS);

test('everyone has a completed assessment, a decision and an allocation; some a reassessment', async () => {
  const expected = planAssessments(
    42,
    500,
    demo.questions.map((q) => q.answers.length),
    { assessed: 1, reassessed: 0.05 },
  ).count;
  assert.equal(first.assessments, expected);
  assert.ok(expected > 500 && expected < 560, `about 5% reassessed (got ${String(expected)})`);
  for (const table of ['assessments', 'eligibility_decisions', 'allocations'] as const)
    assert.equal(await count(table, first.partnershipId), expected, table);
  const people = await db.system
    .selectFrom('assessments')
    .select(['person_id', (eb) => eb.fn.max('sequence').as('latest')])
    .where('partnership_id', '=', first.partnershipId)
    .where('status', '=', 'completed')
    .groupBy('person_id')
    .execute();
  assert.equal(people.length, 500, 'every person assessed');
  assert.equal(people.filter((p) => p.latest === 2).length, expected - 500);
});

test('the demo RAS is published and current for the generated partnership', async () => {
  const current = await inPartnership(db, first.partnershipId, (tx) =>
    currentRasVersion(tx, '2026-11-23'),
  );
  assert.equal(current?.id, first.rasVersionId);
  assert.equal(current.status, 'published');
  assert.deepEqual(current.definition, demo);
});

test('every stored allocation recalculates exactly, and follows its assessment and decision', async () => {
  const rows = await db.system
    .selectFrom('allocations as al')
    .innerJoin('assessments as a', 'a.id', 'al.assessment_id')
    .innerJoin('eligibility_decisions as d', 'd.assessment_id', 'a.id')
    .innerJoin('ras_versions as v', 'v.id', 'al.ras_version_id')
    .select([
      'al.answers',
      'al.section_117',
      'al.result',
      'al.total_points',
      'al.annual_pence',
      'al.person_id',
      'a.person_id as assessed_person',
      'a.answers as assessment_answers',
      'd.decision',
      'd.explanation',
      'd.care_act_eligible',
      'd.nhs_right',
      'v.definition',
    ])
    .where('al.partnership_id', '=', first.partnershipId)
    .execute();
  assert.equal(rows.length, first.assessments);
  let section117 = 0;
  let eligible = 0;
  for (const r of rows) {
    const version = rasVersionSchema.parse(r.definition);
    const again = calculateIndicativeBudget(version, r.answers, { section117: r.section_117 });
    assert.ok(again.ok);
    assert.deepEqual(r.result, JSON.parse(JSON.stringify(again.budget)));
    assert.equal(r.annual_pence, again.budget.annual);
    assert.equal(r.total_points, again.budget.totalPoints);
    assert.equal(r.person_id, r.assessed_person);

    const answers = assessmentAnswersSchema.parse(r.assessment_answers);
    assert.deepEqual(missingItems(answers, version.questions), [], 'the assessment is complete');
    assert.deepEqual(answers.budget?.answers, r.answers);
    const decision = decideEligibility(toEligibilityInput(answers));
    assert.deepEqual(r.decision, JSON.parse(JSON.stringify(decision)));
    assert.equal(r.explanation, decision.explanation);
    assert.equal(r.care_act_eligible, decision.careAct.eligible);
    assert.equal(r.nhs_right, decision.nhs.right);
    assert.equal(r.section_117, decision.nhs.legalGrounds.includes('section_117'));
    if (r.section_117) section117++;
    if (r.care_act_eligible) eligible++;
  }
  assert.ok(section117 > 5, `some have section 117 after-care (got ${String(section117)})`);
  assert.ok(
    eligible > 100 && eligible < rows.length,
    `a mix of decisions (got ${String(eligible)})`,
  );
  const amounts = new Set(rows.map((r) => r.annual_pence));
  assert.ok(amounts.size > 20, 'budgets vary');
});

test('the same seed gives the same assessments and allocations', async () => {
  const allocations = (partnershipId: string) =>
    db.system
      .selectFrom('allocations as al')
      .innerJoin('people as p', 'p.id', 'al.person_id')
      .innerJoin('assessments as a', 'a.id', 'al.assessment_id')
      .select(['p.external_id', 'a.sequence', 'a.completed_at', 'al.answers', 'al.annual_pence'])
      .where('al.partnership_id', '=', partnershipId)
      .orderBy('p.external_id')
      .orderBy('a.sequence')
      .execute();
  assert.deepEqual(await allocations(first.partnershipId), await allocations(second.partnershipId));
});

test('the impact preview counts each generated person once, with their latest allocation', async () => {
  const same = await previewImpact(db, first.partnershipId, demo, { batchSize: 97 });
  assert.deepEqual([same.people, same.same, same.notCalculable], [500, 500, 0]);
  const dearer = await previewImpact(db, first.partnershipId, {
    ...demo,
    id: 'dearer',
    pricing: { kind: 'pricePerPoint', pencePerPoint: 50_000 },
  });
  assert.equal(dearer.people, 500);
  assert.equal(dearer.down, 0);
  assert.ok(dearer.up > 400, `most go up (got ${String(dearer.up)})`);
});

test('a share of people can be left unassessed, and a share outside 0 to 100% is refused', async () => {
  const half = await generatePartnership(db, {
    people: 200,
    seed: 7,
    partnershipCode: 'gen-half',
    assessed: 0.5,
    reassessed: 0,
  });
  assert.ok(half.assessments > 70 && half.assessments < 130, String(half.assessments));
  assert.equal(await count('allocations', half.partnershipId), half.assessments);
  await assert.rejects(
    generatePartnership(db, { people: 10, seed: 1, partnershipCode: 'gen-bad', assessed: 1.5 }),
    GenerateError,
  );
});

test('every assessed person has one approved plan from their latest allocation, costed within it; some wait for sign-off; reviews are due', async () => {
  const rows = await inPartnership(db, first.partnershipId, (tx) =>
    tx
      .selectFrom('support_plans as s')
      .innerJoin('allocations as a', 'a.id', 's.allocation_id')
      .select([
        's.person_id',
        's.sequence',
        's.status',
        's.route',
        's.document',
        's.total_annual_pence',
        's.indicative_annual_pence',
        'a.annual_pence',
        'a.assessment_id',
      ])
      .execute(),
  );
  const approved = rows.filter((r) => r.status === 'approved');
  const people = new Set(approved.map((r) => r.person_id));
  assert.equal(people.size, approved.length, 'one approved plan each');
  assert.equal(approved.length, first.people, 'everyone is assessed by default');
  const latest = await inPartnership(db, first.partnershipId, (tx) =>
    tx
      .selectFrom('assessments')
      .select(['person_id', (eb) => eb.fn.max('sequence').as('n')])
      .groupBy('person_id')
      .execute(),
  );
  const latestOf = new Map(latest.map((l) => [l.person_id, l.n]));
  const sequences = await inPartnership(db, first.partnershipId, (tx) =>
    tx.selectFrom('assessments').select(['id', 'sequence', 'person_id']).execute(),
  );
  const seqOf = new Map(sequences.map((x) => [x.id, x.sequence]));
  for (const r of approved) {
    assert.equal(
      seqOf.get(r.assessment_id),
      latestOf.get(r.person_id),
      'from the latest assessment',
    );
    assert.equal(r.indicative_annual_pence, r.annual_pence);
    assert.ok(r.total_annual_pence <= r.annual_pence, 'within the indicative budget');
    const doc = planDocumentSchema.safeParse(r.document);
    assert.ok(doc.success, JSON.stringify(doc.error?.issues));
  }
  const waiting = rows.filter((r) => r.status === 'submitted');
  assert.ok(waiting.length > 0 && waiting.length < first.people / 20, String(waiting.length));
  assert.ok(waiting.every((w) => w.sequence === 2 && w.route !== null));
  const reviews = await inPartnership(db, first.partnershipId, (tx) =>
    tx.selectFrom('reviews').select(['status', 'rule', 'due_on', 'person_id']).execute(),
  );
  const due = reviews.filter((r) => r.status === 'due');
  assert.equal(new Set(due.map((r) => r.person_id)).size, first.people, 'one review due each');
  assert.ok(reviews.some((r) => r.status === 'completed' && r.rule === 'care_plan_first'));
  assert.ok(due.some((r) => r.rule === 'care_plan_annual'));
});

test('outcome measures: five at each plan’s approval and five at each completed first review, each scored as the measures rules score its answers', async () => {
  const rows = await inPartnership(db, first.partnershipId, (tx) =>
    tx
      .selectFrom('outcome_measures as m')
      .innerJoin('support_plans as s', 's.id', 'm.plan_id')
      .leftJoin('reviews as r', 'r.id', 'm.review_id')
      .select([
        'm.person_id',
        'm.instrument',
        'm.taken_on',
        'm.answers',
        'm.score',
        'm.review_id',
        's.status',
        's.approved_on',
        's.person_id as plan_person_id',
        'r.status as review_status',
        'r.rule as review_rule',
        'r.completed_on',
      ])
      .execute(),
  );
  const all = Number(
    (
      await db.system
        .selectFrom('outcome_measures')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('partnership_id', '=', first.partnershipId)
        .executeTakeFirstOrThrow()
    ).n,
  );
  assert.equal(rows.length, all, 'every measure names its support plan');
  const baseline = rows.filter((m) => m.review_id === null);
  const atReview = rows.filter((m) => m.review_id !== null);
  assert.equal(baseline.length, first.people * 5, 'a baseline of five for each plan');
  const completed = await inPartnership(db, first.partnershipId, (tx) =>
    tx
      .selectFrom('reviews')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow(),
  );
  assert.ok(Number(completed.n) > 0);
  assert.equal(atReview.length, Number(completed.n) * 5, 'five at each completed review');
  for (const m of rows) {
    assert.equal(m.person_id, m.plan_person_id);
    assert.equal(m.status, 'approved');
    if (m.review_id === null) assert.equal(m.taken_on, m.approved_on, 'baseline on approval');
    else {
      assert.equal(m.review_status, 'completed');
      assert.equal(m.review_rule, 'care_plan_first');
      assert.equal(m.taken_on, m.completed_on, 'taken on the day of the review');
    }
    const parsed = parseMeasure({ instrument: m.instrument, answers: m.answers });
    assert.ok(parsed.ok, JSON.stringify(m.answers));
    assert.deepEqual(m.score, scoreMeasure(parsed.measure), `${m.instrument} scored by the rules`);
  }
  const per = new Map<string, Set<string>>();
  for (const m of baseline)
    per.set(m.person_id, (per.get(m.person_id) ?? new Set()).add(m.instrument));
  assert.ok(
    [...per.values()].every(
      (s) => [...s].sort().join() === 'accommodation,ascot_sct4,employment,eq5d5l,swemwbs',
    ),
    'each baseline has each instrument once',
  );
  // Complete questionnaires, spread over the scale.
  const swemwbs = rows.flatMap((m) =>
    m.instrument === 'swemwbs' ? [(m.score as { raw: number | null }).raw] : [],
  );
  assert.ok(swemwbs.every((raw) => raw !== null && raw >= 7 && raw <= 35));
  assert.ok(new Set(swemwbs).size > 8, `spread (${String(new Set(swemwbs).size)} raw scores)`);
});

test('the second load of the same seed has the same measures', async () => {
  const of = (partnershipId: string) =>
    inPartnership(db, partnershipId, (tx) =>
      tx
        .selectFrom('outcome_measures')
        .select(['instrument', 'taken_on', 'answers', 'score'])
        .orderBy('id')
        .execute(),
    );
  assert.deepEqual(await of(second.partnershipId), await of(first.partnershipId));
});
