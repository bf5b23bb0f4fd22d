// Sign in, sign out and change password. Local accounts today; single sign-on (OpenID Connect)
// will be another way to reach sessions.create, leaving everything after sign-in unchanged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../platform/auth/passwords.js';
import { SESSION_COOKIE, type SessionStore } from '../../platform/auth/sessions.js';
import { describeErrors, validateForm } from '../../platform/http/forms.js';
import { SignInRequired } from '../../platform/http/errors.js';
import { afterFailure, afterSuccess, canAttempt, type LockoutPolicy } from './rules.js';
import type { AccountStore } from './store.js';

export interface AuthDeps {
  db: Db;
  accounts: AccountStore;
  sessions: SessionStore;
  policy: LockoutPolicy;
  secureCookies: boolean;
  signInRateLimitPerMinute: number;
  now: () => Date;
}

const SignInForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email address')
    .pipe(z.email('Enter an email address in the correct format, like name@example.org')),
  password: z.string().min(1, 'Enter your password'),
  next: z.string().optional(),
});

const ChangePasswordForm = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: z.string().min(1, 'Enter a new password'),
    confirmPassword: z.string().min(1, 'Enter the new password again'),
  })
  .refine((f) => f.newPassword === f.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  });

/** Only same-site relative paths are followed after sign-in. */
const safeNext = (next: string | undefined): string =>
  next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';

export function authRoutes(deps: AuthDeps) {
  return (app: FastifyInstance): void => {
    app.get('/sign-in', async (req, reply) => {
      const next = (req.query as { next?: string }).next;
      return reply.render('auth/views/sign-in.njk', { pageTitle: 'Sign in', values: { next } });
    });

    app.post(
      '/sign-in',
      { config: { rateLimit: { max: deps.signInRateLimitPerMinute, timeWindow: '1 minute' } } },
      async (req, reply) => signIn(deps, req, reply),
    );

    app.post('/sign-out', async (req, reply) => {
      if (req.sessionToken) await deps.sessions.destroy(req.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/sign-in?signedOut=1', 303);
    });

    app.get('/change-password', async (req, reply) => {
      if (req.principal?.kind !== 'user') throw new SignInRequired('Sign in to continue');
      return reply.render('auth/views/change-password.njk', {
        pageTitle: 'Choose a new password',
        mustChange: req.principal.mustChangePassword,
      });
    });

    app.post('/change-password', async (req, reply) => {
      const p = req.principal;
      if (p?.kind !== 'user') throw new SignInRequired('Sign in to continue');
      const page = (errors: ReturnType<typeof describeErrors>) =>
        reply.render(
          'auth/views/change-password.njk',
          { pageTitle: 'Choose a new password', mustChange: p.mustChangePassword, ...errors },
          400,
        );
      const form = validateForm(ChangePasswordForm, req.body);
      if (!form.ok) return page(form);
      const hash = await deps.accounts.passwordHashOf(p.userId);
      if (!(await verifyPassword(hash, form.data.currentPassword))) {
        return page(
          describeErrors([
            { field: 'currentPassword', message: 'Your current password is not right' },
          ]),
        );
      }
      const problem = passwordProblem(form.data.newPassword, p.email);
      if (problem) return page(describeErrors([{ field: 'newPassword', message: problem }]));
      if (form.data.newPassword === form.data.currentPassword) {
        return page(
          describeErrors([
            { field: 'newPassword', message: 'Choose a password different from your current one' },
          ]),
        );
      }
      await deps.accounts.setPassword(p.userId, await hashPassword(form.data.newPassword), false);
      // Other sessions of this user end; this one carries on.
      await deps.db.system
        .deleteFrom('sessions')
        .where('user_id', '=', p.userId)
        .where('id', '!=', p.sessionId)
        .execute();
      reply.setCookie('pooled_flash', 'Your password has been changed', {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
      });
      return reply.redirect('/', 303);
    });
  };
}

async function signIn(deps: AuthDeps, req: FastifyRequest, reply: FastifyReply) {
  const form = validateForm(SignInForm, req.body);
  const values = {
    email: (req.body as Record<string, unknown> | undefined)?.email,
    next: (req.body as Record<string, unknown> | undefined)?.next,
  };
  if (!form.ok)
    return reply.render('auth/views/sign-in.njk', { pageTitle: 'Sign in', values, ...form }, 400);
  const wrong = () =>
    reply.render(
      'auth/views/sign-in.njk',
      {
        pageTitle: 'Sign in',
        values,
        ...describeErrors([
          { field: 'email', message: 'The email address or password is not right' },
        ]),
      },
      400,
    );
  const now = deps.now();
  const account = await deps.accounts.findByEmail(form.data.email);
  if (!account) {
    await verifyPassword(null, form.data.password);
    return wrong();
  }
  const state = {
    failedSignIns: account.failedSignIns,
    lockedUntil: account.lockedUntil,
    disabledAt: account.disabledAt,
  };
  const decision = canAttempt(state, now);
  if (decision.outcome !== 'allowed') {
    const message =
      decision.outcome === 'locked'
        ? 'This account is locked for a short time after too many wrong passwords. Try again later, or ask your administrator.'
        : 'This account has been switched off. Ask your partnership administrator.';
    return reply.render(
      'auth/views/sign-in.njk',
      { pageTitle: 'Sign in', values, ...describeErrors([{ field: 'email', message }]) },
      400,
    );
  }
  if (!(await verifyPassword(account.passwordHash, form.data.password))) {
    const next = afterFailure(state, deps.policy, now);
    await deps.accounts.recordAttempt(account.id, next.failedSignIns, next.lockedUntil);
    await recordSignInEvent(deps.db, account, 'sign_in_failed', req.ip);
    return wrong();
  }
  const ok = afterSuccess(state);
  await deps.accounts.recordAttempt(account.id, ok.failedSignIns, ok.lockedUntil, now);
  const session = await deps.sessions.create(account.id, account.partnershipId);
  await recordSignInEvent(deps.db, account, 'sign_in', req.ip);
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.secureCookies,
    expires: session.expiresAt,
  });
  return reply.redirect(
    account.mustChangePassword ? '/change-password' : safeNext(form.data.next),
    303,
  );
}

async function recordSignInEvent(
  db: Db,
  account: { id: string; partnershipId: string; email: string },
  action: string,
  ip: string,
) {
  await db.system
    .insertInto('audit_events')
    .values({
      partnership_id: account.partnershipId,
      user_id: account.id,
      actor: account.email,
      action,
      record_type: 'user',
      record_id: account.id,
      ip,
    })
    .execute();
}
