// SQL for administration. Every function takes the caller's transaction, opened with
// inPartnership, so row-level security keeps each administrator inside their partnership.
import type { Tx } from '../../platform/db/database.js';
import { RoleSchema, type OrganisationKind, type Role } from '../../platform/auth/roles.js';

export interface OrganisationRow {
  id: string;
  name: string;
  kind: OrganisationKind;
  odsCode: string | null;
}

export interface TeamRow {
  id: string;
  name: string;
  organisationId: string;
  organisationName: string;
  memberCount: number;
}

export interface UserRow {
  id: string;
  fullName: string;
  email: string;
  organisationId: string | null;
  organisationName: string | null;
  teamIds: string[];
  teamNames: string[];
  roles: Role[];
  mustChangePassword: boolean;
  lockedUntil: Date | null;
  disabledAt: Date | null;
  failedSignIns: number;
  lastSignInAt: Date | null;
}

const toRoles = (values: string[]): Role[] =>
  values.flatMap((v) => {
    const r = RoleSchema.safeParse(v);
    return r.success ? [r.data] : [];
  });

export async function listOrganisations(tx: Tx): Promise<OrganisationRow[]> {
  const rows = await tx
    .selectFrom('organisations')
    .select(['id', 'name', 'kind', 'ods_code'])
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, odsCode: r.ods_code }));
}

export async function listTeams(tx: Tx): Promise<TeamRow[]> {
  const rows = await tx
    .selectFrom('teams as t')
    .innerJoin('organisations as o', 'o.id', 't.organisation_id')
    .leftJoin('team_members as m', 'm.team_id', 't.id')
    .select((eb) => [
      't.id',
      't.name',
      't.organisation_id',
      'o.name as organisation_name',
      eb.fn.count<string>('m.user_id').as('members'),
    ])
    .groupBy(['t.id', 't.name', 't.organisation_id', 'o.name'])
    .orderBy('t.name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    memberCount: Number(r.members),
  }));
}

export async function listUsers(tx: Tx, onlyId?: string): Promise<UserRow[]> {
  let q = tx
    .selectFrom('users as u')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.full_name',
      'u.email',
      'u.organisation_id',
      'o.name as organisation_name',
      'u.must_change_password',
      'u.locked_until',
      'u.disabled_at',
      'u.failed_sign_ins',
      'u.last_sign_in_at',
    ])
    .orderBy('u.full_name')
    .orderBy('u.email');
  if (onlyId) q = q.where('u.id', '=', onlyId);
  const users = await q.execute();
  if (users.length === 0) return [];
  const ids = users.map((u) => u.id);
  const [memberships, grants] = await Promise.all([
    tx
      .selectFrom('team_members as m')
      .innerJoin('teams as t', 't.id', 'm.team_id')
      .select(['m.user_id', 't.id', 't.name'])
      .where('m.user_id', 'in', ids)
      .orderBy('t.name')
      .execute(),
    tx
      .selectFrom('role_grants')
      .select(['user_id', 'role'])
      .where('user_id', 'in', ids)
      .where('revoked_at', 'is', null)
      .execute(),
  ]);
  return users.map((u) => {
    const mine = memberships.filter((m) => m.user_id === u.id);
    return {
      id: u.id,
      fullName: u.full_name,
      email: u.email,
      organisationId: u.organisation_id,
      organisationName: u.organisation_name,
      teamIds: mine.map((m) => m.id),
      teamNames: mine.map((m) => m.name),
      roles: toRoles(grants.filter((g) => g.user_id === u.id).map((g) => g.role)),
      mustChangePassword: u.must_change_password,
      lockedUntil: u.locked_until,
      disabledAt: u.disabled_at,
      failedSignIns: u.failed_sign_ins,
      lastSignInAt: u.last_sign_in_at,
    };
  });
}

export async function findUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  return (await listUsers(tx, id))[0];
}

export async function insertUser(
  tx: Tx,
  partnershipId: string,
  values: { fullName: string; email: string; organisationId: string | null; passwordHash: string },
): Promise<string> {
  const row = await tx
    .insertInto('users')
    .values({
      partnership_id: partnershipId,
      full_name: values.fullName,
      email: values.email,
      organisation_id: values.organisationId,
      password_hash: values.passwordHash,
      must_change_password: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUserDetails(
  tx: Tx,
  id: string,
  values: { fullName: string; organisationId: string | null },
): Promise<void> {
  await tx
    .updateTable('users')
    .set({ full_name: values.fullName, organisation_id: values.organisationId })
    .where('id', '=', id)
    .execute();
}

export async function grantRole(
  tx: Tx,
  partnershipId: string,
  userId: string,
  role: Role,
  grantedBy: string,
): Promise<string> {
  const row = await tx
    .insertInto('role_grants')
    .values({ partnership_id: partnershipId, user_id: userId, role, granted_by: grantedBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Grants are never deleted: revoking stamps who and when. */
export async function revokeRole(
  tx: Tx,
  userId: string,
  role: Role,
  revokedBy: string,
  at: Date,
): Promise<string | undefined> {
  const row = await tx
    .updateTable('role_grants')
    .set({ revoked_at: at, revoked_by: revokedBy })
    .where('user_id', '=', userId)
    .where('role', '=', role)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function addTeamMember(
  tx: Tx,
  partnershipId: string,
  teamId: string,
  userId: string,
): Promise<void> {
  await tx
    .insertInto('team_members')
    .values({ partnership_id: partnershipId, team_id: teamId, user_id: userId })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .execute();
}

export async function removeTeamMember(tx: Tx, teamId: string, userId: string): Promise<boolean> {
  const r = await tx
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function setTemporaryPassword(tx: Tx, id: string, hash: string): Promise<void> {
  await tx
    .updateTable('users')
    .set({
      password_hash: hash,
      must_change_password: true,
      failed_sign_ins: 0,
      locked_until: null,
    })
    .where('id', '=', id)
    .execute();
}

export async function unlockUser(tx: Tx, id: string): Promise<void> {
  await tx
    .updateTable('users')
    .set({ failed_sign_ins: 0, locked_until: null })
    .where('id', '=', id)
    .execute();
}

export async function setDisabled(tx: Tx, id: string, at: Date | null): Promise<void> {
  await tx.updateTable('users').set({ disabled_at: at }).where('id', '=', id).execute();
}

export async function insertTeam(
  tx: Tx,
  partnershipId: string,
  values: { name: string; organisationId: string },
): Promise<string> {
  const row = await tx
    .insertInto('teams')
    .values({
      partnership_id: partnershipId,
      name: values.name,
      organisation_id: values.organisationId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findTeam(
  tx: Tx,
  id: string,
): Promise<
  { team: TeamRow; members: { id: string; fullName: string; email: string }[] } | undefined
> {
  const team = (await listTeams(tx)).find((t) => t.id === id);
  if (!team) return undefined;
  const members = await tx
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.full_name', 'u.email'])
    .where('m.team_id', '=', id)
    .orderBy('u.full_name')
    .execute();
  return {
    team,
    members: members.map((m) => ({ id: m.id, fullName: m.full_name, email: m.email })),
  };
}

export async function insertOrganisation(
  tx: Tx,
  partnershipId: string,
  values: { name: string; kind: OrganisationKind; odsCode: string | null },
): Promise<string> {
  const row = await tx
    .insertInto('organisations')
    .values({
      partnership_id: partnershipId,
      name: values.name,
      kind: values.kind,
      ods_code: values.odsCode,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ApiClientRow {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiClients(tx: Tx): Promise<ApiClientRow[]> {
  const rows = await tx
    .selectFrom('api_clients as c')
    .leftJoin('users as u', 'u.id', 'c.created_by')
    .select([
      'c.id',
      'c.name',
      'c.token_prefix',
      'c.permissions',
      'c.created_at',
      'u.full_name as created_by',
      'c.last_used_at',
      'c.revoked_at',
    ])
    .orderBy('c.revoked_at', (ob) => ob.desc().nullsFirst())
    .orderBy('c.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.token_prefix,
    permissions: r.permissions,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

export async function insertApiClient(
  tx: Tx,
  partnershipId: string,
  values: { name: string; prefix: string; hash: string; permissions: string[]; createdBy: string },
): Promise<string> {
  const row = await tx
    .insertInto('api_clients')
    .values({
      partnership_id: partnershipId,
      name: values.name,
      token_prefix: values.prefix,
      token_hash: values.hash,
      permissions: values.permissions,
      created_by: values.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function revokeApiClient(tx: Tx, id: string, at: Date): Promise<boolean> {
  const row = await tx
    .updateTable('api_clients')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** True when err is PostgreSQL's unique violation on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  return (
    e.constraint === constraint || (typeof e.message === 'string' && e.message.includes(constraint))
  );
}
