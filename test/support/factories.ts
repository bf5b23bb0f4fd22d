// Small factories for test data, written with the system connection.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/platform/db/database.ts';
import { hashPassword } from '../../src/platform/auth/passwords.ts';
import {
  DEMO_RAS,
  rasVersionSchema,
  type RasVersionInput,
} from '../../src/features/allocation/index.ts';
import type { Role } from '../../src/platform/auth/roles.ts';

export const TEST_PASSWORD = 'correct-horse-battery-staple';
let cachedHash: Promise<string> | undefined;
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));
const uniq = () => randomBytes(4).toString('hex');

export interface TestPartnership {
  id: string;
  code: string;
  councilId: string;
  icbId: string;
  trustId: string;
  teamId: string;
  otherTeamId: string;
}

export async function createPartnership(
  db: Db,
  name = 'Test Partnership',
): Promise<TestPartnership> {
  const code = `p-${uniq()}`;
  const p = await db.system
    .insertInto('partnerships')
    .values({ code, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  const org = async (kind: 'council' | 'icb' | 'nhs_trust', n: string) =>
    (
      await db.system
        .insertInto('organisations')
        .values({ partnership_id: p.id, kind, name: `${n} ${code}`, ods_code: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const councilId = await org('council', 'Council');
  const icbId = await org('icb', 'ICB');
  const trustId = await org('nhs_trust', 'Trust');
  const team = async (n: string) =>
    (
      await db.system
        .insertInto('teams')
        .values({ partnership_id: p.id, organisation_id: trustId, name: `${n} ${code}` })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  return {
    id: p.id,
    code,
    councilId,
    icbId,
    trustId,
    teamId: await team('Team A'),
    otherTeamId: await team('Team B'),
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export async function createUser(
  db: Db,
  partnership: TestPartnership,
  roles: Role[],
  options: {
    teamId?: string | null;
    organisationId?: string;
    mustChangePassword?: boolean;
    name?: string;
  } = {},
): Promise<TestUser> {
  const email = `${roles[0] ?? 'user'}-${uniq()}@test.pooled.test`;
  const u = await db.system
    .insertInto('users')
    .values({
      partnership_id: partnership.id,
      organisation_id: options.organisationId ?? partnership.trustId,
      email,
      full_name: options.name ?? `Test ${roles.join(' ')}`,
      password_hash: await passwordHash(),
      must_change_password: options.mustChangePassword ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const role of roles)
    await db.system
      .insertInto('role_grants')
      .values({ partnership_id: partnership.id, user_id: u.id, role })
      .execute();
  const teamId = options.teamId === undefined ? partnership.teamId : options.teamId;
  if (teamId)
    await db.system
      .insertInto('team_members')
      .values({ partnership_id: partnership.id, team_id: teamId, user_id: u.id })
      .execute();
  return { id: u.id, email, password: TEST_PASSWORD };
}

export async function createPerson(
  db: Db,
  partnership: TestPartnership,
  values: Partial<{
    givenName: string;
    familyName: string;
    dateOfBirth: string;
    nhsNumber: string | null;
    coordinatorId: string | null;
    teamId: string | null;
    leadOrganisationId: string;
  }> = {},
): Promise<{ id: string }> {
  return db.system
    .insertInto('people')
    .values({
      partnership_id: partnership.id,
      given_name: values.givenName ?? 'Alex',
      family_name: values.familyName ?? `Testperson${uniq()}`,
      date_of_birth: values.dateOfBirth ?? '1985-06-15',
      nhs_number: values.nhsNumber ?? null,
      care_coordinator_id: values.coordinatorId ?? null,
      team_id: values.teamId === undefined ? partnership.teamId : values.teamId,
      lead_organisation_id: values.leadOrganisationId ?? partnership.trustId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * Publishes a RAS version for a partnership (the demo RAS unless another is given), effective
 * from its own date. Returns the database id.
 */
export async function publishRas(
  db: Db,
  partnershipId: string,
  version: RasVersionInput = DEMO_RAS,
): Promise<string> {
  const ras = rasVersionSchema.parse(version);
  const row = await db.system
    .insertInto('ras_versions')
    .values({
      partnership_id: partnershipId,
      code: ras.id,
      name: ras.name,
      effective_from: ras.effectiveFrom,
      definition: JSON.stringify(ras),
      status: 'published',
      published_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
