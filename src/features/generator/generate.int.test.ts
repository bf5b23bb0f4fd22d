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
import { sql } from 'kysely';
import { planBudgets, streamsForBudget } from '../budgets/index.ts';
import { isNeverBuy } from '../statements/index.ts';
import { pence } from '../../platform/money.ts';
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

// ---------------------------------------------------------------------------------------------
// Budgets, schedules, the ledger and card transactions (issue 5)

const rowsOf = async <T>(query: ReturnType<typeof sql<T>>): Promise<T[]> =>
  (await query.execute(db.system)).rows;

test('the generated ledger balances: every transaction sums to zero with all its entries, and so does the whole ledger', async () => {
  const p = first.partnershipId;
  const [total] = await rowsOf(
    sql<{ total: string; n: string }>`select coalesce(sum(amount_pence), 0)::text as total,
      count(*)::text as n from ledger_entries where partnership_id = ${p}`,
  );
  assert.equal(total?.total, '0');
  assert.equal(Number(total?.n), first.money?.ledgerEntries);
  const bad = await rowsOf(
    sql<{ id: string }>`select t.id from ledger_transactions t
      left join (select transaction_id, count(*) as n, sum(amount_pence) as s from ledger_entries
                  where partnership_id = ${p} group by transaction_id) e on e.transaction_id = t.id
     where t.partnership_id = ${p} and (e.n is null or e.n <> t.entry_count or e.s <> 0)`,
  );
  assert.deepEqual(bad, []);
  const kinds = await rowsOf(
    sql<{
      kind: string;
    }>`select distinct kind from ledger_transactions where partnership_id = ${p} order by kind`,
  );
  assert.deepEqual(
    kinds.map((k) => k.kind),
    ['allocation', 'contribution', 'payment', 'spend'],
  );
});

test('every budget is what the budgets rules make of its plan, and its schedule lines and commitments add up to it', async () => {
  const p = first.partnershipId;
  const budgets = await rowsOf(
    sql<{
      id: string;
      stream_id: string;
      holding: string;
      amount_pence: number;
      starts_on: string;
      document: unknown;
      weekly: number | null;
      effective_from: string | null;
      lines: number;
      commitments: number;
      holding_account_id: string | null;
    }>`select b.id, b.stream_id, b.holding, b.amount_pence, b.starts_on::text, s.document,
        f.weekly_contribution_pence as weekly, f.effective_from::text,
        coalesce((select sum(l.amount_pence + l.contribution_pence) from payment_schedule_lines l
                   where l.budget_id = b.id), 0)::int as lines,
        coalesce((select sum(c.amount_pence) from commitments c where c.budget_id = b.id), 0)::int
          as commitments, b.holding_account_id
      from budgets b join support_plans s on s.id = b.plan_id
      left join financial_assessments f on f.person_id = b.person_id
     where b.partnership_id = ${p}`,
  );
  assert.equal(budgets.length, first.money?.budgets);
  assert.equal(budgets.length, first.people, 'one budget each: only the first stream has items');
  for (const b of budgets) {
    assert.equal(b.lines + b.commitments, b.amount_pence, `budget ${b.id} adds up`);
    const doc = planDocumentSchema.parse(b.document);
    const again = planBudgets({
      startsOn: b.starts_on as never,
      streams: streamsForBudget(doc),
      contributions:
        b.weekly === null || b.effective_from === null
          ? []
          : [{ effectiveFrom: b.effective_from, weeklyPence: pence(b.weekly) }],
    }).find((x) => x.streamId === b.stream_id);
    assert.equal(again?.amount, b.amount_pence, 'the amount the rules give');
    assert.equal(again.holding, b.holding);
    assert.equal(b.holding_account_id !== null, b.holding !== 'managed', 'paid streams hold money');
  }
  const holdings = new Set(budgets.map((b) => b.holding));
  for (const h of ['direct_payment', 'third_party', 'individual_service_fund', 'managed'])
    assert.ok(holdings.has(h), `some ${h}`);
  assert.ok(
    budgets.some((b) => b.weekly !== null && b.weekly > 0),
    'some pay a contribution',
  );
  assert.ok(
    budgets.every((b) => b.weekly === null || !b.stream_id.startsWith('section-117-')),
    'never for section 117 after-care',
  );
});

test('schedule lines due by the generated day are paid once by a posted run (payment-line:<id>); later ones are due and unposted', async () => {
  const p = first.partnershipId;
  const lines = await rowsOf(
    sql<{
      id: string;
      status: string;
      due_on: string;
      amount_pence: number;
      tx_id: string | null;
      key: string | null;
      run_status: string | null;
      prepared_by: string | null;
      approved_by: string | null;
      postings: number;
      in_file: number;
    }>`select l.id, l.status, l.due_on::text, l.amount_pence, l.ledger_transaction_id as tx_id,
        t.idempotency_key as key, r.status as run_status, r.prepared_by, r.approved_by,
        (select count(*) from ledger_transactions x where x.partnership_id = ${p}
          and x.idempotency_key = 'payment-line:' || l.id)::int as postings,
        (select count(*) from payment_run_lines rl where rl.line_id = l.id)::int as in_file
      from payment_schedule_lines l
      left join ledger_transactions t on t.id = l.ledger_transaction_id
      left join payment_runs r on r.id = l.run_id
     where l.partnership_id = ${p}`,
  );
  assert.equal(lines.length, first.money?.scheduleLines);
  const paid = lines.filter((l) => l.status === 'paid');
  const due = lines.filter((l) => l.status === 'due');
  assert.equal(paid.length + due.length, lines.length);
  assert.ok(paid.length > 0 && due.length > 0);
  for (const l of paid) {
    assert.ok(l.due_on <= first.asOf);
    assert.equal(l.key, `payment-line:${l.id}`);
    assert.equal(l.postings, 1);
    assert.equal(l.in_file, 1);
    assert.equal(l.run_status, 'posted');
    assert.notEqual(l.prepared_by, l.approved_by, 'four eyes');
  }
  for (const l of due) {
    assert.ok(l.due_on > first.asOf);
    assert.equal(l.postings, 0);
    assert.equal(l.in_file, 0);
  }
  const runs = await rowsOf(
    sql<{ line_count: number; total_pence: number; n: number; total: number }>`
      select r.line_count, r.total_pence, count(rl.*)::int as n,
             coalesce(sum(rl.amount_pence), 0)::int as total
        from payment_runs r left join payment_run_lines rl on rl.run_id = r.id
       where r.partnership_id = ${p} group by r.id`,
  );
  assert.ok(runs.length > 1);
  for (const r of runs) assert.deepEqual([r.line_count, r.total_pence], [r.n, r.total]);
});

test('every holding account holds what was paid into it less what its card statements show; budget accounts what is left', async () => {
  const p = first.partnershipId;
  const accounts = await rowsOf(
    sql<{ key: string; balance: number; paid: number; cards: number }>`
      select a.key,
        coalesce((select sum(e.amount_pence) from ledger_entries e where e.account_id = a.id), 0)::int
          as balance,
        coalesce((select sum(l.amount_pence) from payment_schedule_lines l
                   join budgets b on b.id = l.budget_id
                  where b.holding_account_id = a.id and l.status = 'paid'), 0)::int as paid,
        coalesce((select sum(c.amount_pence) from card_transactions c
                   where c.holding_account_id = a.id), 0)::int as cards
      from ledger_accounts a where a.partnership_id = ${p} and a.kind = 'holding_account'`,
  );
  assert.ok(accounts.length > 0);
  for (const a of accounts) {
    assert.equal(a.balance, a.paid + a.cards, a.key);
    assert.ok(a.balance >= 0, `${a.key} never overdrawn`);
  }
  const budgets = await rowsOf(
    sql<{ id: string; balance: number; left: number }>`
      select b.id,
        coalesce((select sum(e.amount_pence) from ledger_entries e
                   where e.account_id = b.ledger_account_id), 0)::int as balance,
        (b.amount_pence
          - coalesce((select sum(l.amount_pence + l.contribution_pence) from payment_schedule_lines l
                       where l.budget_id = b.id and l.status = 'paid'), 0)
          - coalesce((select sum(l.contribution_pence) from payment_schedule_lines l
                       where l.budget_id = b.id and l.status = 'due'), 0))::int as left
      from budgets b where b.partnership_id = ${p}`,
  );
  for (const b of budgets) assert.equal(b.balance, b.left, `budget ${b.id}`);
});

test('card transactions: on real prepaid-card holding accounts, each posted once in its import batch, ids unique, with something for monitoring to find', async () => {
  const p = first.partnershipId;
  const cards = await rowsOf(
    sql<{
      id: string;
      holding_account_id: string;
      kind: string | null;
      holding: string | null;
      reference: string | null;
      account_reference: string;
      provider_transaction_id: string;
      amount_pence: number;
      category: string | null;
      plan_item_id: string | null;
      entries: number;
      entry_amount: number | null;
      key: string | null;
      import_id: string;
      batch_no: number;
    }>`select c.id, c.holding_account_id, a.kind, b.holding, a.reference, c.account_reference,
        c.provider_transaction_id, c.amount_pence, c.category, c.plan_item_id,
        coalesce(x.n, 0) as entries, x.amount as entry_amount, x.key, c.import_id, c.batch_no
      from card_transactions c
      left join ledger_accounts a on a.id = c.holding_account_id
      left join budgets b on b.holding_account_id = a.id
      left join (
        select e.source_ref, count(*)::int as n, sum(e.amount_pence)::int as amount,
               min(e.account_id::text) as account, min(t.idempotency_key) as key
          from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
         where e.partnership_id = ${p} and e.source_ref like 'card:%'
         group by e.source_ref) x on x.source_ref = 'card:' || c.id and x.account = c.holding_account_id::text
     where c.partnership_id = ${p}`,
  );
  assert.equal(cards.length, first.money?.cardTransactions);
  assert.ok(cards.length > 5000, `a year of spending (got ${String(cards.length)})`);
  for (const c of cards) {
    assert.equal(c.kind, 'holding_account');
    assert.equal(c.holding, 'direct_payment');
    assert.equal(c.account_reference, c.reference);
    assert.equal(c.entries, 1, 'posted once');
    assert.equal(c.entry_amount, c.amount_pence);
    assert.equal(c.key, `import:${c.import_id}:${String(c.batch_no)}`);
  }
  assert.equal(new Set(cards.map((c) => c.provider_transaction_id)).size, cards.length);
  const within = cards.filter((c) => c.plan_item_id !== null).length;
  const never = cards.filter((c) => isNeverBuy(c.category)).length;
  const outside = cards.filter(
    (c) => c.category !== null && !isNeverBuy(c.category) && c.plan_item_id === null,
  ).length;
  assert.ok(within > cards.length * 0.8, `mostly within the plan (${String(within)})`);
  assert.ok(outside > 0 && outside < cards.length * 0.05, `a few outside (${String(outside)})`);
  assert.ok(never > 0 && never < cards.length * 0.005, `very few never-buy (${String(never)})`);
  assert.ok(
    cards.some((c) => c.amount_pence > 0),
    'some refunds',
  );
  // Some card holders never use the card; some let money build up past 8 weeks of payments.
  const holders = await rowsOf(
    sql<{ cards: number; balance: number; four_weekly: number }>`
      select (select count(*) from card_transactions c where c.holding_account_id = b.holding_account_id)::int
               as cards,
             (select sum(e.amount_pence) from ledger_entries e
               where e.account_id = b.holding_account_id)::int as balance,
             (select max(l.amount_pence) from payment_schedule_lines l where l.budget_id = b.id)::int
               as four_weekly
        from budgets b where b.partnership_id = ${p} and b.holding = 'direct_payment'`,
  );
  assert.ok(holders.some((h) => h.cards === 0));
  assert.ok(holders.some((h) => h.cards > 0 && h.balance > 2 * h.four_weekly));
  assert.ok(holders.filter((h) => h.balance > 2 * h.four_weekly).length < holders.length / 4);
  const imports = await rowsOf(
    sql<{ status: string; imported_count: number; n: number }>`
      select i.status, i.imported_count, (select count(*) from card_transactions c
        where c.import_id = i.id)::int as n
        from statement_imports i where i.partnership_id = ${p}`,
  );
  assert.ok(imports.length > 1);
  for (const i of imports) assert.deepEqual([i.status, i.imported_count], ['finished', i.n]);
});

test('the second load of the same seed has the same budgets, lines and card transactions', async () => {
  const of = (partnershipId: string) =>
    rowsOf(
      sql<Record<string, unknown>>`select pe.external_id, b.stream_id, b.amount_pence,
          (select json_agg(json_build_array(l.due_on, l.amount_pence, l.status) order by l.due_on, l.kind)
             from payment_schedule_lines l where l.budget_id = b.id) as lines,
          (select json_agg(json_build_array(c.occurred_on, c.amount_pence, c.description)
                           order by c.occurred_on, c.provider_transaction_id)
             from card_transactions c where c.holding_account_id = b.holding_account_id) as cards
        from budgets b join people pe on pe.id = b.person_id
       where b.partnership_id = ${partnershipId} order by pe.external_id, b.stream_id`,
    );
  assert.deepEqual(await of(second.partnershipId), await of(first.partnershipId));
});
