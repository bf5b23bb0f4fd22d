// The people service's methods for what hangs off a person: consent, representatives, care
// team and break glass. Each is audited in the same transaction as the change.
import { inPartnership, type Db } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { Forbidden, Invalid, NotFound } from '../../platform/http/errors.js';
import { decisionFor, NOT_FOUND_MESSAGE, requirePeoplePages, withPerson } from './access.js';
import { BREAK_GLASS_MIN_REASON, breakGlassExpiry } from './rules.js';
import { findPerson, isUuid } from './store.js';
import {
  addCareTeamMember,
  addRepresentative,
  consentsOf,
  endRepresentative,
  recordBreakGlass,
  recordConsent,
  removeCareTeamMember,
  staffWithRoles,
  withdrawConsent,
  type NewConsent,
  type NewRepresentative,
} from './store-links.js';

interface Deps {
  db: Db;
  now: () => Date;
  breakGlassHours: number;
}

export function createLinkMethods(deps: Deps) {
  const { db, now } = deps;
  const userId = (ctx: AuditContext): string => {
    if (ctx.principal.kind !== 'user') throw new Forbidden('This is for signed-in staff only');
    return ctx.principal.userId;
  };

  return {
    async recordConsent(ctx: AuditContext, personId: string, consent: NewConsent) {
      const by = userId(ctx);
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const id = await recordConsent(tx, ctx.principal.partnershipId, person.id, consent, by);
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'consent',
          recordId: id,
          personId: person.id,
          detail: { scope: consent.scope, givenOn: consent.givenOn, howGiven: consent.howGiven },
        });
        return id;
      });
    },

    async withdrawConsent(
      ctx: AuditContext,
      personId: string,
      consentId: string,
      withdrawnOn: string,
      reason: string,
    ) {
      const by = userId(ctx);
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const consent = isUuid(consentId)
          ? (await consentsOf(tx, person.id)).find((c) => c.id === consentId)
          : undefined;
        if (!consent || consent.withdrawnOn !== null)
          throw new NotFound('There is no current consent with this ID');
        if (withdrawnOn < consent.givenOn)
          throw new Invalid([
            { field: 'withdrawnOn', message: 'The date must be on or after the consent was given' },
          ]);
        await withdrawConsent(tx, person.id, consent.id, withdrawnOn, reason, by);
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'consent',
          recordId: consent.id,
          personId: person.id,
          detail: { withdrawnOn },
          reason,
        });
      });
    },

    async addRepresentative(ctx: AuditContext, personId: string, rep: NewRepresentative) {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const id = await addRepresentative(tx, ctx.principal.partnershipId, person.id, rep);
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'representative',
          recordId: id,
          personId: person.id,
          detail: { kind: rep.kind },
        });
        return id;
      });
    },

    async endRepresentative(ctx: AuditContext, personId: string, representativeId: string) {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        if (
          !isUuid(representativeId) ||
          !(await endRepresentative(tx, person.id, representativeId, now()))
        )
          throw new NotFound('There is no current representative with this ID');
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'representative',
          recordId: representativeId,
          personId: person.id,
          detail: { ended: true },
        });
      });
    },

    async addCareTeamMember(
      ctx: AuditContext,
      personId: string,
      memberId: string,
      roleOnTeam: string,
    ) {
      const by = userId(ctx);
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const staff = await staffWithRoles(tx, [
          'care_coordinator',
          'team_manager',
          'finance_officer',
          'broker',
        ]);
        if (!staff.some((s) => s.value === memberId))
          throw new Invalid([
            { field: 'userId', message: 'Select a member of staff from the list' },
          ]);
        await addCareTeamMember(
          tx,
          ctx.principal.partnershipId,
          person.id,
          memberId,
          roleOnTeam,
          by,
        );
        await audit(tx, ctx, {
          action: 'grant',
          recordType: 'care_team_member',
          recordId: memberId,
          personId: person.id,
          detail: { roleOnTeam },
        });
      });
    },

    async removeCareTeamMember(ctx: AuditContext, personId: string, memberId: string) {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        if (!isUuid(memberId) || !(await removeCareTeamMember(tx, person.id, memberId)))
          throw new NotFound('This member of staff is not on the care team');
        await audit(tx, ctx, {
          action: 'revoke',
          recordType: 'care_team_member',
          recordId: memberId,
          personId: person.id,
        });
      });
    },

    /** Whether this user can break glass for this person (the person exists, and they are refused). */
    async breakGlassNeeded(ctx: AuditContext, personId: string): Promise<boolean> {
      const p = ctx.principal;
      requirePeoplePages(p, 'read');
      if (p.kind !== 'user') return false;
      return inPartnership(db, p.partnershipId, async (tx) => {
        const person = await findPerson(tx, personId);
        if (!person) throw new NotFound(NOT_FOUND_MESSAGE);
        const decision = await decisionFor(tx, p, person, now());
        return !decision.allowed || decision.basis === 'break_glass';
      });
    },

    /** Record a break-glass reason: access for config.breakGlassHours, seen by managers. */
    async breakGlass(ctx: AuditContext, personId: string, reason: string) {
      const p = ctx.principal;
      requirePeoplePages(p, 'read');
      if (p.kind !== 'user') throw new Forbidden('Only signed-in staff can break glass');
      const trimmed = reason.trim();
      if (trimmed.length < BREAK_GLASS_MIN_REASON || trimmed.length > 2000)
        throw new Invalid([
          {
            field: 'reason',
            message:
              trimmed.length > 2000
                ? 'The reason must be 2000 characters or fewer'
                : `Give a reason of at least ${BREAK_GLASS_MIN_REASON} characters`,
          },
        ]);
      return inPartnership(db, p.partnershipId, async (tx) => {
        const person = await findPerson(tx, personId);
        if (!person) throw new NotFound(NOT_FOUND_MESSAGE);
        const at = now();
        const expiresAt = breakGlassExpiry(at, deps.breakGlassHours);
        const id = await recordBreakGlass(
          tx,
          p.partnershipId,
          person.id,
          p.userId,
          trimmed,
          expiresAt,
        );
        await audit(tx, ctx, {
          action: 'break_glass',
          recordType: 'person',
          recordId: person.id,
          personId: person.id,
          detail: { breakGlassEventId: id, expiresAt: expiresAt.toISOString() },
          reason: trimmed,
        });
        return { id, expiresAt };
      });
    },
  };
}
