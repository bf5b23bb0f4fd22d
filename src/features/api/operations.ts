// The API's route table. Each operation is data: its path, permission, parameter schemas,
// request body and responses. The same table registers the Fastify routes (register.ts) and
// writes the OpenAPI document (openapi.ts), so the two cannot drift apart.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { ApiPermission } from '../../platform/auth/api-tokens.js';
import type { CivilDate } from '../../platform/dates.js';

export const API_BASE = '/api/v1';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface ResponseSpec {
  description: string;
  /** A component name from the document's schemas (see openapi.ts), or none for no body. */
  schema?: string;
  /** The body's media type when it is not JSON (a CSV file, say). */
  mediaType?: string;
  headers?: Record<string, string>;
}

export interface HandlerArgs<P, Q> {
  req: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  /** The JSON object sent (operations with a requestBody only; nulls kept as sent). */
  body: Record<string, unknown>;
  /** Who is asking, for the service and the audit. Throws when nobody is (public operations). */
  ctx: () => AuditContext;
}

export interface OperationSpec<P extends z.ZodType, Q extends z.ZodType> {
  method: ApiMethod;
  /** Under API_BASE, in Fastify's form: '/people/:id'. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** The permission an API client needs, or 'public' for no authentication at all. */
  permission: ApiPermission | 'public';
  /** Other permissions the client needs as well (an assessment is part of a person's record). */
  alsoNeeds?: readonly ApiPermission[];
  params?: P;
  query?: Q;
  /** Request headers the operation reads, documented as header parameters. */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
  requestBody?: {
    description: string;
    /** The component name that documents it; the handler validates with the same schema. */
    schema: string;
  };
  responses: Record<number, ResponseSpec>;
  handler(args: HandlerArgs<z.output<P>, z.output<Q>>): Promise<unknown>;
}

/** An operation with its types erased, so operations of different shapes share one table. */
export interface Operation {
  method: ApiMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  permission: ApiPermission | 'public';
  alsoNeeds?: readonly ApiPermission[];
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
  requestBody?: { description: string; schema: string };
  responses: Record<number, ResponseSpec>;
  handler(args: HandlerArgs<unknown, unknown>): Promise<unknown>;
}

export function defineOperation<P extends z.ZodType = z.ZodNever, Q extends z.ZodType = z.ZodNever>(
  spec: OperationSpec<P, Q>,
): Operation {
  return spec;
}

/** Component schemas by name: the document's `components.schemas`, built from zod. */
export interface SchemaCatalogue {
  /** Schemas documented as what a client sends (zod input side). */
  input: Record<string, (today: CivilDate) => z.ZodType>;
  /** Schemas documented as what the API answers (zod output side). */
  output: Record<string, z.ZodType>;
  /** PATCH bodies: the named input schema's fields, none of them required. */
  patches: Record<string, string>;
}

/** Fastify's ':id' becomes OpenAPI's '{id}'. */
export const openApiPath = (path: string): string =>
  `${API_BASE}${path}`.replace(/:([A-Za-z_]\w*)/g, '{$1}');
