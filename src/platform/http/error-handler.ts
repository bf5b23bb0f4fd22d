// The one place errors become HTTP: NHS.UK error pages for browsers, problem+json for the API.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import {
  Conflict,
  DomainError,
  Forbidden,
  Invalid,
  PasswordChangeRequired,
  SignInRequired,
} from './errors.js';
import { sendProblem } from './problem.js';

const isApi = (req: FastifyRequest): boolean => req.url.startsWith('/api/');

export function installErrorHandling(app: FastifyInstance, options: { showStack: boolean }): void {
  app.setNotFoundHandler(async (req, reply) => {
    if (isApi(req)) {
      return sendProblem(reply, {
        status: 404,
        title: 'Not found',
        detail: `No resource at ${req.url}`,
      });
    }
    return reply.render('errors/404.njk', { pageTitle: 'Page not found' }, 404);
  });

  app.setErrorHandler(async (error: FastifyError | Error, req, reply) => {
    const status = statusOf(error);
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.info({ status, msg: error.message }, 'request refused');
    if (isApi(req)) return problemFor(reply, error, status);
    return pageFor(reply, error, status, options.showStack);
  });
}

function statusOf(error: unknown): number {
  if (error instanceof DomainError) return error.status;
  if (error instanceof ZodError) return 400;
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 500;
}

function problemFor(reply: FastifyReply, error: Error, status: number): FastifyReply {
  if (error instanceof Invalid) {
    return sendProblem(reply, {
      status,
      title: 'Your request has problems',
      detail: error.message,
      errors: error.errors,
    });
  }
  if (error instanceof ZodError) {
    const errors = error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    return sendProblem(reply, { status, title: 'Your request has problems', errors });
  }
  if (error instanceof Conflict) {
    return sendProblem(reply, {
      status,
      title: error.title,
      detail: error.message,
      ...(error.existingHref ? { existing: error.existingHref } : {}),
    });
  }
  if (error instanceof DomainError)
    return sendProblem(reply, { status, title: error.title, detail: error.message });
  const code = (error as { code?: unknown }).code;
  const titles: Record<number, string> = {
    400: 'Bad request',
    401: 'Sign-in required',
    403: 'Forbidden',
    404: 'Not found',
    405: 'Method not allowed',
    413: 'Request body too large',
    415: 'Unsupported media type',
    429: 'Too many requests',
  };
  if (status >= 500)
    return sendProblem(reply, { status, title: 'Something went wrong on our side' });
  return sendProblem(reply, {
    status,
    title: titles[status] ?? 'Request refused',
    detail:
      code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(error.message)
        ? 'The body is not valid JSON'
        : error.message,
  });
}

function pageFor(
  reply: FastifyReply,
  error: Error,
  status: number,
  showStack: boolean,
): FastifyReply {
  if (error instanceof SignInRequired) {
    const next =
      reply.request.method === 'GET' ? `?next=${encodeURIComponent(reply.request.url)}` : '';
    return reply.redirect(`/sign-in${next}`, 303);
  }
  if (error instanceof PasswordChangeRequired) return reply.redirect('/change-password', 303);
  if (status === 404) return reply.render('errors/404.njk', { pageTitle: 'Page not found' }, 404);
  if (status === 403) {
    return reply.render(
      'errors/403.njk',
      {
        pageTitle: 'You do not have access to this',
        message: error.message,
        breakGlassPersonId: error instanceof Forbidden ? error.breakGlassPersonId : undefined,
      },
      403,
    );
  }
  if (status === 413)
    return reply.render(
      'errors/problem.njk',
      {
        pageTitle: 'What you sent is too large',
        message: 'What you sent is too large. Send a smaller file or shorter text.',
      },
      413,
    );
  if (status === 429)
    return reply.render(
      'errors/problem.njk',
      {
        pageTitle: 'Too many attempts',
        message: 'There have been too many attempts. Wait a minute and try again.',
      },
      429,
    );
  if (status < 500)
    return reply.render(
      'errors/problem.njk',
      { pageTitle: 'There is a problem', message: error.message },
      status,
    );
  return reply.render(
    'errors/500.njk',
    {
      pageTitle: 'Sorry, there is a problem with the service',
      stack: showStack ? error.stack : undefined,
    },
    500,
  );
}
