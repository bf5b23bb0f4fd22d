// Invariant 3 for allocations, as a property over the real database: a stored allocation
// recalculates identically from its stored inputs (answers, section 117) and its RAS version.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import { completedAnswers } from '../../../test/support/assessments.ts';
import {
  createPartnership,
  createPerson,
  publishRas,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { DEMO_RAS } from './demo-ras.ts';
import { calculateIndicativeBudget, rasVersionSchema, type RasAnswers } from './rules.ts';
import { allocationById, insertAllocation, rasVersionById, recalculate } from './store.ts';

const demo = rasVersionSchema.parse(DEMO_RAS);

let db: Db;
let p: TestPartnership;
let rasVersionId: string;
before(async () => {
  db = await freshDb();
  p = await createPartnership(db);
  rasVersionId = await publishRas(db, p.id);
});
after(() => db.close());

/** One answer for every question of the demo RAS, chosen at random. */
const arbAnswers: fc.Arbitrary<RasAnswers> = fc.record(
  Object.fromEntries(
    demo.questions.map((q) => [q.id, fc.constantFrom(...q.answers.map((a) => a.id))]),
  ),
);

/** A completed assessment row for a new person, as the assessment journey leaves it. */
async function completedAssessment(
  answers: RasAnswers,
  section117: boolean,
): Promise<{ personId: string; assessmentId: string }> {
  const person = await createPerson(db, p);
  const row = await db.system
    .insertInto('assessments')
    .values({
      partnership_id: p.id,
      person_id: person.id,
      sequence: 1,
      status: 'completed',
      answers: JSON.stringify(completedAnswers(answers, section117)),
      ras_version_id: rasVersionId,
      completed_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { personId: person.id, assessmentId: row.id };
}

test('a stored allocation recalculates identically from its stored inputs and version', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(arbAnswers, fc.boolean(), async (answers, section117) => {
      runs += 1;
      const calculated = calculateIndicativeBudget(demo, answers, { section117 });
      assert.ok(calculated.ok, 'every demo answer set calculates');
      const { personId, assessmentId } = await completedAssessment(answers, section117);
      const id = await inPartnership(db, p.id, (tx) =>
        insertAllocation(tx, {
          partnershipId: p.id,
          assessmentId,
          personId,
          rasVersionId,
          answers,
          section117,
          budget: calculated.budget,
          userId: null,
        }),
      );
      const { stored, version } = await inPartnership(db, p.id, async (tx) => ({
        stored: await allocationById(tx, id),
        version: await rasVersionById(tx, rasVersionId),
      }));
      assert.ok(stored && version);
      assert.deepEqual(stored.answers, { ...answers }); // fc.record gives a null prototype
      assert.equal(stored.section117, section117);
      assert.deepEqual(stored.budget, calculated.budget);
      assert.deepEqual(recalculate(version.definition, stored), stored.budget);
      const streamsTotal = stored.budget.streams.reduce((t, s) => t + s.annual, 0);
      assert.equal(streamsTotal, stored.budget.annual);
    }),
    { numRuns: 30 },
  );
  assert.equal(runs, 30);
});
