// For the API's tests: real API clients in the database, and a small fetch wrapper that sends
// a bearer token and JSON. Not used by the app itself.
import type { Db } from '../../platform/db/database.js';
import { createApiToken, type ApiPermission } from '../../platform/auth/api-tokens.js';

export interface TestApiClient {
  id: string;
  token: string;
}

export async function createApiClient(
  db: Db,
  partnershipId: string,
  permissions: ApiPermission[],
  name = 'Test client',
): Promise<TestApiClient> {
  const t = createApiToken();
  const row = await db.system
    .insertInto('api_clients')
    .values({
      partnership_id: partnershipId,
      name,
      token_prefix: t.prefix,
      token_hash: t.hash,
      permissions,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token: t.token };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  body: Record<string, unknown>;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: {
    token?: string;
    json?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.raw !== undefined) body = options.raw;
  const res = await fetch(base + path, {
    method,
    headers: { ...headers, ...options.headers },
    redirect: 'manual',
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    get body() {
      return JSON.parse(text) as Record<string, unknown>;
    },
  };
}
