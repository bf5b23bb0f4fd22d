// Demo data: one fictional partnership with its council, ICB and mental health trust, a user
// for every role, and fictional people. Everything here is invented.
import { DEMO_RAS, rasVersionSchema } from '../allocation/index.js';
import { sql, type Generated } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { hashPassword } from '../../platform/auth/passwords.js';
import type { Role } from '../../platform/auth/roles.js';
import { seedDemoPeople } from './people.js';
import { seedDemoAssessments } from './assessments.js';
import { seedDemoPlans, type DemoActor } from './plans.js';
import { seedDemoMoney } from './money.js';
import { todayInLondon } from '../../platform/dates.js';

export const DEMO_PARTNERSHIP_CODE = 'demo';
export const DEMO_PASSWORD = 'pooled-demo-2026';
export const DEMO_PARTNERSHIP_NAME = 'Brackenshire Integrated Budgets Partnership';

export interface DemoUser {
  email: string;
  fullName: string;
  roles: Role[];
  organisation: 'council' | 'icb' | 'nhs_trust';
  team?: 'north' | 'south';
}

export const DEMO_USERS: DemoUser[] = [
  {
    email: 'coordinator@demo.pooled.test',
    fullName: 'Sam Okafor',
    roles: ['care_coordinator'],
    organisation: 'nhs_trust',
    team: 'north',
  },
  {
    email: 'coordinator2@demo.pooled.test',
    fullName: 'Priya Raman',
    roles: ['care_coordinator'],
    organisation: 'council',
    team: 'south',
  },
  {
    email: 'manager@demo.pooled.test',
    fullName: 'Morgan Ellis',
    roles: ['team_manager'],
    organisation: 'council',
    team: 'north',
  },
  {
    email: 'finance@demo.pooled.test',
    fullName: 'Chris Hale',
    roles: ['finance_officer'],
    organisation: 'council',
  },
  {
    email: 'finance2@demo.pooled.test',
    fullName: 'Dana Whitfield',
    roles: ['finance_officer'],
    organisation: 'icb',
  },
  {
    email: 'broker@demo.pooled.test',
    fullName: 'Jo Mensah',
    roles: ['broker'],
    organisation: 'council',
  },
  {
    email: 'commissioner@demo.pooled.test',
    fullName: 'Alex Byrne',
    roles: ['commissioner'],
    organisation: 'icb',
  },
  {
    email: 'curator@demo.pooled.test',
    fullName: 'Rowan Price',
    roles: ['practice_curator'],
    organisation: 'council',
  },
  {
    email: 'admin@demo.pooled.test',
    fullName: 'Taylor Quinn',
    roles: ['partnership_admin'],
    organisation: 'council',
  },
  {
    email: 'budgetholder@demo.pooled.test',
    fullName: 'Jamie Carter',
    roles: ['budget_holder'],
    organisation: 'council',
  },
  {
    email: 'representative@demo.pooled.test',
    fullName: 'Pat Carter',
    roles: ['representative'],
    organisation: 'council',
  },
];

/** The steps after the people (tests replace one to make it fail part-way). */
export interface DemoSteps {
  plans: typeof seedDemoPlans;
  money: typeof seedDemoMoney;
}

export interface SeedDemoOptions {
  now?: () => Date;
  steps?: Partial<DemoSteps>;
  /** Told when a half-made demo partnership is set aside (the command line prints it). */
  notice?: (message: string) => void;
}

/**
 * Creates the demo partnership unless it exists complete. Returns true when it created it. The
 * people, users and assessments are made in one transaction; the support plans, budgets,
 * payment runs and card statement then go through the real services (each its own
 * transaction), dated relative to `now` (the seed day) so the demo always looks current. Each
 * finished step is recorded in seed_runs ('demo-people', 'demo-plans', then 'demo' when all is
 * done). A demo partnership without 'demo' was left half made by a run that failed: it cannot
 * be deleted (the ledger and the audit trail are append-only), so it is set aside (see
 * setAsideDemo) and the demo is made again, whole.
 */
export async function seedDemo(db: Db, options: SeedDemoOptions = {}): Promise<boolean> {
  const existing = await db.system
    .selectFrom('partnerships')
    .select('id')
    .where('code', '=', DEMO_PARTNERSHIP_CODE)
    .executeTakeFirst();
  if (existing) {
    const done = await seedSteps(db, existing.id);
    if (done.includes(DEMO_SEED)) return false;
    const code = await setAsideDemo(db, existing.id);
    (options.notice ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      `The demo partnership was left half made by an earlier run (${
        done.includes('demo-plans')
          ? 'the payment runs and card statement'
          : done.includes('demo-people')
            ? 'the support plans and money'
            : 'its people'
      } did not finish). It is set aside as "${code}", its users can no longer sign in, and the demo is made again.`,
    );
  }
  const steps: DemoSteps = { plans: seedDemoPlans, money: seedDemoMoney, ...options.steps };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const made = await db.system.transaction().execute(async (tx) => {
    const partnership = await tx
      .insertInto('partnerships')
      .values({ code: DEMO_PARTNERSHIP_CODE, name: DEMO_PARTNERSHIP_NAME })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pid = partnership.id;
    const org = async (kind: 'council' | 'icb' | 'nhs_trust', name: string, ods: string | null) =>
      (
        await tx
          .insertInto('organisations')
          .values({ partnership_id: pid, kind, name, ods_code: ods })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const orgs = {
      council: await org('council', 'Brackenshire County Council', null),
      icb: await org('icb', 'NHS Brackenshire Integrated Care Board', 'QZZ'),
      nhs_trust: await org('nhs_trust', 'Brackenshire Mental Health NHS Foundation Trust', 'RZZ'),
    };
    const team = async (name: string) =>
      (
        await tx
          .insertInto('teams')
          .values({ partnership_id: pid, organisation_id: orgs.nhs_trust, name })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const teams = {
      north: await team('North Brackenshire Community Mental Health Team'),
      south: await team('South Brackenshire Community Mental Health Team'),
    };
    const userIds: Record<string, string> = {};
    const actors = new Map<string, DemoActor>();
    for (const u of DEMO_USERS) {
      const row = await tx
        .insertInto('users')
        .values({
          partnership_id: pid,
          organisation_id: orgs[u.organisation],
          email: u.email,
          full_name: u.fullName,
          password_hash: passwordHash,
          must_change_password: false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      userIds[u.email] = row.id;
      actors.set(u.email, {
        userId: row.id,
        email: u.email,
        fullName: u.fullName,
        roles: u.roles,
        teamIds: u.team ? [teams[u.team]] : [],
        organisationId: orgs[u.organisation],
        organisationKind: u.organisation,
      });
      for (const role of u.roles)
        await tx
          .insertInto('role_grants')
          .values({ partnership_id: pid, user_id: row.id, role })
          .execute();
      if (u.team)
        await tx
          .insertInto('team_members')
          .values({ partnership_id: pid, team_id: teams[u.team], user_id: row.id })
          .execute();
    }
    // The demo RAS, published, so assessments and the public calculator work from the start.
    const ras = rasVersionSchema.parse(DEMO_RAS);
    const rasRow = await tx
      .insertInto('ras_versions')
      .values({
        partnership_id: pid,
        code: ras.id,
        name: ras.name,
        effective_from: ras.effectiveFrom,
        definition: JSON.stringify(ras),
        status: 'published',
        published_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const people = await seedDemoPeople(tx, { partnershipId: pid, orgs, teams, userIds });
    await seedDemoAssessments(tx, { partnershipId: pid, rasVersionId: rasRow.id, ras }, people);
    await tx
      .withTables<SeedTables>()
      .insertInto('seed_runs')
      .values({ partnership_id: pid, seed: 'demo-people' })
      .execute();
    return { partnershipId: pid, actors, people };
  });
  const ctx = {
    ...made,
    partnershipName: DEMO_PARTNERSHIP_NAME,
    today: todayInLondon((options.now ?? (() => new Date()))()),
  };
  const plans = await steps.plans(db, ctx);
  await recordStep(db, made.partnershipId, 'demo-plans');
  await steps.money(db, ctx, plans);
  await recordStep(db, made.partnershipId, DEMO_SEED);
  return true;
}

const DEMO_SEED = 'demo';

// seed_runs (migration 0013), typed here: only the seed reads and writes it.
type SeedTables = {
  seed_runs: { partnership_id: string; seed: string; completed_at: Generated<Date> };
};

async function seedSteps(db: Db, partnershipId: string): Promise<string[]> {
  const rows = await db.system
    .withTables<SeedTables>()
    .selectFrom('seed_runs')
    .select('seed')
    .where('partnership_id', '=', partnershipId)
    .execute();
  return rows.map((r) => r.seed);
}

async function recordStep(db: Db, partnershipId: string, seed: string): Promise<void> {
  await db.system
    .withTables<SeedTables>()
    .insertInto('seed_runs')
    .values({ partnership_id: partnershipId, seed })
    .execute();
}

/**
 * Sets a half-made demo partnership aside, in one transaction: its code becomes
 * demo-incomplete-N, and its users are disabled, without a password, under an email address
 * of their own (name+incomplete-N@…) so the demo's addresses are free again. Nothing is
 * deleted. Returns the new code.
 */
export async function setAsideDemo(db: Db, partnershipId: string): Promise<string> {
  return db.system.transaction().execute(async (tx) => {
    const taken = await tx
      .selectFrom('partnerships')
      .select('code')
      .where('code', 'like', `${DEMO_PARTNERSHIP_CODE}-incomplete-%`)
      .execute();
    let n = taken.length + 1;
    while (taken.some((t) => t.code === `${DEMO_PARTNERSHIP_CODE}-incomplete-${String(n)}`)) n++;
    const code = `${DEMO_PARTNERSHIP_CODE}-incomplete-${String(n)}`;
    await tx
      .updateTable('partnerships')
      .set({ code, name: `${DEMO_PARTNERSHIP_NAME} (incomplete, set aside)` })
      .where('id', '=', partnershipId)
      .execute();
    await sql`
      update users
         set email = regexp_replace(email, '@', ${`+incomplete-${String(n)}@`}),
             password_hash = null, disabled_at = coalesce(disabled_at, now())
       where partnership_id = ${partnershipId}::uuid`.execute(tx);
    return code;
  });
}
