// The demo assessments: about half the demo people assessed, every decision and allocation
// what the real rules give for the stored answers, a mix of outcomes, and one reassessment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import { seedDemo } from './seed.ts';
import { calculateIndicativeBudget, rasVersionSchema } from '../allocation/index.ts';
import { decideEligibility, missingItems, toEligibilityInput } from '../assessment/index.ts';
import { readAnswers } from '../assessment/answers.ts';

let db: Db;
before(async () => {
  db = await freshDb();
  assert.equal(await seedDemo(db), true);
});
after(() => db.close());

test('demo assessments are complete, and their decisions and budgets are what the rules give', async () => {
  const rows = await db.system
    .selectFrom('assessments as a')
    .innerJoin('eligibility_decisions as d', 'd.assessment_id', 'a.id')
    .innerJoin('allocations as l', 'l.assessment_id', 'a.id')
    .innerJoin('ras_versions as v', 'v.id', 'l.ras_version_id')
    .select([
      'a.answers',
      'a.sequence',
      'a.person_id',
      'd.decision',
      'd.care_act_eligible',
      'l.answers as ras_answers',
      'l.section_117',
      'l.result',
      'l.annual_pence',
      'v.definition',
    ])
    .execute();
  const people = new Set(rows.map((r) => r.person_id));
  assert.ok(people.size >= 15 && people.size <= 30, `${String(people.size)} people assessed`);
  assert.ok(
    rows.some((r) => r.sequence === 2),
    'one reassessment',
  );
  assert.ok(rows.some((r) => r.care_act_eligible) && rows.some((r) => !r.care_act_eligible));
  assert.ok(
    rows.some((r) => r.section_117),
    'some section 117 after-care',
  );
  for (const r of rows) {
    const ras = rasVersionSchema.parse(r.definition);
    const answers = readAnswers(r.answers);
    assert.deepEqual(missingItems(answers, ras.questions), []);
    assert.deepEqual(
      r.decision,
      JSON.parse(JSON.stringify(decideEligibility(toEligibilityInput(answers)))),
    );
    const budget = calculateIndicativeBudget(ras, r.ras_answers, { section117: r.section_117 });
    assert.ok(budget.ok);
    assert.deepEqual(r.result, JSON.parse(JSON.stringify(budget.budget)));
    assert.equal(r.annual_pence, budget.budget.annual);
  }
  const amounts = new Set(rows.map((r) => r.annual_pence));
  assert.ok(amounts.size >= 5, 'budgets vary');
});
