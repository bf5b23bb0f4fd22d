// `pooled allocation preview`, run as a real process against a real database with stored
// allocations: the table's figures, the JSON, and the refusals (unknown version, ambiguous id).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminQuery, databaseUrlFor } from './support/db.ts';
import { createPartnership, createPerson, publishRas } from './support/factories.ts';
import { createCompletedAssessment } from './support/assessments.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import { DEMO_RAS, rasVersionSchema } from '../src/features/allocation/index.ts';

const base = process.env.DATABASE_URL;
let env: Record<string, string>;
let cleanup: () => Promise<void>;
let partnershipCode: string;
let teamName: string;
let otherTeamName: string;

const demo = rasVersionSchema.parse(DEMO_RAS);
/** The demo answers that score nothing, with some questions moved to more need. */
const answers = (chosen: Record<string, string>) =>
  Object.fromEntries(
    demo.questions.map((q) => [
      q.id,
      chosen[q.id] ?? q.answers.find((a) => a.points === 0)?.id ?? '',
    ]),
  );

before(async () => {
  if (base) {
    const name = `pooled_cli_${randomBytes(4).toString('hex')}`;
    await adminQuery(base, `create database ${name}`);
    env = { DATABASE_URL: databaseUrlFor(base, name) };
    cleanup = () => adminQuery(base, `drop database if exists ${name} with (force)`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'pooled-cli-'));
    env = { DATA_DIR: dir };
    cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  }
  // Data written directly, then the database closed so the command can open it (PGlite
  // allows one process at a time).
  const db = await openDatabase(
    env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR },
  );
  try {
    await migrate(db);
    const p = await createPartnership(db, 'CLI Partnership');
    const other = await createPartnership(db, 'Other Partnership');
    partnershipCode = p.code;
    teamName = `Team A ${p.code}`;
    otherTeamName = `Team B ${p.code}`;
    const demoId = await publishRas(db, p.id);
    await publishRas(db, other.id);
    // £350 a point: 8 points = £2,800; 0 = the £1,000 minimum; 5 = £1,750.
    for (const [teamId, chosen] of [
      [p.teamId, { medication: 'all' }],
      [p.teamId, {}],
      [p.otherTeamId, { 'personal-care': 'lots' }],
    ] as const) {
      const person = await createPerson(db, p, { teamId });
      await createCompletedAssessment(db, {
        partnershipId: p.id,
        personId: person.id,
        rasVersionId: demoId,
        rasAnswers: answers(chosen),
      });
    }
    // A draft at £400 a point in which medication scores nothing.
    const draft = {
      ...demo,
      id: 'cli-draft',
      name: 'CLI draft',
      pricing: { kind: 'pricePerPoint' as const, pencePerPoint: 40_000 },
      questions: demo.questions.map((q) =>
        q.id === 'medication' ? { ...q, answers: q.answers.map((a) => ({ ...a, points: 0 })) } : q,
      ),
    };
    await db.system
      .insertInto('ras_versions')
      .values({
        partnership_id: p.id,
        code: draft.id,
        name: draft.name,
        effective_from: draft.effectiveFrom,
        definition: JSON.stringify(draft),
      })
      .execute();
  } finally {
    await db.close();
  }
});
after(() => cleanup());

function pooled(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/pooled.mjs', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The cells of the table row whose first cell is the label. */
function row(out: string, label: string): string[] {
  const line = out.split('\n').find((l) => l.trim().startsWith(`${label}  `));
  assert.ok(line, `no row "${label}" in:\n${out}`);
  return line
    .trim()
    .slice(label.length)
    .trim()
    .split(/\s{2,}/);
}

test('allocation preview prints the impact of a draft as a table', () => {
  const r = pooled('allocation', 'preview', '--version', 'cli-draft');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Impact of RAS version cli-draft \("CLI draft", draft/);
  assert.match(r.out, new RegExp(`in CLI Partnership \\(${partnershipCode}\\)`));
  assert.match(r.out, /3 people compared: 1 go up, 1 go down, 1 stay the same\./);
  // Now £2,800 + £1,000 + £1,750 = £5,550; with the draft £1,000 + £1,000 + £2,000 = £4,000.
  assert.deepEqual(row(r.out, 'Everyone'), [
    '3',
    '1',
    '1',
    '1',
    '£5,550.00',
    '£4,000.00',
    '-£1,550.00',
    '-£516.67',
  ]);
  assert.deepEqual(row(r.out, teamName), [
    '2',
    '0',
    '1',
    '1',
    '£3,800.00',
    '£2,000.00',
    '-£1,800.00',
    '-£900.00',
  ]);
  assert.deepEqual(row(r.out, otherTeamName), [
    '1',
    '1',
    '0',
    '0',
    '£1,750.00',
    '£2,000.00',
    '+£250.00',
    '+£250.00',
  ]);
  assert.deepEqual(row(r.out, 'Mental Health Support').slice(0, 1), ['3']);
  assert.match(r.out, /By team/);
  assert.match(r.out, /By support reason/);
});

test('allocation preview --json gives the same figures', () => {
  const r = pooled(
    'allocation',
    'preview',
    '--version',
    'cli-draft',
    '--partnership',
    partnershipCode,
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as Record<string, unknown>;
  assert.equal(json.partnership, partnershipCode);
  assert.equal(json.people, 3);
  assert.equal(json.oldTotal, 555_000);
  assert.equal(json.newTotal, 400_000);
  assert.equal(json.notCalculable, 0);
});

test('allocation preview refuses an unknown version or an id two partnerships share', () => {
  const unknown = pooled('allocation', 'preview', '--version', 'no-such-version');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /There is no RAS version "no-such-version"\./);

  const shared = pooled('allocation', 'preview', '--version', demo.id);
  assert.equal(shared.code, 2);
  assert.match(
    shared.err,
    /Several partnerships have a RAS version "demo-adult-mental-health-v1".*--partnership CODE/,
  );

  const chosen = pooled(
    'allocation',
    'preview',
    '--version',
    demo.id,
    '--partnership',
    partnershipCode,
  );
  assert.equal(chosen.code, 0, chosen.err);
  assert.match(chosen.out, /3 people compared: 0 go up, 0 go down, 3 stay the same\./);

  const noPartnership = pooled(
    'allocation',
    'preview',
    '--version',
    demo.id,
    '--partnership',
    'nope',
  );
  assert.equal(noPartnership.code, 2);
  assert.match(noPartnership.err, /There is no partnership with code "nope"\./);

  const missing = pooled('allocation', 'preview');
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /--version/);
});

test('the program version flag still works before a command', () => {
  const r = pooled('--version');
  assert.equal(r.code, 0);
  assert.match(r.out, /\d+\.\d+\.\d+/);
});
