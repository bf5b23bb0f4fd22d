import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMigrationNames, listMigrations } from './migrations.ts';

test('every migration file is named NNNN_verb_words.sql with a unique number', () => {
  const names = listMigrations();
  assert.ok(names.length > 0);
  assert.deepEqual(checkMigrationNames(names), []);
});

test('the naming rule rejects bad names', () => {
  const cases: [string, boolean][] = [
    ['0001_create_foundation.sql', true],
    ['0002_add_people_index.sql', true],
    ['1_create_x.sql', false],
    ['0003_People.sql', false],
    ['0004_foundation.sql', false],
    ['0005-create-x.sql', false],
  ];
  for (const [name, ok] of cases) assert.equal(checkMigrationNames([name]).length === 0, ok, name);
  assert.equal(checkMigrationNames(['0001_create_a.sql', '0001_add_b.sql']).length, 1);
});
