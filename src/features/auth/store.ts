// Accounts as sign-in sees them. Sign-in happens before any partnership is known, so these
// queries use the system connection; they touch only the users table.
import type { Db } from '../../platform/db/database.js';

export interface Account {
  id: string;
  partnershipId: string;
  email: string;
  passwordHash: string | null;
  failedSignIns: number;
  lockedUntil: Date | null;
  disabledAt: Date | null;
  mustChangePassword: boolean;
}

export function createAccountStore(db: Db) {
  return {
    async findByEmail(email: string): Promise<Account | undefined> {
      const row = await db.system
        .selectFrom('users')
        .select([
          'id',
          'partnership_id',
          'email',
          'password_hash',
          'failed_sign_ins',
          'locked_until',
          'disabled_at',
          'must_change_password',
        ])
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        partnershipId: row.partnership_id,
        email: row.email,
        passwordHash: row.password_hash,
        failedSignIns: row.failed_sign_ins,
        lockedUntil: row.locked_until,
        disabledAt: row.disabled_at,
        mustChangePassword: row.must_change_password,
      };
    },
    async recordAttempt(
      id: string,
      failedSignIns: number,
      lockedUntil: Date | null,
      signedInAt?: Date,
    ): Promise<void> {
      await db.system
        .updateTable('users')
        .set({
          failed_sign_ins: failedSignIns,
          locked_until: lockedUntil,
          ...(signedInAt ? { last_sign_in_at: signedInAt } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async setPassword(id: string, hash: string, mustChange: boolean): Promise<void> {
      await db.system
        .updateTable('users')
        .set({
          password_hash: hash,
          must_change_password: mustChange,
          failed_sign_ins: 0,
          locked_until: null,
        })
        .where('id', '=', id)
        .execute();
    },
    async passwordHashOf(id: string): Promise<string | null> {
      const row = await db.system
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.password_hash ?? null;
    },
  };
}
export type AccountStore = ReturnType<typeof createAccountStore>;
