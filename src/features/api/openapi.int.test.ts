// The OpenAPI document: served, OpenAPI 3.1, and it lists exactly the routes the server has
// under /api/ (so a route added without the route table, or a documented route that is gone,
// fails here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { todayInLondon } from '../../platform/dates.ts';
import { API_PERMISSIONS } from '../../platform/auth/api-tokens.ts';
import { personInputSchema } from '../people/index.ts';
import { SECTIONS, sectionSchemas } from '../assessment/index.ts';
import { call } from './test-helpers.ts';

interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
}

let t: TestApp;
let doc: Doc;
let text = '';
before(async () => {
  t = await startTestApp();
  const res = await call(t.url, 'GET', '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  text = res.text;
  doc = JSON.parse(text) as Doc;
});
after(() => t.close());

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every method and path the running server has under /api/, read from Fastify's route tree. */
function registeredApiRoutes(): string[] {
  const tree = t.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│├└─]*)(\S+)(?: \(([^)]*)\))?\s*$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4 - 1; // '└── ' before the root, four more a level
    stack.length = depth;
    stack.push(m[2]!);
    const full = stack.join('');
    if (!full.startsWith('/api/')) continue;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()))
      if (METHODS.includes(method)) out.push(`${method} ${full}`);
  }
  return out.sort();
}

const documentedRoutes = () =>
  Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();

test('the document is OpenAPI 3.1.0 JSON, served without a token', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.title, 'Pooled API');
  assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
  assert.doesNotThrow(() => JSON.parse(text));
});

test('every route the server has under /api/ is in the document, and nothing else', () => {
  const registered = registeredApiRoutes();
  // The parse must see the routes we know of, or a change in Fastify's tree would pass vacuously.
  for (const known of [
    'GET /api/v1/people',
    'PATCH /api/v1/people/:id',
    'GET /api/v1/openapi.json',
    'POST /api/v1/people/:id/assessments',
    'PUT /api/v1/assessments/:id/sections/budget',
    'POST /api/v1/assessments/:id/eligibility/judgements',
    'GET /api/v1/allocations/:id',
    'PUT /api/v1/plans/:id',
    'POST /api/v1/plans/:id/submit',
    'GET /api/v1/people/:id/reviews',
    'GET /api/v1/people/:id/budgets',
    'GET /api/v1/people/:id/ledger',
    'GET /api/v1/payment-runs/:id/file',
  ])
    assert.ok(registered.includes(known), `${known} found in ${registered.join(', ')}`);
  assert.deepEqual(documentedRoutes(), registered);
  for (const route of documentedRoutes()) {
    const [method, url] = route.split(' ') as [string, string];
    assert.ok(t.app.hasRoute({ method, url }), route);
  }
});

test('each operation names its permission, its security and its problem responses', () => {
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method} ${path}`;
      assert.equal(typeof op.operationId, 'string', where);
      assert.ok(!ids.has(op.operationId as string), `operationId repeated: ${where}`);
      ids.add(op.operationId as string);
      const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
      assert.ok(responses['429']?.content?.['application/problem+json'], `429 for ${where}`);
      if (path.endsWith('/openapi.json')) {
        assert.deepEqual(op.security, [], 'the document itself is public');
        continue;
      }
      const permission = op['x-required-permission'] as string;
      assert.ok((API_PERMISSIONS as readonly string[]).includes(permission), where);
      const scopes = (op.security as { bearerToken?: string[] }[])[0]?.bearerToken ?? [];
      assert.equal(scopes[0], permission, where);
      const access = method === 'get' ? 'read' : 'write';
      // People's details need people:*; assessments, decisions and budgets need assessments:*
      // as well, because they are part of a person's record.
      // Support plans, reviews and outcome measures need plans:* with people:*, for the same
      // reason.
      const aboutPeopleOnly = /^\/api\/v1\/people(\/\{id\})?$/.test(path);
      const aboutPlans =
        /^\/api\/v1\/(plans\/|reviews\/|people\/\{id\}\/(plans|reviews|measures)$)/.test(path);
      // A person's budgets, ledger and card transactions need budgets:read with people:read;
      // payment runs (for a finance system) need payments:read alone. Both are read only.
      const aboutMoney = /^\/api\/v1\/people\/\{id\}\/(budgets|ledger|transactions)$/.test(path);
      const aboutRuns = /^\/api\/v1\/payment-runs(\/|$)/.test(path);
      if (aboutMoney || aboutRuns) assert.equal(method, 'get', `${where}: money is read only`);
      const part = aboutPlans ? 'plans' : aboutMoney ? 'budgets' : 'assessments';
      assert.deepEqual(
        scopes,
        aboutRuns
          ? ['payments:read']
          : aboutPeopleOnly
            ? [`people:${access}`]
            : [`${part}:${access}`, `people:${access}`],
        where,
      );
      for (const scope of scopes)
        assert.match(op.description as string, new RegExp(`\`${scope}\``), where);
      for (const status of ['401', '403'])
        assert.ok(responses[status]?.content?.['application/problem+json'], `${status}: ${where}`);
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const params = op.parameters as { name: string; in: string; required: boolean }[];
        assert.ok(
          params.some((p) => `{${p.name}}` === name && p.in === 'path' && p.required),
          `${name} declared in ${where}`,
        );
      }
    }
  assert.deepEqual(doc.components.securitySchemes.bearerToken, {
    ...doc.components.securitySchemes.bearerToken,
    type: 'http',
    scheme: 'bearer',
  });
});

test('every $ref points at a schema the document defines', () => {
  const refs = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 5);
  for (const ref of refs) {
    const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
    assert.ok(name && doc.components.schemas[name], ref);
  }
  for (const name of [
    'Person',
    'PersonInput',
    'PersonPatch',
    'PersonList',
    'PersonSummary',
    'Problem',
    'Assessment',
    'AssessmentList',
    'AssessmentAnswers',
    'AssessmentBudgetSection',
    'Eligibility',
    'EligibilityJudgementInput',
    'Allocation',
    'Plan',
    'PlanList',
    'PlanSaveInput',
    'ReviewList',
    'BudgetList',
    'LedgerPage',
    'CardTransactionPage',
    'PaymentRun',
  ])
    assert.ok(doc.components.schemas[name], name);
});

test('the payment file is documented as CSV, not JSON', () => {
  const ok = doc.paths['/api/v1/payment-runs/{id}/file']?.get?.responses as Record<
    string,
    { content?: Record<string, unknown> }
  >;
  assert.deepEqual(Object.keys(ok['200']?.content ?? {}), ['text/csv']);
  assert.ok(ok['409']?.content?.['application/problem+json']);
});

test('the request body schema is the people feature’s own input schema', () => {
  const input = doc.components.schemas.PersonInput!;
  const shape = personInputSchema(todayInLondon()).in.shape;
  assert.deepEqual(Object.keys(input.properties ?? {}).sort(), Object.keys(shape).sort());
  assert.deepEqual([...(input.required ?? [])].sort(), ['dateOfBirth', 'familyName', 'givenName']);
  const patch = doc.components.schemas.PersonPatch!;
  assert.deepEqual(Object.keys(patch.properties ?? {}), Object.keys(input.properties ?? {}));
  assert.equal(patch.required, undefined, 'a PATCH needs no field');
  const list = doc.paths['/api/v1/people']!.get!.parameters as { name: string; in: string }[];
  assert.deepEqual(
    list.map((p) => `${p.in}:${p.name}`).sort(),
    ['councilPersonId', 'dateOfBirth', 'limit', 'name', 'nhsNumber'].map((n) => `query:${n}`),
  );
});

test('each section body is the assessment’s own section schema, plus version', () => {
  for (const section of SECTIONS) {
    const name = `Assessment${section.id.charAt(0).toUpperCase()}${section.id.slice(1)}Section`;
    const body = doc.components.schemas[name];
    assert.ok(body, name);
    assert.deepEqual(
      Object.keys(body.properties ?? {}).sort(),
      [...Object.keys(sectionSchemas[section.id].shape), 'version'].sort(),
      name,
    );
    assert.ok(body.required?.includes('version'), `${name} needs version`);
    const put = doc.paths[`/api/v1/assessments/{id}/sections/${section.id}`]?.put;
    assert.deepEqual(
      (put?.requestBody as { content: Record<string, { schema: unknown }> }).content[
        'application/json'
      ]?.schema,
      { $ref: `#/components/schemas/${name}` },
    );
  }
});
