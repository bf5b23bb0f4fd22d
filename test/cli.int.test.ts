// The pooled command line, run as a real process against a real database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminQuery, databaseUrlFor } from './support/db.ts';
import { openDatabase } from '../src/platform/db/database.ts';

const base = process.env.DATABASE_URL;
let env: Record<string, string>;
let cleanup: () => Promise<void>;

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

test('--help lists the commands', () => {
  const r = pooled('--help');
  assert.equal(r.code, 0);
  for (const command of ['serve', 'migrate', 'seed', 'users'])
    assert.match(r.out, new RegExp(`\\b${command}\\b`));
});

test('migrate, seed --demo (twice) and users create work end to end', async () => {
  assert.equal(pooled('migrate').code, 0);
  assert.match(pooled('migrate').out, /up to date/);
  const seeded = pooled('seed', '--demo');
  assert.equal(seeded.code, 0, seeded.err);
  assert.match(seeded.out, /coordinator@demo\.pooled\.test/);
  assert.match(pooled('seed', '--demo').out, /already there/);
  const created = pooled(
    'users',
    'create',
    '--partnership',
    'demo',
    '--email',
    'new.person@demo.pooled.test',
    '--name',
    'New Person',
    '--role',
    'care_coordinator',
    'team_manager',
  );
  assert.equal(created.code, 0, created.err);
  assert.match(created.out, /Temporary password: \S{12,}/);
  const bad = pooled(
    'users',
    'create',
    '--partnership',
    'demo',
    '--email',
    'x@demo.pooled.test',
    '--name',
    'X',
    '--role',
    'wizard',
  );
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /Unknown role "wizard"/);

  const db = await openDatabase(
    env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR },
  );
  try {
    const user = await db.system
      .selectFrom('users')
      .select(['id', 'must_change_password'])
      .where('email', '=', 'new.person@demo.pooled.test')
      .executeTakeFirstOrThrow();
    assert.equal(user.must_change_password, true);
    const roles = await db.system
      .selectFrom('role_grants')
      .select('role')
      .where('user_id', '=', user.id)
      .orderBy('role')
      .execute();
    assert.deepEqual(
      roles.map((r) => r.role),
      ['care_coordinator', 'team_manager'],
    );
    const x = await db.system
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'x@demo.pooled.test')
      .executeTakeFirst();
    assert.equal(x, undefined, 'a refused command writes nothing');
  } finally {
    await db.close();
  }
});

test('a bad configuration is reported, key by key, before anything runs', () => {
  const r = spawnSync(process.execPath, ['bin/pooled.mjs', 'migrate'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', PORT: 'eighty' },
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PORT/);
});
