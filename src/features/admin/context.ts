// What every admin route needs: the administrator, their partnership transaction and audit context.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { currentUser } from '../../platform/http/app.js';
import { NotFound } from '../../platform/http/errors.js';

export interface AdminDeps {
  db: Db;
  now: () => Date;
  secureCookies: boolean;
}

export interface AdminRequest {
  admin: UserPrincipal;
  ctx: AuditContext;
  run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
}

/** Only partnership administrators reach admin pages; everything runs inside their partnership. */
export function adminRequest(deps: AdminDeps, req: FastifyRequest): AdminRequest {
  const admin = currentUser(req, 'partnership_admin');
  return {
    admin,
    ctx: { principal: admin, ip: req.ip },
    run: (fn) => inPartnership(deps.db, admin.partnershipId, fn),
  };
}

/** A path id that is not a UUID names nothing: 404, never a database error. */
export function idParam(req: FastifyRequest, name = 'id'): string {
  const value = (req.params as Record<string, unknown>)[name];
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) throw new NotFound('There is no such record');
  return parsed.data;
}

/** A posted checkbox group as an array of strings (to re-tick boxes after an error). */
export function selected(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The password typed by the administrator, or a random one (shown once, changed at first sign-in). */
export function temporaryPasswordOrRandom(typed: string): { password: string; generated: boolean } {
  if (typed !== '') return { password: typed, generated: false };
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

/** Pages that show a secret (a password or a token) must never be cached. */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}
