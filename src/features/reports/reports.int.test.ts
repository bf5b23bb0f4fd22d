// The commissioner's first page over a real HTTP server: counts, suppression, no names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';

let t: TestApp;
let a: TestPartnership;
let b: TestPartnership;
let commissioner: TestUser;
const names: string[] = [];
before(async () => {
  t = await startTestApp();
  a = await createPartnership(t.db, 'A');
  b = await createPartnership(t.db, 'B');
  commissioner = await createUser(t.db, a, ['commissioner'], { teamId: null });
  const recorder = await createUser(t.db, a, ['care_coordinator']);
  // 7 in team A with mental health support; 6 in team B with substance misuse support; 2 in
  // team B with learning disability support: 15 people.
  const groups: [number, string, string][] = [
    [7, 'Mental Health Support', a.teamId],
    [6, 'Social Support: Substance misuse support', a.otherTeamId],
    [2, 'Learning Disability Support', a.otherTeamId],
  ];
  let i = 0;
  for (const [n, reason, teamId] of groups)
    for (let k = 0; k < n; k++, i++) {
      const given = `Zebedee${String.fromCharCode(65 + i)}`;
      const family = `Quillfeather${String.fromCharCode(65 + i)}`;
      names.push(given, family);
      const p = await createPerson(t.db, a, {
        givenName: given,
        familyName: family,
        teamId,
        nhsNumber: null,
      });
      await t.db.system
        .updateTable('people')
        .set({ primary_support_reason: reason, s117_section: i < 3 ? '3' : null })
        .where('id', '=', p.id)
        .execute();
      if (i < 11)
        await t.db.system
          .insertInto('consents')
          .values({
            partnership_id: a.id,
            person_id: p.id,
            scope: 'full_record',
            given_on: '2025-01-01',
            how_given: 'written',
            recorded_by: recorder.id,
            // The eleventh has withdrawn: 10 have current consent.
            withdrawn_on: i === 10 ? '2025-06-01' : null,
          })
          .execute();
    }
  for (let k = 0; k < 20; k++) await createPerson(t.db, b, { familyName: 'Elsewhere' });
});
after(() => t.close());

const cell = (html: string, tableId: string, label: string): string | undefined => {
  const start = html.indexOf(`id="${tableId}"`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const re = new RegExp(`${label}\\s*</th>\\s*<td[^>]*>([^<]*)</td>`);
  return re.exec(table)?.[1]?.trim();
};

test('the summary shows counts, hides small numbers, and names nobody', async () => {
  const c = new TestClient(t.url);
  await c.signIn(commissioner.email, commissioner.password);
  assert.equal((await c.get('/')).location, '/reports');
  const r = await c.get('/reports');
  assert.equal(r.status, 200);
  assert.match(r.text, /Everyone: <strong>15<\/strong>/, 'partnership B is not counted');
  const expected: [string, string, string][] = [
    ['support-reason', 'Mental Health Support', '7'],
    ['support-reason', 'Learning Disability Support', 'fewer than 5'],
    ['support-reason', 'Social Support: Substance misuse support', 'not shown'],
    ['team', `Team A ${a.code}`, '7'],
    ['team', `Team B ${a.code}`, '8'],
    ['section-117', 'Entitled to section 117 after-care', 'fewer than 5'],
    ['section-117', 'Not recorded as entitled', 'not shown'],
    ['consent', 'Current consent recorded', '10'],
    ['consent', 'No current consent recorded', '5'],
  ];
  for (const [table, label, shown] of expected)
    assert.equal(cell(r.text, table, label), shown, `${table}: ${label}`);
  for (const name of [...names, 'Elsewhere']) assert.ok(!r.text.includes(name), name);
  assert.doesNotMatch(r.text, /\/people\/[0-9a-f-]{36}/, 'no links to people');

  const csv = await c.get('/reports/summary.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(
    csv.headers.get('content-disposition') ?? '',
    /attachment; filename="pooled-summary-/,
  );
  assert.ok(
    csv.text.includes(
      '"People by primary support reason","Learning Disability Support","fewer than 5"',
    ),
  );
  assert.ok(csv.text.includes('"All people","Everyone","15"'));
  for (const name of names) assert.ok(!csv.text.includes(name), name);

  const events = await t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'person_id'])
    .where('user_id', '=', commissioner.id)
    .where('record_type', '=', 'report')
    .orderBy('id')
    .execute();
  assert.deepEqual(
    events.map((e) => [e.action, e.person_id]),
    [
      ['read', null],
      ['export', null],
    ],
  );
});

test('reports are for commissioners, managers and administrators only', async () => {
  for (const [role, status] of [
    ['team_manager', 200],
    ['partnership_admin', 200],
    ['care_coordinator', 403],
    ['finance_officer', 403],
    ['broker', 403],
  ] as const) {
    const u = await createUser(t.db, a, [role]);
    const c = new TestClient(t.url);
    await c.signIn(u.email, u.password);
    assert.equal((await c.get('/reports')).status, status, role);
    assert.equal((await c.get('/reports/summary.csv')).status, status, `${role} csv`);
  }
  assert.equal((await new TestClient(t.url).get('/reports/summary.csv')).status, 303);
});
