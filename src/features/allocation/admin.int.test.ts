// Administrators' RAS pages over a real HTTP server and database: who may reach them, making a
// draft (audited), each bad-input refusal with the answers kept, the impact preview against
// stored allocations, publishing, the refusal to change a used version (page and database
// trigger), and partnership isolation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';
import {
  createPartnership,
  createPerson,
  createUser,
  publishRas,
  type TestPartnership,
  type TestUser,
} from '../../../test/support/factories.ts';
import { createCompletedAssessment } from '../../../test/support/assessments.ts';
import { inPartnership } from '../../platform/db/database.ts';
import { parseCivilDate, todayInLondon } from '../../platform/dates.ts';
import { Conflict } from '../../platform/http/errors.ts';
import { DEMO_RAS } from './demo-ras.ts';
import { versionValues } from './ras-form.ts';
import { rasVersionSchema, type RasVersion } from './rules.ts';
import { RAS_IN_USE_MESSAGE, updateDraftRasVersion } from './store.ts';

const demo = rasVersionSchema.parse(DEMO_RAS);
const today = todayInLondon(new Date());

let t: TestApp;
let p: TestPartnership;
let q: TestPartnership;
let admin: TestUser;
let c: TestClient;
let demoId: string;
let otherPartnershipVersionId: string;

before(async () => {
  t = await startTestApp();
  p = await createPartnership(t.db, 'Partnership A');
  q = await createPartnership(t.db, 'Partnership B');
  admin = await createUser(t.db, p, ['partnership_admin'], { name: 'Ada Admin' });
  demoId = await publishRas(t.db, p.id);
  otherPartnershipVersionId = await publishRas(t.db, q.id, { ...DEMO_RAS, id: 'q-only-v1' });
  c = new TestClient(t.url);
  await c.signIn(admin.email, admin.password);
});
after(() => t.close());

/** The demo RAS with points and price changed, for a draft. */
function variant(id: string, change: Partial<RasVersion> = {}): RasVersion {
  return { ...demo, id, name: `Draft ${id}`, effectiveFrom: today, ...change };
}

/** The answer that scores nothing for a question of the demo RAS. */
const noNeed = (questionId: string) =>
  demo.questions.find((qn) => qn.id === questionId)?.answers.find((a) => a.points === 0)?.id ?? '';

/** Form fields for a version, as the page would post them. */
const fields = (v: RasVersion) => versionValues(v);

const versionRow = (code: string, partnershipId = p.id) =>
  t.db.system
    .selectFrom('ras_versions')
    .selectAll()
    .where('code', '=', code)
    .where('partnership_id', '=', partnershipId)
    .executeTakeFirst();

const auditFor = (recordId: string) =>
  t.db.system
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'user_id', 'detail'])
    .where('record_id', '=', recordId)
    .orderBy('id')
    .execute();

async function createDraft(v: RasVersion): Promise<string> {
  await c.get('/admin/ras/new');
  const r = await c.post('/admin/ras/new', fields(v));
  assert.equal(r.status, 303, r.text.slice(0, 2000));
  const row = await versionRow(v.id);
  assert.ok(row);
  assert.equal(r.location, `/admin/ras/${row.id}`);
  return row.id;
}

/** The text of the error summary (empty when there is none). */
const errorSummary = (html: string) =>
  (/class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

/** The number in the cell next to a row heading of the "Everyone compared" table. */
function figure(html: string, heading: string): string {
  const m = new RegExp(`>${heading}</th><td[^>]*>([^<]*)</td>`).exec(html);
  assert.ok(m, `no row "${heading}"`);
  return (m[1] ?? '').trim();
}

/** A group row (team or support reason) of an impact table as its cells' text. */
function groupRow(html: string, name: string): string[] {
  const m = new RegExp(
    `<th scope="row" class="nhsuk-table__header">${name}</th>([\\s\\S]*?)</tr>`,
  ).exec(html);
  assert.ok(m, `no row for ${name}`);
  return [...(m[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((x) =>
    (x[1] ?? '').replace(/<[^>]+>/g, '').trim(),
  );
}

test('only partnership administrators reach the RAS pages', async () => {
  const coordinator = await createUser(t.db, p, ['care_coordinator', 'team_manager']);
  const other = new TestClient(t.url);
  await other.signIn(coordinator.email, coordinator.password);
  for (const path of [
    '/admin/ras',
    '/admin/ras/new',
    `/admin/ras/${demoId}`,
    `/admin/ras/${demoId}/edit`,
    `/admin/ras/${demoId}/publish`,
  ])
    assert.equal((await other.get(path)).status, 403, path);
  const posted = await other.post('/admin/ras/new', fields(variant('not-allowed')));
  assert.equal(posted.status, 403);
  assert.equal((await other.post(`/admin/ras/${demoId}/publish`, {})).status, 403);
  assert.equal(await versionRow('not-allowed'), undefined, 'a refused post writes nothing');

  const anonymous = new TestClient(t.url);
  const r = await anonymous.get('/admin/ras');
  assert.ok([302, 303].includes(r.status), String(r.status));
  assert.match(r.location ?? '', /sign-in/);
});

test('the dashboard links to the RAS, which lists versions and the current one', async () => {
  assert.match((await c.get('/admin')).text, /href="\/admin\/ras">Resource allocation \(RAS\)</);
  const r = await c.get('/admin/ras');
  assert.equal(r.status, 200);
  assert.match(
    r.text,
    /The version in use today is <a href="\/admin\/ras\/[^"]+">Adult mental health RAS \(demo\)/,
  );
  assert.match(r.text, /demo-adult-mental-health-v1/);
  assert.match(r.text, /In use now/);
  assert.match(r.text, /href="\/admin\/ras\/new"/);
  assert.ok(!r.text.includes('q-only-v1'), 'another partnership’s versions are not listed');
});

test('a new draft starts as a copy of the current version with a new id, and is audited', async () => {
  const form = await c.get('/admin/ras/new');
  assert.equal(form.status, 200);
  assert.match(form.text, /copy of Adult mental health RAS \(demo\)/);
  assert.match(form.text, /name="code"[^>]*value="demo-adult-mental-health-v2"/);
  assert.match(form.text, /personal-care \| Looking after yourself/);
  assert.match(form.text, /name="pricePerPoint"[^>]*value="350.00"/);

  const v = variant('adult-mh-2027', {
    name: 'Adult mental health RAS 2027',
    pricing: { kind: 'pricePerPoint', pencePerPoint: 37_500 },
  });
  const id = await createDraft(v);
  const row = await versionRow(v.id);
  assert.equal(row?.status, 'draft');
  assert.equal(row?.created_by, admin.id);
  assert.deepEqual(rasVersionSchema.parse(row?.definition), v);
  const events = await auditFor(id);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.action, 'create');
  assert.equal(events[0]?.record_type, 'ras_version');
  assert.equal(events[0]?.user_id, admin.id);
  assert.equal((events[0]?.detail as { code?: string }).code, 'adult-mh-2027');

  const page = await c.get(`/admin/ras/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /has been saved as a draft/);
  assert.match(page.text, /£375.00 a year for each point/);
  assert.match(page.text, /Council social care/);
  assert.match(page.text, /Managing your medication/);
});

test('bad input is refused with the rules’ messages, and everything typed is kept', async () => {
  const name = 'Refused version';
  const questions = versionValues(demo).questions ?? '';
  const cases: { what: string; values: Record<string, string>; message: RegExp; field: string }[] =
    [
      {
        what: 'overlapping bands',
        values: {
          pricingKind: 'bands',
          'band-0-from': '0',
          'band-0-to': '40',
          'band-0-amount': '2000',
          'band-1-from': '30',
          'band-1-to': '',
          'band-1-amount': '9000',
        },
        message: /Band 2 overlaps the band before it: it must start at 41 points/,
        field: 'band-1-from',
      },
      {
        what: 'a negative price',
        values: { pricePerPoint: '-12.50' },
        message: /The price per point must not be negative/,
        field: 'pricePerPoint',
      },
      {
        what: 'shares that do not add up to 100%',
        values: { 'stream-0-share': '70', 'stream-1-share': '40' },
        message: /The funding stream shares must add up to exactly 100%, but they add up to 110%/,
        field: 'fundingStreams',
      },
      {
        what: 'a duplicate id',
        values: { code: 'demo-adult-mental-health-v1' },
        message:
          /There is already a RAS version with the id &quot;demo-adult-mental-health-v1&quot;/,
        field: 'code',
      },
      {
        what: 'a question line without points',
        values: { questions: `${questions}\nextra | An extra question\n- one | Only answer` },
        message: /Questions, line \d+: an answer needs its id, its text and its points/,
        field: 'questions',
      },
    ];
  for (const k of cases) {
    await c.get('/admin/ras/new');
    const before = await t.db.system.selectFrom('ras_versions').select('id').execute();
    const r = await c.post('/admin/ras/new', {
      ...fields(variant('refused-version', { name })),
      ...k.values,
    });
    assert.equal(r.status, 400, k.what);
    assert.match(errorSummary(r.text), k.message, k.what);
    assert.match(
      r.text,
      new RegExp(`href="#${k.field}"`),
      `${k.what}: the summary links to the field`,
    );
    assert.match(r.text, /Error: Make a new RAS version/, k.what);
    assert.match(r.text, new RegExp(`name="name"[^>]*value="${name}"`), `${k.what}: name kept`);
    for (const [field, value] of Object.entries(k.values)) {
      if (field === 'questions' || field === 'pricingKind' || value === '') continue;
      assert.match(
        r.text,
        new RegExp(`name="${field}"[^>]*value="${value}"`),
        `${k.what}: ${field} kept`,
      );
    }
    assert.ok(r.text.includes('Managing your medication'), `${k.what}: questions kept`);
    const after = await t.db.system.selectFrom('ras_versions').select('id').execute();
    assert.equal(after.length, before.length, `${k.what}: nothing stored`);
  }
});

test('"Add more rows" redraws the form with more empty rows and nothing saved', async () => {
  await c.get('/admin/ras/new');
  const r = await c.post('/admin/ras/new', {
    ...fields(variant('more-rows', { name: 'Typed so far' })),
    action: 'more-rows',
  });
  assert.equal(r.status, 200);
  assert.match(r.text, /name="stream-6-name"/);
  assert.match(r.text, /value="Typed so far"/);
  assert.equal(await versionRow('more-rows'), undefined);
});

test('the impact preview counts who goes up, down or stays the same, by team and reason', async () => {
  const answersWith = (chosen: Record<string, string>) =>
    Object.fromEntries(demo.questions.map((qn) => [qn.id, chosen[qn.id] ?? noNeed(qn.id)]));
  const people: { team: string; reason: string; answers: Record<string, string> }[] = [
    // £350 a point, £1,000 minimum: 8 points = £2,800; 0 = £1,000; 5 = £1,750; 10 = £3,500.
    { team: p.teamId, reason: 'Mental Health Support', answers: { medication: 'all' } },
    { team: p.teamId, reason: 'Mental Health Support', answers: {} },
    { team: p.teamId, reason: 'Mental Health Support', answers: { 'personal-care': 'lots' } },
    {
      team: p.otherTeamId,
      reason: 'Support with Memory & Cognition',
      answers: { 'personal-care': 'all', medication: 'some' },
    },
  ];
  for (const person of people) {
    const { id } = await createPerson(t.db, p, { teamId: person.team });
    await t.db.system
      .updateTable('people')
      .set({ primary_support_reason: person.reason })
      .where('id', '=', id)
      .execute();
    await createCompletedAssessment(t.db, {
      partnershipId: p.id,
      personId: id,
      rasVersionId: demoId,
      rasAnswers: answersWith(person.answers),
    });
  }
  // £400 a point, and the medication question no longer scores.
  const draft = variant('preview-draft', {
    pricing: { kind: 'pricePerPoint', pencePerPoint: 40_000 },
    questions: demo.questions.map((qn) =>
      qn.id === 'medication'
        ? { ...qn, answers: qn.answers.map((a) => ({ ...a, points: 0 })) }
        : qn,
    ),
  });
  const id = await createDraft(draft);
  const r = await c.get(`/admin/ras/${id}`);
  assert.equal(r.status, 200);
  assert.match(r.text, /Impact on current budgets/);
  assert.match(r.text, /Everyone compared \(4 people\)/);
  // Now £2,800 + £1,000 + £1,750 + £3,500; then £1,000 (minimum) + £1,000 + £2,000 + £3,200.
  assert.equal(figure(r.text, 'Go up'), '1');
  assert.equal(figure(r.text, 'Go down'), '2');
  assert.equal(figure(r.text, 'Stay the same'), '1');
  assert.equal(figure(r.text, 'Total a year now'), '£9,050.00');
  assert.equal(figure(r.text, 'Total a year with this version'), '£7,200.00');
  assert.equal(figure(r.text, 'Change in total'), '-£1,850.00');
  assert.equal(figure(r.text, 'Average change a person'), '-£462.50');
  assert.deepEqual(groupRow(r.text, `Team A ${p.code}`), [
    '3',
    '1',
    '1',
    '1',
    '£5,550.00',
    '£4,000.00',
    '-£1,550.00',
    '-£516.67',
  ]);
  assert.deepEqual(groupRow(r.text, `Team B ${p.code}`), [
    '1',
    '0',
    '1',
    '0',
    '£3,500.00',
    '£3,200.00',
    '-£300.00',
    '-£300.00',
  ]);
  assert.deepEqual(groupRow(r.text, 'Support with Memory &amp; Cognition'), [
    '1',
    '0',
    '1',
    '0',
    '£3,500.00',
    '£3,200.00',
    '-£300.00',
    '-£300.00',
  ]);
  assert.deepEqual(groupRow(r.text, 'Mental Health Support').slice(0, 4), ['3', '1', '1', '1']);
  const events = await auditFor(id);
  assert.ok(
    events.some(
      (e) => e.action === 'read' && (e.detail as { impactPreview?: boolean }).impactPreview,
    ),
    'viewing the preview is audited',
  );

  // A version with a question nobody has answered cannot work out their budgets.
  const extra = variant('preview-extra-question', {
    questions: [
      ...demo.questions,
      { id: 'new-question', text: 'A new question', answers: [{ id: 'a', text: 'A', points: 1 }] },
    ],
  });
  const extraPage = await c.get(`/admin/ras/${await createDraft(extra)}`);
  assert.match(extraPage.text, /Some budgets could not be calculated/);
  assert.match(
    extraPage.text,
    /4 people&#39;s budgets could not be worked out|4 people's budgets could not be worked out/,
  );
  assert.match(extraPage.text, /Answer the question &quot;A new question&quot;/);
});

test('a draft can be changed (audited); then published after a confirmation page', async () => {
  const v = variant('publish-today');
  const id = await createDraft(v);
  const edit = await c.get(`/admin/ras/${id}/edit`);
  assert.equal(edit.status, 200);
  assert.match(edit.text, /name="code"[^>]*value="publish-today"/);
  const changed = await c.post(`/admin/ras/${id}/edit`, {
    ...fields(v),
    name: 'Published today',
  });
  assert.equal(changed.status, 303);
  assert.equal((await versionRow('publish-today'))?.name, 'Published today');

  const bad = await c.post(`/admin/ras/${id}/edit`, { ...fields(v), 'stream-0-share': '10' });
  assert.equal(bad.status, 400);
  assert.match(errorSummary(bad.text), /must add up to exactly 100%/);
  assert.equal((await versionRow('publish-today'))?.name, 'Published today', 'unchanged');

  const confirm = await c.get(`/admin/ras/${id}/publish`);
  assert.equal(confirm.status, 200);
  assert.match(
    confirm.text,
    /it will be used straight away, instead of Adult mental health RAS \(demo\)/,
  );
  const published = await c.post(`/admin/ras/${id}/publish`, {});
  assert.equal(published.status, 303);
  assert.equal(published.location, `/admin/ras/${id}`);
  const row = await versionRow('publish-today');
  assert.equal(row?.status, 'published');
  assert.equal(row?.published_by, admin.id);
  const events = await auditFor(id);
  assert.deepEqual(
    events.map((e) => e.action),
    ['create', 'update', 'update'],
  );
  assert.equal((events[2]?.detail as { published?: boolean }).published, true);

  const list = await c.get('/admin/ras');
  assert.match(
    list.text,
    /The version in use today is <a href="\/admin\/ras\/[^"]+">Published today/,
  );
  assert.equal((await c.post(`/admin/ras/${id}/publish`, {})).status, 409, 'not twice');

  // A version effective later is published now but becomes current only on its date.
  const later = variant('publish-later', { effectiveFrom: parseCivilDate('2099-01-01') });
  const laterId = await createDraft(later);
  assert.match((await c.get(`/admin/ras/${laterId}/publish`)).text, /on or after 1 January 2099/);
  assert.equal((await c.post(`/admin/ras/${laterId}/publish`, {})).status, 303);
  assert.equal((await versionRow('publish-later'))?.status, 'published');
  assert.match(
    (await c.get('/admin/ras')).text,
    /The version in use today is <a href="\/admin\/ras\/[^"]+">Published today/,
  );
});

test('a published or used version cannot be changed: the page refuses and so does the database', async () => {
  // The demo version is published and used by the preview test's assessments.
  const refusedPage = await c.get(`/admin/ras/${demoId}/edit`);
  assert.equal(refusedPage.status, 409);
  assert.ok(refusedPage.text.includes(RAS_IN_USE_MESSAGE));
  assert.match(refusedPage.text, new RegExp(`href="/admin/ras/new\\?from=${demoId}"`));
  const posted = await c.post(`/admin/ras/${demoId}/edit`, {
    ...fields(demo),
    name: 'Sneaky change',
  });
  assert.equal(posted.status, 409);
  assert.equal((await versionRow(demo.id))?.name, demo.name);

  // A draft that an assessment uses is fixed too.
  const usedDraft = variant('used-draft');
  const usedId = await createDraft(usedDraft);
  const person = await createPerson(t.db, p);
  await createCompletedAssessment(t.db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId: usedId,
    rasAnswers: Object.fromEntries(demo.questions.map((qn) => [qn.id, noNeed(qn.id)])),
  });
  assert.equal((await c.get(`/admin/ras/${usedId}/edit`)).status, 409);

  // The database trigger refuses a direct change of a used version's definition…
  await assert.rejects(
    t.db.system
      .updateTable('ras_versions')
      .set({ definition: JSON.stringify({ ...usedDraft, name: 'Changed behind the app' }) })
      .where('id', '=', usedId)
      .execute(),
    /cannot be changed: make a new version/,
  );
  await assert.rejects(
    t.db.system.deleteFrom('ras_versions').where('id', '=', demoId).execute(),
    /cannot be deleted: make a new version/,
  );
  // …and the store turns that refusal into a clear conflict.
  await assert.rejects(
    inPartnership(t.db, p.id, (tx) =>
      updateDraftRasVersion(tx, usedId, { ...usedDraft, name: 'x' }),
    ),
    (e: unknown) => e instanceof Conflict && e.message === RAS_IN_USE_MESSAGE,
  );
  assert.equal((await versionRow('used-draft'))?.name, usedDraft.name);
});

test('another partnership’s version, or an id that is not one, is not found', async () => {
  for (const path of [
    `/admin/ras/${otherPartnershipVersionId}`,
    `/admin/ras/${otherPartnershipVersionId}/edit`,
    `/admin/ras/${otherPartnershipVersionId}/publish`,
    '/admin/ras/not-a-uuid',
    '/admin/ras/00000000-0000-4000-8000-000000000000',
  ])
    assert.equal((await c.get(path)).status, 404, path);
  await c.get('/admin/ras');
  assert.equal((await c.post(`/admin/ras/${otherPartnershipVersionId}/publish`, {})).status, 404);
  assert.equal(
    (await c.post(`/admin/ras/${otherPartnershipVersionId}/edit`, fields(variant('q-only-v1'))))
      .status,
    404,
  );
  // Starting a copy from another partnership's version starts from this partnership's own.
  const copy = await c.get(`/admin/ras/new?from=${otherPartnershipVersionId}`);
  assert.equal(copy.status, 200);
  assert.ok(!copy.text.includes('q-only-v1'));
  assert.equal((await versionRow('q-only-v1', q.id))?.status, 'published');
});
