// Sign-in rules: temporary lockout after repeated failures. Pure, so it is easy to test.

export interface LockoutPolicy {
  maxFailures: number;
  lockoutMinutes: number;
}

export interface AccountState {
  failedSignIns: number;
  lockedUntil: Date | null;
  disabledAt: Date | null;
}

export type SignInDecision =
  { outcome: 'allowed' } | { outcome: 'locked'; until: Date } | { outcome: 'disabled' };

/** May this account try to sign in now (before the password is checked)? */
export function canAttempt(state: AccountState, now: Date): SignInDecision {
  if (state.disabledAt) return { outcome: 'disabled' };
  if (state.lockedUntil && state.lockedUntil.getTime() > now.getTime()) {
    return { outcome: 'locked', until: state.lockedUntil };
  }
  return { outcome: 'allowed' };
}

/** The account's state after a wrong password. */
export function afterFailure(state: AccountState, policy: LockoutPolicy, now: Date): AccountState {
  const expired = state.lockedUntil !== null && state.lockedUntil.getTime() <= now.getTime();
  const failures = (expired ? 0 : state.failedSignIns) + 1;
  return {
    ...state,
    failedSignIns: failures,
    lockedUntil:
      failures >= policy.maxFailures
        ? new Date(now.getTime() + policy.lockoutMinutes * 60_000)
        : expired
          ? null
          : state.lockedUntil,
  };
}

/** The account's state after a right password. */
export function afterSuccess(state: AccountState): AccountState {
  return { ...state, failedSignIns: 0, lockedUntil: null };
}
