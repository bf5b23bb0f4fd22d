// The impact preview over stored allocations: only each person's current allocation counts,
// grouped by team and support reason, under row-level security, in batches.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../platform/db/database.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createPerson,
  publishRas,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { completedAnswers, createCompletedAssessment } from '../../../test/support/assessments.ts';
import { missingItems } from '../assessment/index.ts';
import { DEMO_RAS } from './demo-ras.ts';
import { previewImpact } from './preview.ts';
import { calculateIndicativeBudget, rasVersionSchema, type RasAnswers } from './rules.ts';

const current = rasVersionSchema.parse(DEMO_RAS);
const dearer = rasVersionSchema.parse({
  ...DEMO_RAS,
  id: 'demo-adult-mental-health-v2',
  name: 'Adult mental health RAS, £400 a point',
  pricing: { kind: 'pricePerPoint', pencePerPoint: 40_000 },
});

/** Every question answered with the answer at the same position (0 = least need). */
const answersAt = (level: number): RasAnswers =>
  Object.fromEntries(
    current.questions.map((q) => [q.id, q.answers[Math.min(level, q.answers.length - 1)]!.id]),
  );
const annual = (answers: RasAnswers, version = current) => {
  const r = calculateIndicativeBudget(version, answers);
  assert.ok(r.ok);
  return r.budget.annual;
};

let db: Db;
let p: TestPartnership;
let other: TestPartnership;
// Who is where, and whose allocation is current.
const expected: { team: string; reason: string; answers: RasAnswers }[] = [];

before(async () => {
  db = await freshDb();
  p = await createPartnership(db, 'Preview partnership');
  other = await createPartnership(db, 'Other partnership');
  const rasId = await publishRas(db, p.id);
  const otherRasId = await publishRas(db, other.id);
  const teamName = async (id: string) =>
    (
      await db.system
        .selectFrom('teams')
        .select('name')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).name;
  const teamA = await teamName(p.teamId);
  const teamB = await teamName(p.otherTeamId);

  const person = async (teamId: string | null, reason: string) => {
    const { id } = await createPerson(db, p, { teamId });
    await db.system
      .updateTable('people')
      .set({ primary_support_reason: reason })
      .where('id', '=', id)
      .execute();
    return id;
  };
  const assess = (personId: string, answers: RasAnswers, section117 = false) =>
    createCompletedAssessment(db, {
      partnershipId: p.id,
      personId,
      rasVersionId: rasId,
      rasAnswers: answers,
      section117,
    });

  const plan: [string | null, string, string, number][] = [
    [p.teamId, teamA, 'Mental Health Support', 1],
    [p.teamId, teamA, 'Mental Health Support', 2],
    [p.teamId, teamA, 'Unknown', 3],
    [p.otherTeamId, teamB, 'Mental Health Support', 1],
    [null, 'No team', 'Learning Disability Support', 2],
  ];
  for (const [teamId, team, reason, level] of plan) {
    const id = await person(teamId, reason);
    await assess(id, answersAt(level), level === 3);
    expected.push({ team, reason, answers: answersAt(level) });
  }

  // Reassessed: the second allocation is the current one.
  const reassessed = await person(p.otherTeamId, 'Unknown');
  const first = await assess(reassessed, answersAt(3));
  const second = await assess(reassessed, answersAt(1));
  assert.deepEqual([first.sequence, second.sequence], [1, 2]);
  expected.push({ team: teamB, reason: 'Unknown', answers: answersAt(1) });

  // A reassessment still in draft does not replace the completed one.
  const drafting = await person(p.teamId, 'Unknown');
  await assess(drafting, answersAt(2));
  await db.system
    .insertInto('assessments')
    .values({
      partnership_id: p.id,
      person_id: drafting,
      sequence: 2,
      answers: JSON.stringify({}),
      ras_version_id: rasId,
    })
    .execute();
  expected.push({ team: teamA, reason: 'Unknown', answers: answersAt(2) });

  // Someone not yet assessed has no allocation, and another partnership's people never count.
  await person(p.teamId, 'Unknown');
  const stranger = await createPerson(db, other);
  await createCompletedAssessment(db, {
    partnershipId: other.id,
    personId: stranger.id,
    rasVersionId: otherRasId,
    rasAnswers: answersAt(3),
  });
});
after(() => db.close());

test('a dearer price per point moves everyone with a current allocation up', async () => {
  const r = await previewImpact(db, p.id, dearer);
  assert.deepEqual(r.candidate, { id: dearer.id, name: dearer.name });
  assert.equal(r.notCalculable, 0);
  assert.deepEqual(r.notCalculableReasons, []);
  assert.deepEqual(
    { people: r.people, up: r.up, down: r.down, same: r.same },
    { people: expected.length, up: expected.length, down: 0, same: 0 },
  );
  const oldTotal = expected.reduce((t, e) => t + annual(e.answers), 0);
  const newTotal = expected.reduce((t, e) => t + annual(e.answers, dearer), 0);
  assert.equal(r.oldTotal, oldTotal, 'the reassessed person counts once, with their latest');
  assert.equal(r.newTotal, newTotal);
  assert.equal(r.totalChange, newTotal - oldTotal);
  assert.ok(r.elapsedMs >= 0);

  const teams = [...new Set(expected.map((e) => e.team))].sort();
  assert.deepEqual(
    r.byTeam.map((g) => [g.team, g.people, g.up]),
    teams.map((t) => {
      const n = expected.filter((e) => e.team === t).length;
      return [t, n, n];
    }),
  );
  assert.ok(r.byTeam.some((g) => g.team === 'No team'));
  const reasons = [...new Set(expected.map((e) => e.reason))].sort();
  assert.deepEqual(
    r.bySupportReason.map((g) => [g.supportReason, g.people, g.oldTotal]),
    reasons.map((reason) => {
      const mine = expected.filter((e) => e.reason === reason);
      return [reason, mine.length, mine.reduce((t, e) => t + annual(e.answers), 0)];
    }),
  );
});

test('small batches give the same preview as one batch', async () => {
  const whole = await previewImpact(db, p.id, dearer);
  for (const batchSize of [1, 2, 3, expected.length, expected.length + 1]) {
    const r = await previewImpact(db, p.id, dearer, { batchSize });
    assert.deepEqual({ ...r, elapsedMs: 0 }, { ...whole, elapsedMs: 0 }, `batch ${batchSize}`);
  }
});

test('the version in use previews as no change at all', async () => {
  const r = await previewImpact(db, p.id, current);
  assert.deepEqual(
    [r.people, r.up, r.down, r.same, r.totalChange],
    [expected.length, 0, 0, expected.length, 0],
  );
});

test('a version with a question nobody answered cannot score anyone, and says why', async () => {
  const extra = rasVersionSchema.parse({
    ...DEMO_RAS,
    id: 'demo-adult-mental-health-v3',
    questions: [
      ...DEMO_RAS.questions,
      {
        id: 'sleep',
        text: 'Sleeping well',
        answers: [
          { id: 'fine', text: 'I sleep well', points: 0 },
          { id: 'poor', text: 'I sleep badly', points: 3 },
        ],
      },
    ],
  });
  const r = await previewImpact(db, p.id, extra, { batchSize: 3 });
  assert.equal(r.notCalculable, expected.length);
  assert.deepEqual(r.notCalculableReasons, ['Answer the question "Sleeping well"']);
  assert.deepEqual([r.people, r.byTeam.length, r.bySupportReason.length], [0, 0, 0]);
});

test('another partnership sees only its own person', async () => {
  const r = await previewImpact(db, other.id, dearer);
  assert.equal(r.people, 1);
  assert.equal(r.oldTotal, annual(answersAt(3)));
});

test('the test data is a whole assessment: nothing is missing', () => {
  assert.deepEqual(missingItems(completedAnswers(answersAt(1), true), current.questions), []);
});
