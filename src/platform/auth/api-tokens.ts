// Bearer tokens for system clients. A token reads `pooled_<prefix>_<secret>`: the prefix finds the
// row, the SHA-256 of the whole token proves it. Only the prefix and the hash are stored, so a
// database leak does not leak working tokens. The token itself is shown once, at creation.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { ApiClientPrincipal } from './principal.js';

export const API_PERMISSIONS = [
  'people:read',
  'people:write',
  'assessments:read',
  'assessments:write',
  'plans:read',
  'plans:write',
  'budgets:read',
  'payments:read',
  'audit:read',
] as const;
export type ApiPermission = (typeof API_PERMISSIONS)[number];

export const API_PERMISSION_LABELS: Record<ApiPermission, string> = {
  'people:read': 'Read people (people:read)',
  'people:write': 'Create and change people (people:write)',
  'assessments:read':
    'Read assessments, eligibility decisions and budgets (assessments:read, with people:read)',
  'assessments:write':
    'Start, answer and complete assessments, and record judgements (assessments:write, with people:write)',
  'plans:read':
    'Read support plans, their sign-off decisions, reviews and outcome measures (plans:read, with people:read)',
  'plans:write':
    'Start, save and submit support plans, record the person’s agreement, record reviews and outcome measures, and ask for unplanned reviews (plans:write, with people:write)',
  'budgets:read':
    'Read budgets, balances, payment schedules, ledger transactions and card or bank transactions (budgets:read, with people:read)',
  'payments:read':
    'Read payment runs, their lines and payment files, for a finance system (payments:read)',
  'audit:read': 'Read the audit trail (audit:read)',
};

const TOKEN_SHAPE = /^pooled_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiToken {
  token: string;
  prefix: string;
  hash: string;
}

export const apiTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export function createApiToken(): NewApiToken {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const token = `pooled_${prefix}_${secret}`;
  return { token, prefix, hash: apiTokenHash(token) };
}

/** The prefix of a well-formed token, or undefined for anything else. */
export function apiTokenPrefix(token: string): string | undefined {
  return TOKEN_SHAPE.exec(token)?.[1];
}

/**
 * The API client a bearer token belongs to, or undefined when the token is malformed, unknown,
 * wrong or revoked. Runs before any partnership is known, so it reads through db.system.
 */
export async function authenticateApiToken(
  db: Db,
  token: string,
  now: () => Date = () => new Date(),
): Promise<ApiClientPrincipal | undefined> {
  const prefix = apiTokenPrefix(token);
  if (!prefix) return undefined;
  const row = await db.system
    .selectFrom('api_clients')
    .select(['id', 'partnership_id', 'name', 'token_hash', 'permissions', 'revoked_at'])
    .where('token_prefix', '=', prefix)
    .executeTakeFirst();
  const presented = Buffer.from(apiTokenHash(token), 'hex');
  const stored = Buffer.from(row?.token_hash ?? '', 'hex');
  const matches = stored.length === presented.length && timingSafeEqual(stored, presented);
  if (!row || !matches || row.revoked_at) return undefined;
  await db.system
    .updateTable('api_clients')
    .set({ last_used_at: now() })
    .where('id', '=', row.id)
    // At most one write a minute per client: a busy client should not write on every call.
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', new Date(now().getTime() - 60_000)),
      ]),
    )
    .execute();
  return {
    kind: 'api_client',
    clientId: row.id,
    partnershipId: row.partnership_id,
    name: row.name,
    permissions: new Set(row.permissions),
  };
}
