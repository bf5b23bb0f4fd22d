// Bad input to the assessment endpoints never gives a 500: random section bodies, completion
// and judgement bodies, raw text and odd ids are answered with a 2xx or a problem+json 4xx, and
// a refused save leaves the draft's version where it was.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { createPartnership, createPerson, publishRas } from '../../../test/support/factories.ts';
import { DEMO_RAS, rasVersionSchema } from '../allocation/index.ts';
import { SECTIONS } from '../assessment/index.ts';
import { CARE_ACT_OUTCOMES } from '../assessment/eligibility.ts';
import { WELLBEING_AREAS } from '../assessment/answers.ts';
import { call, createApiClient, type ApiResponse, type TestApiClient } from './test-helpers.ts';
import { problemSchema } from './schemas.ts';
import { assessmentSchema, eligibilitySchema } from './assessments-schemas.ts';

const ras = rasVersionSchema.parse(DEMO_RAS);

let t: TestApp;
let client: TestApiClient;
let draftId = '';
let completedId = '';

before(async () => {
  t = await startTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
  const p = await createPartnership(t.db);
  await publishRas(t.db, p.id);
  client = await createApiClient(t.db, p.id, [
    'people:read',
    'people:write',
    'assessments:read',
    'assessments:write',
  ]);
  const start = async () => {
    const person = await createPerson(t.db, p);
    const res = await call(t.url, 'POST', `/api/v1/people/${person.id}/assessments`, {
      token: client.token,
    });
    assert.equal(res.status, 201, res.text);
    return assessmentSchema.parse(res.body).id;
  };
  draftId = await start();
  completedId = await start();
  await t.db.system
    .updateTable('assessments')
    .set({ status: 'completed', completed_at: new Date() })
    .where('id', '=', completedId)
    .execute();
});
after(() => t.close());

function assertAnswered(res: ApiResponse, allowed: number[], parse?: (body: unknown) => unknown) {
  assert.ok(allowed.includes(res.status), `${String(res.status)}: ${res.text}`);
  if (res.status >= 400) {
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(problemSchema.parse(res.body).status, res.status);
  } else if (parse) {
    parse(res.body);
  }
}

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', 'person', 'worker', 'significant', 'none', 'yes', '3', 'eligible'),
  fc.integer({ min: -2, max: 40 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom('needs_assistance', 'x', ''), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

const FIELDS = [
  'respondent',
  'items',
  'needsFromImpairmentOrIllness',
  'notes',
  'areas',
  'significantImpact',
  'detained',
  'detentionSection',
  'discharged',
  'continuingHealthcare',
  'otherHealthNeeds',
  'goals',
  'hasUnpaidCarer',
  'carerName',
  'carerAssessment',
  'answers',
  'version',
] as const;

/** Outcomes, wellbeing areas and budget answers keyed as the schemas expect, with odd values. */
const structured = fc.record({
  items: fc.dictionary(
    fc.constantFrom(...CARE_ACT_OUTCOMES.map((o) => o.id), 'flying'),
    fc.record({ achievable: anyValue, reasons: anyValue, notes: anyValue }, { requiredKeys: [] }),
    { maxKeys: 3 },
  ),
  areas: fc.dictionary(
    fc.constantFrom(...WELLBEING_AREAS.map((a) => a.id), 'luck'),
    fc.constantFrom('none', 'some', 'significant', 'huge', ''),
    { maxKeys: 3 },
  ),
  answers: fc.dictionary(
    fc.constantFrom(...ras.questions.map((q) => q.id), 'nope'),
    fc.constantFrom('none', 'some', 'lots', 'all', 'never'),
    { maxKeys: 4 },
  ),
  version: fc.integer({ min: 1, max: 40 }),
});

const body = fc
  .tuple(
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), anyValue, { maxKeys: 6 }),
    structured,
    fc.subarray(['items', 'areas', 'answers', 'version'] as const),
  )
  .map(([loose, s, keep]) => ({
    ...loose,
    ...Object.fromEntries(keep.map((k) => [k, s[k]])),
  }));

/** A valid body for each section (before version), for the random changes to start from. */
const VALID: Record<string, Record<string, unknown>> = {
  outcomes: { respondent: 'person', items: {} },
  impairment: { needsFromImpairmentOrIllness: true, notes: '' },
  wellbeing: { areas: { health: 'some' }, notes: '' },
  nhs: { detained: false, otherHealthNeeds: '' },
  recovery: {
    whatIsWorking: '',
    strengths: '',
    familyAndCommunitySupport: '',
    goals: 'A job',
    carerName: '',
  },
  budget: { answers: { [ras.questions[0]?.id ?? '']: 'some' } },
};

const currentVersion = async (id: string) =>
  assessmentSchema.parse(
    (await call(t.url, 'GET', `/api/v1/assessments/${id}`, { token: client.token })).body,
  ).version;

test('random section bodies: 200, or a 400 or 409 problem; a refused save changes nothing', async () => {
  const before = await currentVersion(draftId);
  let saved = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SECTIONS.map((s) => s.id)),
      fc.oneof(
        body.map((b) => ({ kind: 'random' as const, body: b })),
        fc
          .dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 2 })
          .map((changes) => ({ kind: 'changed' as const, changes })),
      ),
      fc.boolean(),
      async (section, random, useCurrent) => {
        // Either a random body, or a valid one with up to two fields changed at random.
        const json: Record<string, unknown> =
          random.kind === 'changed' ? { ...VALID[section], ...random.changes } : { ...random.body };
        if (useCurrent) json.version = await currentVersion(draftId);
        const path = `/api/v1/assessments/${draftId}/sections/${section}`;
        const res = await call(t.url, 'PUT', path, { token: client.token, json });
        assertAnswered(res, [200, 400, 409], (b) => assessmentSchema.parse(b));
        if (res.status === 200) saved++;
      },
    ),
    { numRuns: 150 },
  );
  assert.equal(await currentVersion(draftId), before + saved, 'only accepted saves count');
  assert.ok(saved > 0, 'some random changes are valid and saved');
});

test('random completion and judgement bodies: a 4xx problem, never a 500', async () => {
  await fc.assert(
    fc.asyncProperty(
      body,
      fc.constantFrom(
        `/api/v1/assessments/${draftId}/complete`,
        `/api/v1/assessments/${completedId}/complete`,
        `/api/v1/assessments/${draftId}/eligibility/judgements`,
        `/api/v1/assessments/${completedId}/eligibility/judgements`,
      ),
      fc.record(
        {
          careActEligible: fc.oneof(fc.boolean(), anyValue),
          reason: fc.oneof(fc.string({ minLength: 8, maxLength: 20 }), anyValue),
        },
        { requiredKeys: [] },
      ),
      async (json, path, judgement) => {
        const res = await call(t.url, 'POST', path, {
          token: client.token,
          json: path.endsWith('judgements') ? { ...json, ...judgement } : json,
        });
        assertAnswered(res, [200, 201, 400, 409], (b) =>
          path.endsWith('judgements') ? eligibilitySchema.parse(b) : assessmentSchema.parse(b),
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('random text sent as JSON, and odd ids: 4xx problems', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (raw) => {
      const res = await call(t.url, 'PUT', `/api/v1/assessments/${draftId}/sections/recovery`, {
        token: client.token,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      assertAnswered(res, [200, 400, 409]);
    }),
    { numRuns: 40 },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.string({ minLength: 1 }), fc.uuid()),
      fc.constantFrom('assessments', 'allocations', 'eligibility', 'people'),
      async (raw, kind) => {
        const id = encodeURIComponent(raw);
        const path =
          kind === 'eligibility'
            ? `/api/v1/assessments/${id}/eligibility`
            : kind === 'people'
              ? `/api/v1/people/${id}/assessments`
              : `/api/v1/${kind}/${id}`;
        const res = await call(t.url, 'GET', path, { token: client.token });
        assertAnswered(res, [200, 400, 404]);
      },
    ),
    { numRuns: 60 },
  );
});
