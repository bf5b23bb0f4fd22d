// Sessions live in the database so app nodes are stateless. The cookie holds a random token;
// the table holds only its SHA-256, so a database leak does not leak live sessions.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { UserPrincipal } from './principal.js';
import { RoleSchema, type Role } from './roles.js';

export const SESSION_COOKIE = 'pooled_session';

export const tokenHash = (token: string): string =>
  createHash('sha256').update(token).digest('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

export interface SessionStore {
  create(userId: string, partnershipId: string): Promise<{ token: string; expiresAt: Date }>;
  load(token: string): Promise<UserPrincipal | undefined>;
  destroy(token: string): Promise<void>;
  destroyAllFor(userId: string): Promise<void>;
}

export function createSessionStore(db: Db, hours: number, now: () => Date): SessionStore {
  return {
    async create(userId, partnershipId) {
      const token = newToken();
      const expiresAt = new Date(now().getTime() + hours * 3_600_000);
      await db.system
        .insertInto('sessions')
        .values({
          id: tokenHash(token),
          user_id: userId,
          partnership_id: partnershipId,
          expires_at: expiresAt,
        })
        .execute();
      return { token, expiresAt };
    },
    async load(token) {
      const id = tokenHash(token);
      // One round trip: every page asks for this, so the roles and teams come in the same query.
      const row = await db.system
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .innerJoin('partnerships as p', 'p.id', 's.partnership_id')
        .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
        .select([
          's.id as sessionId',
          's.expires_at',
          'u.id as userId',
          'u.partnership_id',
          'u.full_name',
          'u.email',
          'u.must_change_password',
          'u.disabled_at',
          'u.organisation_id',
          'o.kind as organisation_kind',
          'p.name as partnership_name',
          sql<string[]>`array(select g.role from role_grants g
                               where g.user_id = u.id and g.revoked_at is null)`.as('grants'),
          sql<string[]>`array(select m.team_id from team_members m where m.user_id = u.id)`.as(
            'teams',
          ),
        ])
        .where('s.id', '=', id)
        .executeTakeFirst();
      if (!row || row.disabled_at || row.expires_at.getTime() <= now().getTime()) return undefined;
      const grants = row.grants.map((role) => ({ role }));
      const teams = row.teams.map((team_id) => ({ team_id }));
      const roles = new Set<Role>();
      for (const g of grants) {
        const parsed = RoleSchema.safeParse(g.role);
        if (parsed.success) roles.add(parsed.data);
      }
      return {
        kind: 'user',
        sessionId: row.sessionId,
        userId: row.userId,
        partnershipId: row.partnership_id,
        partnershipName: row.partnership_name,
        fullName: row.full_name,
        email: row.email,
        roles,
        teamIds: teams.map((t) => t.team_id),
        organisationId: row.organisation_id,
        organisationKind: row.organisation_kind ?? null,
        mustChangePassword: row.must_change_password,
      };
    },
    async destroy(token) {
      await db.system.deleteFrom('sessions').where('id', '=', tokenHash(token)).execute();
    },
    async destroyAllFor(userId) {
      await db.system.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
  };
}
