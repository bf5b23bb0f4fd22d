// createApp reads as an ordered checklist of what every request passes through.
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type nunjucks from 'nunjucks';
import { parse as parseQuery } from 'node:querystring';
import type { Db } from '../db/database.js';
import type { Principal, UserPrincipal } from '../auth/principal.js';
import { SESSION_COOKIE, type SessionStore } from '../auth/sessions.js';
import { CSRF_COOKIE, csrfTokenFor, csrfTokenMatches, newCsrfSeed } from './csrf.js';
import { installErrorHandling } from './error-handler.js';
import { navigationFor } from './navigation.js';
import { NHSUK_DIST, SRC_DIR } from '../views/nunjucks.js';
import { Forbidden, PasswordChangeRequired, SignInRequired } from './errors.js';
import type { Role } from '../auth/roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    sessionToken: string | undefined;
    csrfToken: string;
    /**
     * Whether a token matches this request's CSRF cookie. For a route whose config says
     * `csrf: 'multipart-field'`, which must check the form's _csrf field itself (decision 0004).
     */
    csrfMatches: (presented: unknown) => boolean;
    flash: string | undefined;
  }
  interface FastifyReply {
    render(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** A one-time message shown on the next page (the NHS.UK inset text in the layout). */
    flash(message: string): FastifyReply;
  }
}

export interface HttpOptions {
  db: Db;
  views: nunjucks.Environment;
  sessions: SessionStore;
  sessionSecret: string;
  secureCookies: boolean;
  bodyLimitBytes: number;
  logLevel: string;
  showStacks: boolean;
  /** HSTS and upgrade-insecure-requests only in production (browsers ignore them on localhost anyway). */
  production: boolean;
  signInRateLimitPerMinute: number;
  /** API bearer-token authentication: returns a principal or undefined. */
  authenticateBearer: (token: string) => Promise<Principal | undefined>;
}

export type Feature = (app: FastifyInstance) => Promise<void> | void;

export async function createApp(
  options: HttpOptions,
  features: Feature[],
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel },
    bodyLimit: options.bodyLimitBytes,
    trustProxy: false,
  });

  // 1. Security headers, with a per-response nonce for the one inline script nhsuk needs.
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: options.production ? [] : null,
      },
    },
    strictTransportSecurity: options.production
      ? { maxAge: 31_536_000, includeSubDomains: true }
      : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });

  // 2. Cookies, form bodies (size-limited by bodyLimit), rate limits (opt-in per route).
  await app.register(cookie);
  await app.register(formbody, { parser: (s) => parseQuery(s) });
  await app.register(rateLimit, { global: false });

  // 3. Static assets, served by the app (no CDN).
  await app.register(fastifyStatic, {
    root: join(NHSUK_DIST, 'nhsuk'),
    prefix: '/assets/nhsuk/',
    allowedPath: (path) => /\.(css|js|map|svg|png|ico|json)$/.test(path),
    maxAge: '1d',
  });
  await app.register(fastifyStatic, {
    root: join(SRC_DIR, 'platform', 'views', 'public'),
    prefix: '/assets/app/',
    decorateReply: false,
  });

  // 4. Who is asking: a session cookie or an API bearer token.
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('csrfMatches', null as unknown as (presented: unknown) => boolean);
  app.decorateRequest('flash', undefined);
  app.addHook('onRequest', async (req, reply) => {
    const auth = req.headers.authorization;
    if (req.url.startsWith('/api/') && auth?.startsWith('Bearer ')) {
      req.principal = await options.authenticateBearer(auth.slice(7).trim());
      return;
    }
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      req.principal = await options.sessions.load(token);
      if (req.principal) req.sessionToken = token;
    }
    let seed = req.cookies[CSRF_COOKIE];
    if (!seed) {
      seed = newCsrfSeed();
      reply.setCookie(CSRF_COOKIE, seed, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: options.secureCookies,
      });
      req.cookies[CSRF_COOKIE] = seed;
    }
    req.csrfToken = csrfTokenFor(options.sessionSecret, seed);
    req.csrfMatches = (presented) =>
      csrfTokenMatches(options.sessionSecret, req.cookies[CSRF_COOKIE], presented);
    const flash = req.cookies.pooled_flash;
    if (flash) {
      req.flash = flash;
      reply.clearCookie('pooled_flash', { path: '/' });
    }
  });

  // 5. CSRF on every unsafe request made with cookies (bearer-token API calls carry no cookies).
  // A streamed multipart upload is not parsed before its handler, which checks the form's first
  // field itself (route config `csrf: 'multipart-field'`): the token never goes in the address.
  app.addHook('preHandler', (req, _reply, done) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return done();
    if (req.principal?.kind === 'api_client') return done();
    if ((req.routeOptions.config as { csrf?: string } | undefined)?.csrf === 'multipart-field')
      return done();
    const body = req.body as Record<string, unknown> | undefined;
    const query = req.query as Record<string, unknown> | undefined;
    const presented = body?._csrf ?? query?._csrf ?? req.headers['x-csrf-token'];
    if (!csrfTokenMatches(options.sessionSecret, req.cookies[CSRF_COOKIE], presented)) {
      return done(
        new Forbidden(
          'This form has expired or did not come from Pooled. Go back, reload the page and try again.',
        ),
      );
    }
    done();
  });

  // 6. Page rendering with the layout's shared data.
  app.decorateReply(
    'render',
    function render(this: FastifyReply, template: string, data = {}, status = 200) {
      const req = this.request;
      const user = req.principal?.kind === 'user' ? req.principal : undefined;
      const html = options.views.render(template, {
        ...data,
        principal: user,
        navigation: navigationFor(user, req.url.split('?')[0] ?? '/'),
        csrfToken: req.csrfToken,
        cspNonce: (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
        flash: data.flash ?? req.flash,
        currentPath: req.url,
      });
      return this.status(status).type('text/html; charset=utf-8').send(html);
    },
  );

  app.decorateReply('flash', function flash(this: FastifyReply, message: string) {
    return this.setCookie('pooled_flash', message, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: options.secureCookies,
    });
  });

  // 7. Errors: one mapping, HTML or problem+json.
  installErrorHandling(app, { showStack: options.showStacks });

  // 8. Features.
  for (const feature of features) await feature(app);
  return app;
}

/**
 * The signed-in user, holding at least one of the roles when any are given. Throws SignInRequired
 * (a redirect to sign in), PasswordChangeRequired or Forbidden, which the error handler maps.
 */
export function currentUser(req: FastifyRequest, ...roles: Role[]): UserPrincipal {
  const p = req.principal;
  if (p?.kind !== 'user') throw new SignInRequired('Sign in to continue');
  if (p.mustChangePassword) throw new PasswordChangeRequired('Choose a new password first');
  if (roles.length > 0 && !roles.some((r) => p.roles.has(r))) {
    throw new Forbidden(
      'Your role does not include this. Ask your partnership administrator if you need it.',
    );
  }
  return p;
}

export function setFlash(reply: FastifyReply, message: string, secure: boolean): void {
  reply.setCookie('pooled_flash', message, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
  });
}
