// SQL for the audit trail, break-glass oversight and access histories. Callers pass their
// inPartnership transaction; a team manager's view is narrowed to their teams here.
import type { Tx } from '../../platform/db/database.js';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { accessSentence, actorName, describeRole, type AccessEntry } from './rules.js';

/** Whose events a viewer may see: everything for administrators, their teams for managers. */
export interface Scope {
  all: boolean;
  teamIds: readonly string[];
}

export const scopeOf = (p: UserPrincipal): Scope => ({
  all: p.roles.has('partnership_admin'),
  teamIds: p.teamIds,
});

export interface AuditFilter {
  personId?: string | undefined;
  userId?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  recordType: string;
  recordId: string | null;
  personId: string | null;
  reason: string | null;
}

export async function listAuditEvents(
  tx: Tx,
  scope: Scope,
  filter: AuditFilter,
  page: number,
  pageSize: number,
): Promise<{ rows: AuditRow[]; hasNext: boolean }> {
  let q = tx
    .selectFrom('audit_events as e')
    .select([
      'e.id',
      'e.at',
      'e.actor',
      'e.action',
      'e.record_type',
      'e.record_id',
      'e.person_id',
      'e.reason',
    ]);
  if (!scope.all) {
    const teams = scope.teamIds.length
      ? [...scope.teamIds]
      : ['00000000-0000-0000-0000-000000000000'];
    q = q.where((eb) =>
      eb.or([
        eb(
          'e.user_id',
          'in',
          eb
            .selectFrom('team_members')
            .select('team_members.user_id')
            .where('team_members.team_id', 'in', teams),
        ),
        eb(
          'e.person_id',
          'in',
          eb.selectFrom('people').select('people.id').where('people.team_id', 'in', teams),
        ),
      ]),
    );
  }
  if (filter.personId) q = q.where('e.person_id', '=', filter.personId);
  if (filter.userId) q = q.where('e.user_id', '=', filter.userId);
  if (filter.action) q = q.where('e.action', '=', filter.action);
  if (filter.from) q = q.where('e.at', '>=', filter.from);
  if (filter.to) q = q.where('e.at', '<', filter.to);
  const rows = await q
    .orderBy('e.at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    hasNext: rows.length > pageSize,
    rows: rows.slice(0, pageSize).map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      recordType: r.record_type,
      recordId: r.record_id,
      personId: r.person_id,
      reason: r.reason,
    })),
  };
}

export async function listUserChoices(
  tx: Tx,
): Promise<{ id: string; fullName: string; email: string }[]> {
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'full_name', 'email'])
    .orderBy('full_name')
    .execute();
  return rows.map((r) => ({ id: r.id, fullName: r.full_name, email: r.email }));
}

export interface BreakGlassRow {
  id: string;
  personId: string;
  personName: string;
  userName: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
  reviewedAt: Date | null;
  reviewedBy: string | null;
  reviewNote: string | null;
}

export async function listBreakGlass(tx: Tx, scope: Scope, limit = 200): Promise<BreakGlassRow[]> {
  let q = tx
    .selectFrom('break_glass_events as b')
    .innerJoin('people as p', 'p.id', 'b.person_id')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('users as r', 'r.id', 'b.reviewed_by')
    .select([
      'b.id',
      'b.person_id',
      'p.given_name',
      'p.family_name',
      'u.full_name as user_name',
      'b.reason',
      'b.created_at',
      'b.expires_at',
      'b.reviewed_at',
      'r.full_name as reviewer',
      'b.review_note',
    ]);
  if (!scope.all) {
    if (scope.teamIds.length === 0) return [];
    q = q.where('p.team_id', 'in', [...scope.teamIds]);
  }
  const rows = await q
    .orderBy((eb) => eb.case().when('b.reviewed_at', 'is', null).then(0).else(1).end())
    .orderBy('b.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    personName: `${r.given_name} ${r.family_name}`,
    userName: r.user_name,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    reviewedAt: r.reviewed_at,
    reviewedBy: r.reviewer,
    reviewNote: r.review_note,
  }));
}

/** Marks a break-glass event reviewed; undefined when it is outside the scope or already reviewed. */
export async function reviewBreakGlass(
  tx: Tx,
  scope: Scope,
  id: string,
  reviewerId: string,
  note: string,
  at: Date,
): Promise<{ personId: string } | undefined> {
  const event = await tx
    .selectFrom('break_glass_events as b')
    .innerJoin('people as p', 'p.id', 'b.person_id')
    .select(['b.id', 'b.person_id', 'p.team_id', 'b.reviewed_at'])
    .where('b.id', '=', id)
    .executeTakeFirst();
  if (!event || event.reviewed_at) return undefined;
  if (!scope.all && !(event.team_id && scope.teamIds.includes(event.team_id))) return undefined;
  await tx
    .updateTable('break_glass_events')
    .set({ reviewed_by: reviewerId, reviewed_at: at, review_note: note })
    .where('id', '=', id)
    .where('reviewed_at', 'is', null)
    .execute();
  return { personId: event.person_id };
}

export async function findPersonForOversight(
  tx: Tx,
  personId: string,
): Promise<{ id: string; name: string; teamId: string | null } | undefined> {
  const row = await tx
    .selectFrom('people')
    .select(['id', 'given_name', 'family_name', 'team_id'])
    .where('id', '=', personId)
    .executeTakeFirst();
  return row && { id: row.id, name: `${row.given_name} ${row.family_name}`, teamId: row.team_id };
}

export interface AccessHistoryItem extends AccessEntry {
  sentence: string;
}

/**
 * Who has looked at or changed one person's record, newest first, in plain English. For
 * managers and administrators now, and for the person's own page later.
 */
export async function accessHistoryFor(
  tx: Tx,
  personId: string,
  limit = 500,
): Promise<AccessHistoryItem[]> {
  const events = await tx
    .selectFrom('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .leftJoin('api_clients as c', 'c.id', 'e.api_client_id')
    .select([
      'e.at',
      'e.actor',
      'e.user_id',
      'u.full_name',
      'c.name as client_name',
      'e.action',
      'e.record_type',
      'e.reason',
    ])
    .where('e.person_id', '=', personId)
    .orderBy('e.at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
  const userIds = [...new Set(events.flatMap((e) => (e.user_id ? [e.user_id] : [])))];
  const grants = userIds.length
    ? await tx
        .selectFrom('role_grants')
        .select(['user_id', 'role'])
        .where('user_id', 'in', userIds)
        .where('revoked_at', 'is', null)
        .execute()
    : [];
  return events.map((e) => {
    const entry: AccessEntry = {
      at: e.at,
      who: e.full_name ?? (e.client_name ? `The system "${e.client_name}"` : actorName(e.actor)),
      role: e.user_id
        ? describeRole(grants.filter((g) => g.user_id === e.user_id).map((g) => g.role))
        : undefined,
      action: e.action,
      recordType: e.record_type,
      reason: e.action === 'break_glass' ? e.reason : null,
    };
    return { ...entry, sentence: accessSentence(entry) };
  });
}
