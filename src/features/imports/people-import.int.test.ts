// Importing people from CSV on a real database: line numbers, good rows in, idempotent on
// external ID, clashes refused, a bad header imports nothing, one audit event a batch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Db } from '../../platform/db/database.ts';
import type { CivilDate } from '../../platform/dates.ts';
import { freshDb } from '../../../test/support/db.ts';
import {
  createPartnership,
  createPerson,
  type TestPartnership,
} from '../../../test/support/factories.ts';
import { ImportFatal, importPeople, type ImportOptions } from './people-import.ts';
import type { RowProblem } from './rules.ts';

let db: Db;
let p: TestPartnership;
let dir: string;
before(async () => {
  db = await freshDb();
  p = await createPartnership(db, 'Import');
  dir = mkdtempSync(join(tmpdir(), 'pooled-import-'));
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `people-${String(++fileNo)}.csv`);
  writeFileSync(path, content);
  return path;
}

async function run(path: string, options: Partial<ImportOptions> = {}, code = p.code) {
  const problems: RowProblem[] = [];
  const warnings: string[] = [];
  const result = await importPeople(db, {
    partnershipCode: code,
    file: path,
    today: '2026-06-01' as CivilDate,
    onProblem: (x) => problems.push(x),
    onWarning: (w) => warnings.push(w),
    ...options,
  });
  return { result, problems, warnings };
}

const person = (externalId: string) =>
  db.system
    .selectFrom('people')
    .selectAll()
    .where('partnership_id', '=', p.id)
    .where('external_id', '=', externalId)
    .executeTakeFirst();

const peopleCount = async () =>
  (await db.system.selectFrom('people').select('id').where('partnership_id', '=', p.id).execute())
    .length;

const HEADER = 'external_id,given_name,family_name,date_of_birth,nhs_number,address_line1,team';
const first = () =>
  [
    HEADER, // line 1
    `A1,Ann,Lee,1980-02-01,943 476 5919,1 High Street,Team A ${p.code}`, // 2
    'A2,Bob,Ray,1981-01-01,,"Flat 2', // 3: a quoted value over two lines
    '3 Mill Road",', // 4
    'A3,,Moss,1982-01-01,,,', // 5: no first name
    'A4,Cat,"Two', // 6: starts here ...
    'Lines",31/02/1990,,,', // 7: ... and has a date that is not real
    'A5,Dan,Fox,05/06/1975,,,', // 8: a British date
    'A6,Eve,Ng,1990-01-01,1234567890,,', // 9: bad NHS number
  ].join('\n') + '\n';

test('bad rows are reported with the line they start on; good rows are imported', async () => {
  const { result, problems } = await run(file(first()));
  assert.deepEqual(
    problems.map((x) => x.line),
    [5, 6, 9],
  );
  assert.match(problems[0]!.reasons.join(), /given_name: Enter a first name/);
  assert.match(problems[1]!.reasons.join(), /date_of_birth: Date of birth must be a real date/);
  assert.match(problems[2]!.reasons.join(), /nhs_number: Enter a valid NHS number/);
  assert.deepEqual(
    { ...result, seconds: 0 },
    { created: 3, updated: 0, unchanged: 0, rejected: 3, seconds: 0 },
  );
  const ann = await person('A1');
  assert.equal(ann?.nhs_number, '9434765919');
  assert.equal(ann?.team_id, p.teamId);
  assert.equal(ann?.lead_organisation_id, p.trustId);
  assert.equal((await person('A2'))?.address_line1, 'Flat 2\n3 Mill Road');
  assert.equal((await person('A5'))?.date_of_birth, '1975-06-05');
  assert.equal(await person('A3'), undefined);
});

test('a second import updates, never duplicates, and counts what changed', async () => {
  const before = await peopleCount();
  const changed = first().replace('A1,Ann,Lee', 'A1,Ann,Leigh');
  const { result } = await run(file(changed));
  assert.deepEqual(
    { ...result, seconds: 0 },
    { created: 0, updated: 1, unchanged: 2, rejected: 3, seconds: 0 },
  );
  assert.equal(await peopleCount(), before);
  const ann = await person('A1');
  assert.equal(ann?.family_name, 'Leigh');
  assert.equal(ann?.version, 2);
  assert.equal((await person('A2'))?.version, 1);
});

test('an NHS number that belongs to someone else rejects that row only', async () => {
  await createPerson(db, p, { familyName: 'Existing', nhsNumber: '4010232137' });
  const csv = [HEADER, 'B1,Fay,Hill,1970-01-01,4010232137,,', 'B2,Gus,Iles,1971-01-01,,,'].join(
    '\n',
  );
  const { result, problems } = await run(file(csv));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.line, 2);
  assert.match(problems[0]!.reasons.join(), /another person already has NHS number 4010232137/);
  assert.equal(result.created, 1);
  assert.equal(result.rejected, 1);
  assert.ok(await person('B2'));
  assert.equal(await person('B1'), undefined);
});

test('the same external ID or NHS number twice in one file: the later row is refused', async () => {
  const csv = [
    HEADER,
    'C1,Hal,Jay,1970-01-01,9434765927,,',
    'C1,Hal,Jay,1970-01-01,,,',
    'C2,Ivy,Kay,1970-01-01,9434765927,,',
  ].join('\n');
  const { result, problems } = await run(file(csv));
  assert.deepEqual(
    problems.map((x) => [x.line, x.reasons[0]?.slice(0, 20)]),
    [
      [3, 'external_id: C1 is a'],
      [4, 'nhs_number: line 2 h'],
    ],
  );
  assert.equal(result.created, 1);
});

test('a file without a required column imports nothing', async () => {
  const before = await peopleCount();
  const csv = ['given_name,family_name,date_of_birth', 'Jo,Lamb,1970-01-01'].join('\n');
  await assert.rejects(run(file(csv)), (e: unknown) => {
    assert.ok(e instanceof ImportFatal);
    assert.match(e.message, /no external_id column, so nothing was imported/);
    return true;
  });
  assert.equal(await peopleCount(), before);
});

test('text that is not UTF-8 is reported by line; the other rows go in', async () => {
  const csv = Buffer.concat([
    Buffer.from(`${HEADER}\nD1,Kim,Moe,1970-01-01,,,\nD2,Lou,`),
    Buffer.from([0xff, 0xfe, 0x41]),
    Buffer.from(',1970-01-01,,,\nD3,Max,Noy,1970-01-01,,,\n'),
  ]);
  const { result, problems } = await run(file(csv));
  assert.deepEqual(
    problems.map((x) => x.line),
    [3],
  );
  assert.match(problems[0]!.reasons.join(), /not valid UTF-8/);
  assert.equal(result.created, 2);
});

test('unknown columns are warned about once; a broken quote at the end is a reported row', async () => {
  const csv = [
    `${HEADER},shoe_size`,
    'E1,Ned,Orr,1970-01-01,,,,9',
    'E2,Oli,Poe,1970-01-01,,,,10',
    'E3,Pat,"Quill,1970-01-01,,,,11',
  ].join('\n');
  const { result, problems, warnings } = await run(file(csv));
  assert.deepEqual(warnings, ['Ignoring column Pooled does not know: shoe_size']);
  assert.equal(result.created, 2);
  assert.deepEqual(
    problems.map((x) => x.line),
    [4],
  );
  assert.match(problems[0]!.reasons.join(), /quoted value is never closed/);
});

test('rows are written in batches with one audit event a batch, as the CLI importer', async () => {
  const rows = Array.from(
    { length: 5 },
    (_, i) => `F${String(i)},Rae,Sim${String(i)},1970-01-01,,,`,
  );
  const { result } = await run(file([HEADER, ...rows].join('\n')), { batchSize: 2 });
  assert.equal(result.created, 5);
  const events = await db.system
    .selectFrom('audit_events')
    .select(['actor', 'action', 'record_type', 'detail'])
    .where('partnership_id', '=', p.id)
    .where('action', '=', 'import')
    .orderBy('id')
    .execute();
  const last3 = events.slice(-3);
  assert.deepEqual(
    last3.map((e) => [e.actor, e.record_type, (e.detail as { created: number }).created]),
    [
      ['cli import', 'person', 2],
      ['cli import', 'person', 2],
      ['cli import', 'person', 1],
    ],
  );
  assert.match((last3[0]!.detail as { file: string }).file, /^people-\d+\.csv$/);
});

test('an unknown partnership or a missing file is fatal', async () => {
  await assert.rejects(run(file(first()), {}, 'nope'), /no partnership with code "nope"/);
  await assert.rejects(run(join(dir, 'missing.csv')), /Cannot read/);
});

test('the CLI exits 2 on a fatal error and says why', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pooled-cli-'));
  try {
    // A clean environment: no DATABASE_URL, so the CLI opens an empty embedded database.
    const env = { DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    const r = spawnSync(
      process.execPath,
      ['bin/pooled.mjs', 'import', 'people', file(first()), '--partnership', 'nope'],
      {
        env,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no partnership with code "nope"/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
