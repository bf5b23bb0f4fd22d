// Every read and write of personal data is recorded: who, when, which record, what, why.
// Written in the same transaction as the access, so an access that happened is always logged.
import type { Tx } from '../db/database.js';
import { actorLabel, type Principal } from '../auth/principal.js';

export type AuditAction =
  | 'read'
  | 'search'
  | 'list'
  | 'create'
  | 'update'
  | 'import'
  | 'export'
  | 'break_glass'
  | 'access_refused'
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_out'
  | 'grant'
  | 'revoke';

export interface AuditEvent {
  action: AuditAction;
  recordType: string;
  recordId?: string | null;
  personId?: string | null;
  detail?: Record<string, unknown>;
  reason?: string | null;
}

export interface AuditContext {
  principal: Principal;
  ip?: string | undefined;
}

export async function audit(tx: Tx, ctx: AuditContext, event: AuditEvent): Promise<void> {
  await auditMany(tx, ctx, [event]);
}

export async function auditMany(tx: Tx, ctx: AuditContext, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const p = ctx.principal;
  await tx
    .insertInto('audit_events')
    .values(
      events.map((e) => ({
        partnership_id: p.partnershipId,
        user_id: p.kind === 'user' ? p.userId : null,
        api_client_id: p.kind === 'api_client' ? p.clientId : null,
        actor: actorLabel(p),
        action: e.action,
        record_type: e.recordType,
        record_id: e.recordId ?? null,
        person_id: e.personId ?? null,
        detail: JSON.stringify(e.detail ?? {}),
        reason: e.reason ?? null,
        ip: ctx.ip ?? null,
      })),
    )
    .execute();
}
