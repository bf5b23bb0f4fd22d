// A real HTTP server on a random port over a fresh database, and a cookie-keeping client that
// fetches real CSRF tokens from the pages it reads (security stays on in tests).
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/app/config.ts';
import { buildServer } from '../../src/app/compose.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { freshDb } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  url: string;
  config: Config;
  close(): Promise<void>;
}

/**
 * `now`: the app's clock. Tests whose data is dated from "today" (budgets run from 1 April, for
 * example) pass a fixed day, so that they do not depend on the day they run.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  db?: Db,
  now: () => Date = () => new Date(),
): Promise<TestApp> {
  const database = db ?? (await freshDb());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-42',
    SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000',
    ...env,
  });
  const app = await buildServer({ config, db: database, now });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    db: database,
    url: address,
    config,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  json(): unknown;
}

/** A browser-like client: keeps cookies, reads CSRF tokens from forms, never follows redirects. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<TestResponse> {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    this.remember(res);
    const text = await res.text();
    const token =
      /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? /_csrf=([A-Za-z0-9_-]+)/.exec(text)?.[1];
    if (token) this.csrf = token;
    return {
      status: res.status,
      headers: res.headers,
      text,
      location: res.headers.get('location'),
      json: (): unknown => JSON.parse(text) as unknown,
    };
  }

  get(path: string): Promise<TestResponse> {
    return this.request('GET', path);
  }

  /** POST a form; adds the CSRF token read from the last page unless _csrf is given. */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: boolean } = {},
  ): Promise<TestResponse> {
    if (options.csrf !== false && !this.csrf) await this.get('/sign-in');
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields))
      for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    if (options.csrf !== false && !('_csrf' in fields)) form.append('_csrf', this.csrf);
    return this.request('POST', path, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  async signIn(email: string, password: string): Promise<TestResponse> {
    await this.get('/sign-in');
    return this.post('/sign-in', { email, password });
  }
}
