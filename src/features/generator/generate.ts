// pooled generate: a large synthetic partnership, loaded with COPY in one transaction.
// Deterministic from the seed (names, NHS numbers, ids); fictional throughout.
import type { Db, RawClient } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import { MEASURE_COLUMNS, measureRows } from './measures.js';
import { loadMoney, type MoneyCounts } from './money.js';
import { isLatest, PLAN_COLUMNS, planRows, REVIEW_COLUMNS } from './plans.js';
import { DEMO_RAS, rasVersionSchema, type RasVersion } from '../allocation/index.js';
import { S117_SECTIONS } from '../people/schema.js';
import {
  ALLOCATION_COLUMNS,
  ASSESSMENT_COLUMNS,
  DECISION_COLUMNS,
  assessmentRows,
} from './assessments.js';
import {
  HOW_GIVEN,
  SCOPES,
  csvLine,
  familyName,
  generatePerson,
  givenName,
  hash32,
  makeIdFactory,
  makeRandom,
  plan,
  planAssessments,
  type GeneratedPerson,
} from './rules.js';

export interface GenerateOptions {
  people: number;
  seed: string | number;
  partnershipCode?: string | undefined;
  /** The share of people with a completed assessment and allocation, 0 to 1 (default 1). */
  assessed?: number;
  /** The share of those assessed who were reassessed once since, 0 to 1 (default 0.05). */
  reassessed?: number;
  /** Rows a chunk handed to COPY. */
  chunkRows?: number;
  /** Budgets, schedules, the ledger and card transactions (default true). */
  money?: boolean;
  /** People a chunk when loading budgets and the ledger (one COPY a table a chunk). */
  moneyChunkPeople?: number;
}

export interface TableTiming {
  table: string;
  rows: number;
  seconds: number;
}

export interface GenerateResult {
  partnershipId: string;
  partnershipCode: string;
  people: number;
  /** Completed assessments, each with an eligibility decision and an allocation. */
  assessments: number;
  /** The published RAS version (the demo RAS) the allocations were calculated with. */
  rasVersionId: string;
  /** What was made for budgets and the ledger (null when left out). */
  money: MoneyCounts | null;
  /** The day the generated world stands on. */
  asOf: CivilDate;
  rows: number;
  seconds: number;
  tables: TableTiming[];
}

export class GenerateError extends Error {}

export function seedNumber(seed: string | number): number {
  if (typeof seed === 'number') return seed >>> 0;
  return /^\d+$/.test(seed) ? Number(seed) >>> 0 : hash32(seed);
}

export const PEOPLE_COLUMNS = [
  'id',
  'partnership_id',
  'external_id',
  'council_person_id',
  'nhs_number',
  'given_name',
  'family_name',
  'date_of_birth',
  'address_line1',
  'town',
  'postcode',
  'phone',
  'email',
  'communication_needs',
  'primary_support_reason',
  's117_section',
  's117_discharge_date',
  'care_coordinator_id',
  'team_id',
  'lead_organisation_id',
] as const;

interface Shape {
  partnershipId: string;
  id: ReturnType<typeof makeIdFactory>;
  seed: number;
  people: number;
  teams: number;
  coordinators: number;
  orgs: { council: string; icb: string; trust: string };
  chunkRows: number;
}

function shapeFor(options: GenerateOptions, code: string): Shape {
  const seed = seedNumber(options.seed);
  const id = makeIdFactory(code, seed);
  const { teams, coordinators } = plan(options.people);
  return {
    partnershipId: id('partnership', 0),
    id,
    seed,
    people: options.people,
    teams,
    coordinators,
    orgs: {
      council: id('organisation', 0),
      icb: id('organisation', 1),
      trust: id('organisation', 2),
    },
    chunkRows: options.chunkRows ?? 2000,
  };
}

/** Finance officers made after the coordinators and managers: one prepares, one approves. */
export const FINANCE_OFFICERS = 2;

const teamOrganisation = (s: Shape, team: number) =>
  team % 3 === 2 ? s.orgs.council : s.orgs.trust;
const coordinatorTeam = (s: Shape, coordinator: number) => coordinator % s.teams;

/** Yields CSV text in chunks of about chunkRows lines. */
async function* chunked(
  count: number,
  chunkRows: number,
  line: (i: number) => string | null,
): AsyncGenerator<string> {
  let parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const l = line(i);
    if (l !== null) parts.push(l);
    if (parts.length >= chunkRows) {
      yield parts.join('');
      parts = [];
      // Let the event loop send what we have to the server while we make more.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (parts.length) yield parts.join('');
}

/** Compact per-person facts kept after the people COPY for the care team and consents. */
interface Memo {
  coordinator: Int32Array;
  scope: Int8Array;
  howGiven: Int8Array;
  givenOn: string[];
  /** Index in S117_SECTIONS of the section a person was detained under, or -1. */
  detained: Int8Array;
  /** Full names, for ledger account names and payees. */
  name: string[];
}

export function personRow(s: Shape, p: GeneratedPerson): string {
  const team = coordinatorTeam(s, p.coordinatorIndex);
  return csvLine([
    s.id('person', p.index),
    s.partnershipId,
    p.externalId,
    p.councilPersonId,
    p.nhsNumber,
    p.givenName,
    p.familyName,
    p.dateOfBirth,
    p.addressLine1,
    p.town,
    p.postcode,
    p.phone,
    p.email,
    p.communicationNeeds,
    p.primarySupportReason,
    p.s117Section,
    p.s117DischargeDate,
    s.id('user', p.coordinatorIndex),
    s.id('team', team),
    teamOrganisation(s, team),
  ]);
}

/**
 * The people rows as CSV chunks, exactly as `generate` loads them. Exported so the benchmark
 * can COPY the same stream into a bare table. memo (optional) collects what later tables need.
 */
export function peopleCsv(
  options: GenerateOptions,
  code: string,
  memo?: Memo,
): AsyncGenerator<string> {
  const s = shapeFor(options, code);
  const rand = makeRandom(s.seed);
  return chunked(s.people, s.chunkRows, (i) => {
    const p = generatePerson(rand, i, s.coordinators);
    if (memo) {
      memo.coordinator[i] = p.coordinatorIndex;
      memo.scope[i] = p.consent ? SCOPES.indexOf(p.consent.scope) : -1;
      memo.howGiven[i] = p.consent ? HOW_GIVEN.indexOf(p.consent.howGiven) : -1;
      if (p.consent) memo.givenOn[i] = p.consent.givenOn;
      memo.name[i] = `${p.givenName} ${p.familyName}`;
      memo.detained[i] =
        p.s117Section === null ? -1 : (S117_SECTIONS as readonly string[]).indexOf(p.s117Section);
    }
    return personRow(s, p);
  });
}

async function timed(
  tables: TableTiming[],
  table: string,
  rows: number,
  work: () => Promise<void>,
): Promise<void> {
  const start = performance.now();
  await work();
  tables.push({ table, rows, seconds: (performance.now() - start) / 1000 });
}

async function loadStaff(c: RawClient, s: Shape, code: string, tables: TableTiming[]) {
  const staffRand = makeRandom(hash32(`${String(s.seed)}:staff`));
  await timed(tables, 'teams', s.teams, () =>
    c.copyIn(
      'teams',
      ['id', 'partnership_id', 'organisation_id', 'name'],
      chunked(s.teams, s.chunkRows, (t) =>
        csvLine([
          s.id('team', t),
          s.partnershipId,
          teamOrganisation(s, t),
          `Community Mental Health Team ${String(t + 1)}`,
        ]),
      ),
    ),
  );
  // Users: coordinators first (0 .. coordinators-1), then one team manager a team, then the
  // finance officers (who prepare and approve payment runs; in no team).
  const users = s.coordinators + s.teams + FINANCE_OFFICERS;
  const isFinance = (u: number) => u >= s.coordinators + s.teams;
  const isManager = (u: number) => u >= s.coordinators && !isFinance(u);
  const teamOf = (u: number) => (isManager(u) ? u - s.coordinators : coordinatorTeam(s, u));
  const kindOf = (u: number) =>
    isFinance(u) ? 'finance' : isManager(u) ? 'manager' : 'coordinator';
  await timed(tables, 'users', users, () =>
    c.copyIn(
      'users',
      ['id', 'partnership_id', 'organisation_id', 'email', 'full_name', 'must_change_password'],
      chunked(users, s.chunkRows, (u) =>
        csvLine([
          s.id('user', u),
          s.partnershipId,
          isFinance(u) ? s.orgs.council : teamOrganisation(s, teamOf(u)),
          `${kindOf(u)}${String(u + 1)}@${code}.generated.pooled.test`,
          `${givenName(staffRand)} ${familyName(staffRand)}`,
          'true',
        ]),
      ),
    ),
  );
  await timed(tables, 'role_grants', users, () =>
    c.copyIn(
      'role_grants',
      ['partnership_id', 'user_id', 'role'],
      chunked(users, s.chunkRows, (u) =>
        csvLine([
          s.partnershipId,
          s.id('user', u),
          isFinance(u) ? 'finance_officer' : isManager(u) ? 'team_manager' : 'care_coordinator',
        ]),
      ),
    ),
  );
  await timed(tables, 'team_members', users - FINANCE_OFFICERS, () =>
    c.copyIn(
      'team_members',
      ['partnership_id', 'team_id', 'user_id'],
      chunked(users, s.chunkRows, (u) =>
        isFinance(u) ? null : csvLine([s.partnershipId, s.id('team', teamOf(u)), s.id('user', u)]),
      ),
    ),
  );
  return users;
}

async function loadPeople(
  c: RawClient,
  s: Shape,
  options: GenerateOptions,
  code: string,
  tables: TableTiming[],
) {
  const memo: Memo = {
    coordinator: new Int32Array(s.people),
    scope: new Int8Array(s.people),
    howGiven: new Int8Array(s.people),
    givenOn: new Array<string>(s.people),
    detained: new Int8Array(s.people),
    name: new Array<string>(s.people),
  };
  await timed(tables, 'people', s.people, () =>
    c.copyIn('people', PEOPLE_COLUMNS, peopleCsv(options, code, memo)),
  );
  await timed(tables, 'care_team_members', s.people, () =>
    c.copyIn(
      'care_team_members',
      ['partnership_id', 'person_id', 'user_id', 'role_on_team'],
      chunked(s.people, s.chunkRows, (i) =>
        csvLine([
          s.partnershipId,
          s.id('person', i),
          s.id('user', memo.coordinator[i] ?? 0),
          'care_coordinator',
        ]),
      ),
    ),
  );
  let consents = 0;
  for (const x of memo.scope) if (x >= 0) consents++;
  await timed(tables, 'consents', consents, () =>
    c.copyIn(
      'consents',
      ['id', 'partnership_id', 'person_id', 'scope', 'given_on', 'how_given', 'recorded_by'],
      chunked(s.people, s.chunkRows, (i) => {
        const scope = memo.scope[i] ?? -1;
        if (scope < 0) return null;
        return csvLine([
          s.id('consent', i),
          s.partnershipId,
          s.id('person', i),
          SCOPES[scope] ?? 'full_record',
          memo.givenOn[i] ?? null,
          HOW_GIVEN[memo.howGiven[i] ?? 0] ?? 'written',
          s.id('user', memo.coordinator[i] ?? 0),
        ]);
      }),
    ),
  );
  return memo;
}

/** The demo RAS, published for the partnership; its database id. */
async function publishDemoRas(c: RawClient, s: Shape): Promise<{ id: string; ras: RasVersion }> {
  const ras = rasVersionSchema.parse(DEMO_RAS);
  const id = s.id('rasVersion', 0);
  const at = `${ras.effectiveFrom}T00:00:00Z`;
  await c.query(
    `insert into ras_versions (id, partnership_id, code, name, effective_from, definition, status,
       created_at, updated_at, published_at)
     values ($1, $2, $3, $4, $5, $6, 'published', $7, $7, $7)`,
    [id, s.partnershipId, ras.id, ras.name, ras.effectiveFrom, JSON.stringify(ras), at],
  );
  return { id, ras };
}

/** The generated world's day: the RAS's effective date plus this many days (2026-11-23). */
export const AS_OF_DAYS = 236;

async function loadAssessments(
  c: RawClient,
  s: Shape,
  options: GenerateOptions,
  memo: Memo,
  tables: TableTiming[],
): Promise<{ count: number; rasVersionId: string; money: MoneyCounts | null }> {
  const { id: rasVersionId, ras } = await publishDemoRas(c, s);
  const assessmentPlan = planAssessments(
    s.seed,
    s.people,
    ras.questions.map((q) => q.answers.length),
    { assessed: options.assessed ?? 1, reassessed: options.reassessed ?? 0.05 },
  );
  const rows = assessmentRows({
    partnershipId: s.partnershipId,
    rasVersionId,
    ras,
    plan: assessmentPlan,
    id: (kind, r) => s.id(kind, r),
    personId: (i) => s.id('person', i),
    coordinatorId: (i) => s.id('user', memo.coordinator[i] ?? 0),
    sectionDetained: (i) => S117_SECTIONS[memo.detained[i] ?? -1] ?? null,
  });
  const n = assessmentPlan.count;
  await timed(tables, 'assessments', n, () =>
    c.copyIn('assessments', ASSESSMENT_COLUMNS, chunked(n, s.chunkRows, rows.assessment)),
  );
  await timed(tables, 'eligibility_decisions', n, () =>
    c.copyIn('eligibility_decisions', DECISION_COLUMNS, chunked(n, s.chunkRows, rows.decision)),
  );
  await timed(tables, 'allocations', n, () =>
    c.copyIn('allocations', ALLOCATION_COLUMNS, chunked(n, s.chunkRows, rows.allocation)),
  );
  // Support plans and reviews for each person's latest assessment (issue 4).
  const planId = (r: number, version: number) => s.id('plan', r * 2 + version - 1);
  const asOf = new Date(Date.parse(`${ras.effectiveFrom}T00:00:00Z`) + AS_OF_DAYS * 86_400_000);
  const plans = planRows({
    partnershipId: s.partnershipId,
    count: n,
    personOfRow: (r) => assessmentPlan.person[r] ?? 0,
    budget: rows.budget,
    completedDay: rows.completedDay,
    personId: (i) => s.id('person', i),
    coordinatorId: (i) => s.id('user', memo.coordinator[i] ?? 0),
    allocationId: (r) => s.id('allocation', r),
    planId,
    reviewId: (r, k) => s.id('review', r * 2 + k),
    asOf,
  });
  const rowsOf = { count: n, personOfRow: (x: number) => assessmentPlan.person[x] ?? 0 };
  let planCount = 0;
  for (let r = 0; r < n; r++) if (isLatest(rowsOf, r)) planCount += 1;
  await timed(tables, 'support_plans', planCount, async () => {
    await c.copyIn('support_plans', PLAN_COLUMNS, chunked(n, s.chunkRows, plans.plan));
    await c.copyIn('support_plans', PLAN_COLUMNS, chunked(n, s.chunkRows, plans.waitingPlan));
  });
  await timed(tables, 'reviews', planCount, () =>
    c.copyIn('reviews', REVIEW_COLUMNS, chunked(n, s.chunkRows, plans.reviews)),
  );
  // Outcome measures: five at each plan's approval, five more at its first review if done.
  const measures = measureRows({
    partnershipId: s.partnershipId,
    seed: s.seed,
    personId: (r) => s.id('person', assessmentPlan.person[r] ?? 0),
    coordinatorId: (r) => s.id('user', memo.coordinator[assessmentPlan.person[r] ?? 0] ?? 0),
    planId: (r) => planId(r, 1),
    approvedDay: plans.approvedOn,
    reviewDone: plans.firstReviewDone,
    measureId: (r, k) => s.id('measure', r * 10 + k),
  });
  let measureCount = 0;
  for (let r = 0; r < n; r++)
    if (isLatest(rowsOf, r)) measureCount += plans.firstReviewDone(r) ? 10 : 5;
  await timed(tables, 'outcome_measures', measureCount, () =>
    c.copyIn(
      'outcome_measures',
      MEASURE_COLUMNS,
      chunked(n, Math.max(1, Math.floor(s.chunkRows / 5)), measures.measures),
    ),
  );
  if (options.money !== false) {
    // Budgets, schedules, payment runs, the ledger and card transactions (issue 5).
    const iso = (d: Date | null) => (d ?? asOf).toISOString().slice(0, 10) as CivilDate;
    const byTable = new Map<string, TableTiming>();
    const money = await loadMoney(
      c,
      {
        partnershipId: s.partnershipId,
        seed: s.seed,
        asOf: iso(asOf),
        count: n,
        isLatest: (r) => isLatest(rowsOf, r),
        personOfRow: rowsOf.personOfRow,
        personId: (i) => s.id('person', i),
        personName: (i) => memo.name[i] ?? '',
        coordinatorId: (i) => s.id('user', memo.coordinator[i] ?? 0),
        planId: (r) => planId(r, 1),
        document: plans.document,
        approvedOn: (r) => iso(plans.approvedOn(r)),
        id: s.id,
        financeUsers: [
          s.id('user', s.coordinators + s.teams),
          s.id('user', s.coordinators + s.teams + 1),
        ],
        chunkPeople: options.moneyChunkPeople ?? 2000,
      },
      (table, rows, seconds) => {
        const t = byTable.get(table) ?? { table, rows: 0, seconds: 0 };
        t.rows += rows;
        t.seconds += seconds;
        byTable.set(table, t);
      },
    );
    tables.push(...byTable.values());
    return { count: n, rasVersionId, money };
  }
  return { count: n, rasVersionId, money: null };
}

/** The generated world's day (the demo RAS's effective date plus AS_OF_DAYS). */
export function generatedAsOf(): CivilDate {
  const from = Date.parse(`${rasVersionSchema.parse(DEMO_RAS).effectiveFrom}T00:00:00Z`);
  return new Date(from + AS_OF_DAYS * 86_400_000).toISOString().slice(0, 10) as CivilDate;
}

const LOADED_TABLES = [
  'teams',
  'users',
  'role_grants',
  'team_members',
  'people',
  'care_team_members',
  'consents',
  'ras_versions',
  'assessments',
  'eligibility_decisions',
  'allocations',
  'support_plans',
  'reviews',
  'outcome_measures',
  'financial_assessments',
  'budgets',
  'payment_schedule_lines',
  'payment_runs',
  'payment_run_lines',
  'commitments',
  'ledger_accounts',
  'ledger_transactions',
  'ledger_entries',
  'statement_imports',
  'card_transactions',
  'statement_import_batches',
];

/** Create the synthetic partnership. Throws GenerateError if the code is taken. */
export async function generatePartnership(
  db: Db,
  options: GenerateOptions,
): Promise<GenerateResult> {
  if (!Number.isSafeInteger(options.people) || options.people < 1 || options.people >= 10_000_000)
    throw new GenerateError('Say how many people to make: a whole number from 1 to 9,999,999');
  for (const [name, share] of [
    ['assessed', options.assessed],
    ['reassessed', options.reassessed],
  ] as const)
    if (share !== undefined && !(share >= 0 && share <= 1))
      throw new GenerateError(`The ${name} share must be from 0 to 100%`);
  const code = options.partnershipCode ?? `synthetic-${String(seedNumber(options.seed))}`;
  const s = shapeFor(options, code);
  const start = performance.now();
  const tables: TableTiming[] = [];
  let assessments: { count: number; rasVersionId: string; money: MoneyCounts | null } = {
    count: 0,
    rasVersionId: '',
    money: null,
  };
  await db.withClient(async (c) => {
    const taken = await c.query('select 1 from partnerships where code = $1 or id = $2', [
      code,
      s.partnershipId,
    ]);
    if (taken.length)
      throw new GenerateError(
        `There is already a partnership with code "${code}". Choose another with --partnership.`,
      );
    await c.exec('begin');
    try {
      await c.query('insert into partnerships (id, code, name) values ($1, $2, $3)', [
        s.partnershipId,
        code,
        `Synthetic partnership (seed ${String(s.seed)}, ${String(s.people)} people)`,
      ]);
      await c.query(
        `insert into organisations (id, partnership_id, kind, name) values
           ($1, $4, 'council', 'Synthetic Council'),
           ($2, $4, 'icb', 'Synthetic Integrated Care Board'),
           ($3, $4, 'nhs_trust', 'Synthetic Mental Health NHS Trust')`,
        [s.orgs.council, s.orgs.icb, s.orgs.trust, s.partnershipId],
      );
      await loadStaff(c, s, code, tables);
      const memo = await loadPeople(c, s, options, code, tables);
      assessments = await loadAssessments(c, s, options, memo, tables);
      await c.query(
        `insert into audit_events (partnership_id, actor, action, record_type, record_id, detail)
         values ($1::uuid, 'cli generate', 'create', 'partnership', $1::text, $2)`,
        [s.partnershipId, JSON.stringify({ seed: s.seed, people: s.people, tables })],
      );
      await c.exec('commit');
    } catch (error) {
      await c.exec('rollback');
      throw error;
    }
    // Fresh statistics, so that the first queries after a large load are planned for its size
    // rather than for the empty tables autovacuum last saw.
    await timed(tables, 'analyze', 0, () => c.exec(`analyze ${LOADED_TABLES.join(', ')}`));
  });
  const rows = tables.reduce((sum, t) => sum + t.rows, 0) + 5;
  return {
    partnershipId: s.partnershipId,
    partnershipCode: code,
    people: s.people,
    assessments: assessments.count,
    rasVersionId: assessments.rasVersionId,
    money: assessments.money,
    asOf: generatedAsOf(),
    rows,
    seconds: (performance.now() - start) / 1000,
    tables,
  };
}
