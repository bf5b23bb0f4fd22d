// Registers the route table on Fastify. Every operation passes the same steps, in this order:
// rate limit (per client) → authentication and permission → body parsing (size and JSON, by
// Fastify) → JSON only → CSRF for session callers (app.ts) → parameters checked with zod → handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuditContext } from '../../platform/audit/audit.js';
import { Forbidden, Invalid, PasswordChangeRequired } from '../../platform/http/errors.js';
import type { FieldError } from '../../platform/http/errors.js';
import { Unauthenticated, UnsupportedMediaType } from './errors.js';
import { API_BASE, type Operation } from './operations.js';

export interface RegisterOptions {
  /** Requests a minute for one API client (or one signed-in user, or one address without either). */
  rateLimitPerMinute: number;
}

/** Who the rate limit counts against: the client or user when known, else the address. */
export function rateLimitKey(req: FastifyRequest): string {
  const p = req.principal;
  if (p?.kind === 'api_client') return `api:${p.clientId}`;
  if (p?.kind === 'user') return `user:${p.userId}`;
  return `ip:${req.ip}`;
}

function authorise(req: FastifyRequest, reply: FastifyReply, op: Operation): void {
  if (op.permission === 'public') return;
  const p = req.principal;
  if (!p) {
    const presented = req.headers.authorization?.startsWith('Bearer ') === true;
    reply.header(
      'WWW-Authenticate',
      presented ? 'Bearer realm="Pooled", error="invalid_token"' : 'Bearer realm="Pooled"',
    );
    throw new Unauthenticated(
      presented
        ? 'The token is not valid: it may be mistyped or revoked. Ask your partnership administrator for a new one.'
        : 'Send an API token in the Authorization header: Authorization: Bearer <token>',
    );
  }
  if (p.kind === 'user') {
    if (p.mustChangePassword) throw new PasswordChangeRequired('Choose a new password first');
    return; // the people service applies the user's roles and care-team access
  }
  for (const permission of [op.permission, ...(op.alsoNeeds ?? [])])
    if (!p.permissions.has(permission))
      throw new Forbidden(`This API client does not have the ${permission} permission`);
}

function notJson(req: FastifyRequest): UnsupportedMediaType | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return new UnsupportedMediaType(
    `Send the body as JSON with the header Content-Type: application/json${type ? ` (not ${type})` : ''}`,
  );
}

/** zod issues as the problem's `errors`: one entry a field, named as the client sent it. */
export function fieldErrors(error: z.ZodError, where: string): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    if (seen.has(field)) return;
    seen.add(field);
    out.push({ field, message });
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(key, `${key} is not a ${where} field this API knows`);
      continue;
    }
    add(issue.path.map(String).join('.') || where, issue.message);
  }
  return out;
}

/** Parse with a schema or throw Invalid listing each field to fix. */
export function parseOrInvalid<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Invalid(fieldErrors(parsed.error, where));
  return parsed.data;
}

function jsonObjectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Invalid([{ field: 'body', message: 'The body must be a JSON object' }]);
  return body as Record<string, unknown>;
}

export function registerOperations(
  app: FastifyInstance,
  operations: readonly Operation[],
  options: RegisterOptions,
): void {
  for (const op of operations) {
    app.route({
      method: op.method,
      url: `${API_BASE}${op.path}`,
      config: {
        rateLimit: {
          max: options.rateLimitPerMinute,
          timeWindow: '1 minute',
          keyGenerator: rateLimitKey,
        },
      },
      // Before the body is read: nobody unknown gets a body parsed.
      preParsing: async (req, reply, payload) => {
        authorise(req, reply, op);
        return payload;
      },
      preValidation: (req, _reply, done) => {
        done(op.requestBody ? notJson(req) : undefined);
      },
      handler: async (req, reply) => {
        const ctx = (): AuditContext => {
          if (!req.principal) throw new Unauthenticated('Authentication required');
          return { principal: req.principal, ip: req.ip };
        };
        return op.handler({
          req,
          reply,
          params: op.params ? parseOrInvalid(op.params, req.params, 'path') : {},
          query: op.query ? parseOrInvalid(op.query, req.query ?? {}, 'query') : {},
          body: op.requestBody ? jsonObjectBody(req.body) : {},
          ctx,
        });
      },
    });
  }
}
