import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ROLES, type Role } from '../../platform/auth/roles.ts';
import { accountStatus, membershipChanges, roleChanges, selfChangeProblem } from './rules.ts';

test('role changes take the current set to the wanted set exactly', () => {
  const roles = fc.subarray([...ROLES]);
  fc.assert(
    fc.property(roles, roles, (current, wanted) => {
      const { grant, revoke } = roleChanges(current, wanted);
      const after = new Set<Role>(current.filter((r) => !revoke.includes(r)));
      for (const r of grant) after.add(r);
      assert.deepEqual([...after].sort(), [...wanted].sort());
      assert.ok(
        grant.every((r) => !current.includes(r)),
        'never re-grants a held role',
      );
      assert.ok(
        revoke.every((r) => current.includes(r)),
        'never revokes a role not held',
      );
    }),
  );
});

test('membership changes add and remove only what differs', () => {
  assert.deepEqual(membershipChanges(['a', 'b'], ['b', 'c']), { add: ['c'], remove: ['a'] });
  assert.deepEqual(membershipChanges([], []), { add: [], remove: [] });
});

test('an administrator may not lock themselves out', () => {
  const cases: [string, string, Parameters<typeof selfChangeProblem>[2], boolean][] = [
    ['me', 'me', { revoke: ['partnership_admin'] }, true],
    ['me', 'me', { disable: true }, true],
    ['me', 'me', { revoke: ['broker'] }, false],
    ['me', 'me', { disable: false }, false],
    ['me', 'you', { revoke: ['partnership_admin'] }, false],
    ['me', 'you', { disable: true }, false],
  ];
  for (const [actor, target, change, refused] of cases)
    assert.equal(
      selfChangeProblem(actor, target, change) !== undefined,
      refused,
      JSON.stringify(change),
    );
});

test('account status: the most serious state wins', () => {
  const now = new Date('2026-03-03T10:00:00Z');
  const later = new Date('2026-03-03T11:00:00Z');
  const earlier = new Date('2026-03-03T09:00:00Z');
  const cases: [Parameters<typeof accountStatus>[0], string][] = [
    [{ disabledAt: earlier, lockedUntil: later, mustChangePassword: true }, 'disabled'],
    [{ disabledAt: null, lockedUntil: later, mustChangePassword: true }, 'locked'],
    [{ disabledAt: null, lockedUntil: earlier, mustChangePassword: true }, 'must_change_password'],
    [{ disabledAt: null, lockedUntil: null, mustChangePassword: false }, 'active'],
    [{ disabledAt: null, lockedUntil: now, mustChangePassword: false }, 'active'],
  ];
  for (const [account, expected] of cases) assert.equal(accountStatus(account, now), expected);
});
