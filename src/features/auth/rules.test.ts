import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterFailure, afterSuccess, canAttempt, type AccountState } from './rules.ts';

const policy = { maxFailures: 5, lockoutMinutes: 15 };
const t0 = new Date('2026-11-23T10:00:00Z');
const fresh: AccountState = { failedSignIns: 0, lockedUntil: null, disabledAt: null };
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

test('the fifth wrong password locks the account for fifteen minutes', () => {
  let s = fresh;
  for (let i = 1; i <= 4; i++) {
    s = afterFailure(s, policy, t0);
    assert.equal(s.failedSignIns, i);
    assert.equal(canAttempt(s, t0).outcome, 'allowed');
  }
  s = afterFailure(s, policy, t0);
  assert.deepEqual(canAttempt(s, t0), { outcome: 'locked', until: minutes(15) });
  assert.equal(canAttempt(s, minutes(14.9)).outcome, 'locked');
  assert.equal(canAttempt(s, minutes(15)).outcome, 'allowed');
});

test('after a lock expires, the count starts again', () => {
  let s = fresh;
  for (let i = 0; i < 5; i++) s = afterFailure(s, policy, t0);
  s = afterFailure(s, policy, minutes(16));
  assert.equal(s.failedSignIns, 1);
  assert.equal(s.lockedUntil, null);
});

test('a right password clears failures; a disabled account is never allowed', () => {
  const s = afterSuccess(afterFailure(afterFailure(fresh, policy, t0), policy, t0));
  assert.equal(s.failedSignIns, 0);
  assert.equal(canAttempt({ ...fresh, disabledAt: t0 }, minutes(60)).outcome, 'disabled');
});

test('property: fewer than maxFailures failures in a row never lock', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 9 }), (max, n) => {
      fc.pre(n < max);
      let s = fresh;
      for (let i = 0; i < n; i++) s = afterFailure(s, { maxFailures: max, lockoutMinutes: 5 }, t0);
      assert.equal(canAttempt(s, t0).outcome, 'allowed');
    }),
  );
});
