// The OpenAPI 3.1 document, written from the route table and the zod schemas at start-up.
// Nothing here is typed out by hand, so the document says what the code does.
import { z } from 'zod';
import { SESSION_COOKIE } from '../../platform/auth/sessions.js';
import type { CivilDate } from '../../platform/dates.js';
import { openApiPath, type Operation, type SchemaCatalogue } from './operations.js';

type JsonSchema = Record<string, unknown>;

export interface DocumentInfo {
  version: string;
  /** Dates in request schemas (a date of birth cannot be after today) are checked against this. */
  today: CivilDate;
  rateLimitPerMinute: number;
}

const PROBLEM = 'application/problem+json';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A zod schema as a JSON Schema fragment for OpenAPI (no $schema or $id of its own). */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return strip(converted);
}

function strip(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

/** Optional fields of a request body also take null, which means "no value" (see register.ts). */
function allowNullWhenOptional(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return schema;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const takesNull = (s: JsonSchema): boolean =>
    s.type === 'null' ||
    (Array.isArray(s.type) && s.type.includes('null')) ||
    (Array.isArray(s.anyOf) && (s.anyOf as JsonSchema[]).some(takesNull));
  return {
    ...schema,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, s]) => [
        name,
        required.has(name) || takesNull(s) ? s : { anyOf: [s, { type: 'null' }] },
      ]),
    ),
  };
}

function componentSchemas(
  catalogue: SchemaCatalogue,
  today: CivilDate,
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(catalogue.output)) registry.add(schema, { id: name });
  const outputs = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, JsonSchema>;
  const inputs = Object.entries(catalogue.input).map(([name, make]): [string, JsonSchema] => [
    name,
    {
      ...allowNullWhenOptional(jsonSchemaOf(make(today), 'input')),
      description:
        'What a client sends. Optional fields may be left out or sent as null (no value); text is trimmed.',
    },
  ]);
  const byName = Object.fromEntries(inputs);
  const patches = Object.entries(catalogue.patches).map(([name, base]): [string, JsonSchema] => {
    const rest = { ...byName[base] };
    delete rest.required;
    return [
      name,
      { ...rest, description: `Any of the fields of ${base}; those left out are kept.` },
    ];
  });
  return {
    ...Object.fromEntries(Object.entries(outputs).map(([name, s]) => [name, strip(s)])),
    ...byName,
    ...Object.fromEntries(patches),
  };
}

function parametersOf(op: Operation): JsonSchema[] {
  const out: JsonSchema[] = [];
  const fromObject = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const json = jsonSchemaOf(schema, 'input');
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries((json.properties ?? {}) as Record<string, JsonSchema>)) {
      const { description, ...rest } = s;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  };
  fromObject(op.params, 'path');
  fromObject(op.query, 'query');
  for (const [name, h] of Object.entries(op.headers ?? {}))
    out.push({
      name,
      in: 'header',
      required: false,
      description: h.description,
      schema: jsonSchemaOf(h.schema, 'input'),
    });
  return out;
}

/** Every permission an API client needs for the operation, the main one first. */
const permissionsOf = (op: Operation): string[] =>
  op.permission === 'public' ? [] : [op.permission, ...(op.alsoNeeds ?? [])];

const listed = (names: readonly string[]): string =>
  names.length <= 1
    ? `\`${names.join('')}\` permission`
    : `${names
        .slice(0, -1)
        .map((n) => `\`${n}\``)
        .join(', ')} and \`${names.at(-1) ?? ''}\` permissions`;

/** The errors an operation can answer, from what it takes: each a problem+json body. */
function problemResponses(op: Operation, rateLimitPerMinute: number): Record<string, JsonSchema> {
  const problem = (description: string) => ({
    description,
    content: { [PROBLEM]: { schema: ref('Problem') } },
  });
  const out: Record<string, JsonSchema> = {};
  if (op.requestBody || op.params || op.query)
    out['400'] = problem(
      'The request has problems: invalid JSON, or fields to fix (listed in `errors`)',
    );
  if (op.permission !== 'public') {
    out['401'] = {
      ...problem('No valid token: send `Authorization: Bearer <token>`'),
      headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
    };
    out['403'] = problem(
      `The client lacks the ${permissionsOf(op).join(' or ')} permission, or may not see this`,
    );
  }
  if (op.params) out['404'] = problem('No such record in your partnership');
  if (op.requestBody) {
    out['413'] = problem('The body is larger than the server accepts');
    out['415'] = problem('The body is not application/json');
  }
  out['429'] = {
    ...problem(
      `More than ${rateLimitPerMinute} requests a minute to this operation from one client: wait for the seconds in Retry-After`,
    ),
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  };
  return out;
}

function operationObject(op: Operation, rateLimitPerMinute: number): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const mediaType = r.mediaType ?? (Number(status) >= 400 ? PROBLEM : 'application/json');
    responses[status] = {
      description: r.description,
      ...(r.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(r.headers).map(([h, description]) => [
                h,
                { description, schema: { type: 'string' } },
              ]),
            ),
          }
        : {}),
      ...(r.schema ? { content: { [mediaType]: { schema: ref(r.schema) } } } : {}),
    };
  }
  const permission = op.permission === 'public' ? undefined : op.permission;
  const parameters = parametersOf(op);
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: [
      op.description,
      permission
        ? `Needs the ${listed(permissionsOf(op))} (API clients). Signed-in staff may call it with their session; their care-team access applies, and changes need the X-CSRF-Token header.`
        : 'Open to anyone: no token needed.',
    ]
      .filter(Boolean)
      .join('\n\n'),
    tags: [op.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.requestBody
      ? {
          requestBody: {
            required: true,
            description: op.requestBody.description,
            content: { 'application/json': { schema: ref(op.requestBody.schema) } },
          },
        }
      : {}),
    responses: { ...problemResponses(op, rateLimitPerMinute), ...responses },
    security: permission ? [{ bearerToken: permissionsOf(op) }, { sessionCookie: [] }] : [],
    ...(permission ? { 'x-required-permission': permission } : {}),
  };
}

export function buildOpenApiDocument(
  operations: readonly Operation[],
  catalogue: SchemaCatalogue,
  info: DocumentInfo,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const path = openApiPath(op.path);
    paths[path] = {
      ...paths[path],
      [op.method.toLowerCase()]: operationObject(op, info.rateLimitPerMinute),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pooled API',
      version: info.version,
      description:
        'People records, integrated assessments, eligibility decisions and indicative budgets for integrated personal budgets. ' +
        'Money is in whole pence (fields ending Pence). Every error is RFC 9457 problem+json. ' +
        'An administrator creates each API client, scoped to one partnership and to permissions; ' +
        'every read and write is audited against the client.',
    },
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(catalogue, info.today),
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'pooled_<prefix>_<secret>',
          description:
            'An API client token from a partnership administrator. Security requirement lists name the permissions each operation needs (all of them).',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'A signed-in staff session (reads; changes also need X-CSRF-Token)',
        },
      },
    },
  };
}
