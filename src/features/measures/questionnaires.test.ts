import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ASCOT_DOMAINS,
  DEMO_WORDING,
  EQ5D_DIMENSIONS,
  INSTRUMENTS,
  SWEMWBS_ITEMS,
  parseQuestionnaireWording,
  parseQuestionnaireWordingJson,
  type QuestionnaireWording,
} from './questionnaires.ts';

const root = new URL('../../../', import.meta.url);
const demoFile = readFileSync(new URL('config/questionnaires/demo-wording.json', root), 'utf8');

const copy = (): QuestionnaireWording => structuredClone(DEMO_WORDING);

test('instrument ids are those the outcome_measures table allows', () => {
  const sql = readFileSync(
    new URL('migrations/0004_create_plans_reviews_and_measures.sql', root),
    'utf8',
  );
  const list = /instrument text NOT NULL CHECK \(instrument IN \(([^)]*)\)\)/.exec(sql)?.[1];
  assert.ok(list, 'the instrument check in migration 0004');
  assert.deepEqual(
    [...list.matchAll(/'([a-z0-9_]+)'/g)].map((m) => m[1]),
    [...INSTRUMENTS],
  );
});

test('item ids: 7 SWEMWBS items (WEMWBS 1, 2, 3, 6, 7, 9, 11), 5 EQ-5D dimensions, 8 ASCOT domains', () => {
  assert.deepEqual(
    SWEMWBS_ITEMS.map((i) => Number(i.replace('wemwbs', ''))),
    [1, 2, 3, 6, 7, 9, 11],
  );
  assert.deepEqual([...EQ5D_DIMENSIONS], ['MO', 'SC', 'UA', 'PD', 'AD']);
  assert.equal(new Set(ASCOT_DOMAINS).size, 8);
});

test('the demo wording file is valid and the same as DEMO_WORDING', () => {
  const r = parseQuestionnaireWordingJson(demoFile);
  assert.ok(r.ok, r.ok ? '' : r.messages.join('; '));
  assert.deepEqual(r.wording, DEMO_WORDING);
});

test('the demo wording says on its face that it is placeholder text', () => {
  assert.equal(DEMO_WORDING.placeholder, true);
  const questions = [
    ...Object.values(DEMO_WORDING.swemwbs.items),
    ...Object.values(DEMO_WORDING.eq5d5l.dimensions).map((d) => d.question),
    DEMO_WORDING.eq5d5l.vas.question,
    ...Object.values(DEMO_WORDING.ascot_sct4.domains).map((d) => d.question),
  ];
  assert.equal(questions.length, 7 + 5 + 1 + 8);
  for (const q of questions) {
    assert.match(q, /^Placeholder /);
    assert.match(q, /\(licensed wording not included\)$/);
  }
  for (const instrument of [DEMO_WORDING.swemwbs, DEMO_WORDING.eq5d5l, DEMO_WORDING.ascot_sct4]) {
    assert.match(instrument.title, /placeholder wording/);
    assert.match(instrument.copyright, /wording is not included/);
  }
});

test('wording files must cover every item, and only known items', () => {
  const missing = copy() as { swemwbs: { items: Partial<Record<string, string>> } };
  delete missing.swemwbs.items.wemwbs9;
  const r1 = parseQuestionnaireWording(missing);
  assert.equal(r1.ok, false);
  assert.ok(!r1.ok && r1.messages.some((m) => m.startsWith('swemwbs.items.wemwbs9:')));

  const extra = copy() as unknown as { ascot_sct4: { domains: Record<string, unknown> } };
  extra.ascot_sct4.domains.cleanliness = extra.ascot_sct4.domains.dignity;
  const r2 = parseQuestionnaireWording(extra);
  assert.equal(r2.ok, false);
  assert.ok(!r2.ok && r2.messages.some((m) => m.startsWith('ascot_sct4.domains:')));

  const empty = copy();
  (empty.eq5d5l.dimensions.MO.levels as Record<string, string>)['3'] = '   ';
  const r3 = parseQuestionnaireWording(empty);
  assert.ok(!r3.ok && r3.messages.some((m) => m.startsWith('eq5d5l.dimensions.MO.levels.3:')));

  const noLevel = copy();
  delete (noLevel.ascot_sct4.domains.dignity.levels as Partial<Record<string, string>>).highNeeds;
  assert.equal(parseQuestionnaireWording(noLevel).ok, false);
});

test('a wording file that is not JSON is refused, never thrown', () => {
  for (const text of ['', '{', 'null', '[]', '{"placeholder": true}']) {
    const r = parseQuestionnaireWordingJson(text);
    assert.equal(r.ok, false, text);
  }
});
