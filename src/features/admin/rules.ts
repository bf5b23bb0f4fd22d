// The rules of administration: what a role change means, what an administrator may not do to
// themselves, and what state an account is in. Pure: no I/O.
import type { Role } from '../../platform/auth/roles.js';

export interface RoleChanges {
  grant: Role[];
  revoke: Role[];
}

/** Which roles to grant and which to revoke to go from the current set to the wanted set. */
export function roleChanges(current: readonly Role[], wanted: readonly Role[]): RoleChanges {
  const have = new Set(current);
  const want = new Set(wanted);
  return {
    grant: [...want].filter((r) => !have.has(r)),
    revoke: [...have].filter((r) => !want.has(r)),
  };
}

/** Set-like difference for team memberships (ids). */
export function membershipChanges(
  current: readonly string[],
  wanted: readonly string[],
): { add: string[]; remove: string[] } {
  const have = new Set(current);
  const want = new Set(wanted);
  return {
    add: [...want].filter((t) => !have.has(t)),
    remove: [...have].filter((t) => !want.has(t)),
  };
}

/**
 * An administrator cannot take away their own administration role or switch off their own
 * account: a partnership must never lose its last way in by accident.
 */
export function selfChangeProblem(
  actorId: string,
  targetId: string,
  change: { revoke?: readonly Role[]; disable?: boolean },
): string | undefined {
  if (actorId !== targetId) return undefined;
  if (change.revoke?.includes('partnership_admin'))
    return 'You cannot remove your own partnership administrator role. Ask another administrator to do it.';
  if (change.disable)
    return 'You cannot switch off your own account. Ask another administrator to do it.';
  return undefined;
}

export type AccountStatus = 'disabled' | 'locked' | 'must_change_password' | 'active';

export const ACCOUNT_STATUS_LABELS: Record<AccountStatus, string> = {
  disabled: 'Switched off',
  locked: 'Locked',
  must_change_password: 'Must change password',
  active: 'Active',
};

/** The one status shown for an account; the most serious wins. */
export function accountStatus(
  account: { disabledAt: Date | null; lockedUntil: Date | null; mustChangePassword: boolean },
  now: Date,
): AccountStatus {
  if (account.disabledAt) return 'disabled';
  if (account.lockedUntil && account.lockedUntil.getTime() > now.getTime()) return 'locked';
  if (account.mustChangePassword) return 'must_change_password';
  return 'active';
}
