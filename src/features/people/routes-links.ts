// Pages for what hangs off a person: consent (record, withdraw), representatives, care team,
// and break glass (emergency access with a reason).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { todayInLondon, isCivilDate } from '../../platform/dates.js';
import { Invalid } from '../../platform/http/errors.js';
import { field, validateForm } from '../../platform/http/forms.js';
import { dateFromParts, withDateAnchors, type FormValues } from './form.js';
import { ctxOf, idParam, type PeopleRouteDeps } from './request.js';
import { BREAK_GLASS_MIN_REASON } from './rules.js';
import { CONSENT_METHODS, CONSENT_SCOPES, REPRESENTATIVE_KINDS } from './store-links.js';

const optional = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .transform((v) => (v === '' ? null : v));

const pastDate = (today: string, label: string) =>
  z
    .string()
    .refine((v) => v !== '', `Enter ${label}`)
    .refine(
      (v) => v === '' || isCivilDate(v),
      `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} must be a real date`,
    )
    .refine(
      (v) => !isCivilDate(v) || v <= today,
      `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} must be today or in the past`,
    );

const consentForm = (today: string) =>
  z.object({
    scope: z.enum(CONSENT_SCOPES, { error: 'Select what the person agreed to share' }),
    givenOn: pastDate(today, 'the date consent was given'),
    howGiven: z.enum(CONSENT_METHODS, { error: 'Select how consent was given' }),
    givenBy: z
      .string()
      .trim()
      .min(1, 'Enter who gave consent')
      .max(200, 'Who gave consent must be 200 characters or fewer'),
    notes: optional(2000, 'Notes'),
  });

const withdrawForm = (today: string) =>
  z.object({
    withdrawnOn: pastDate(today, 'the date consent was withdrawn'),
    reason: z
      .string()
      .trim()
      .min(1, 'Enter why consent was withdrawn')
      .max(2000, 'The reason must be 2000 characters or fewer'),
  });

const representativeForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter their name')
    .max(200, 'Name must be 200 characters or fewer'),
  relationship: z
    .string()
    .trim()
    .min(1, 'Enter how they are related to the person, like mother or friend')
    .max(100, 'Relationship must be 100 characters or fewer'),
  kind: z.enum(REPRESENTATIVE_KINDS, { error: 'Select what kind of representative they are' }),
  phone: optional(30, 'Phone number'),
  email: z
    .string()
    .trim()
    .refine(
      (v) => v === '' || z.email().safeParse(v).success,
      'Enter an email address in the correct format, like name@example.com',
    )
    .transform((v) => (v === '' ? null : v)),
});

const fields = (body: unknown, names: string[]): FormValues =>
  Object.fromEntries(names.map((n) => [n, field(body, n)]));
const dateParts = (body: unknown, name: string): FormValues =>
  fields(body, [`${name}-day`, `${name}-month`, `${name}-year`]);
const personHref = (req: FastifyRequest) => `/people/${idParam(req)}`;

export function linkRoutes(deps: PeopleRouteDeps) {
  const { people } = deps;
  return (app: FastifyInstance): void => {
    // Consent: record.
    const consentPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const view = await people.view(ctxOf(req), idParam(req), 'consent');
      return reply.render(
        'people/views/consent-form.njk',
        { pageTitle: 'Record consent to share', backHref: personHref(req), view, ...extra },
        status,
      );
    };
    app.get('/people/:id/consent', async (req, reply) => {
      people.assertMayWrite(ctxOf(req));
      return consentPage(req, reply, { values: { givenBy: 'the person' } });
    });
    app.post('/people/:id/consent', async (req, reply) => {
      const values = {
        ...fields(req.body, ['scope', 'howGiven', 'givenBy', 'notes']),
        ...dateParts(req.body, 'givenOn'),
      };
      const raw = { ...values, givenOn: dateFromParts(req.body, 'givenOn') };
      const form = validateForm(consentForm(todayInLondon(deps.now())), raw);
      if (!form.ok)
        return consentPage(
          req,
          reply,
          { values, ...withDateAnchors(form.errors, ['givenOn']) },
          400,
        );
      await people.recordConsent(ctxOf(req), idParam(req), form.data);
      return reply.flash('The consent has been recorded').redirect(personHref(req), 303);
    });

    // Consent: withdraw.
    const consentIdParam = (req: FastifyRequest) => (req.params as { consentId: string }).consentId;
    const withdrawPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const view = await people.view(ctxOf(req), idParam(req), 'consent-withdraw');
      const consent = view.consents.find((c) => c.id === consentIdParam(req));
      if (!consent || consent.withdrawnOn !== null) return reply.callNotFound();
      return reply.render(
        'people/views/withdraw-form.njk',
        { pageTitle: 'Withdraw consent', backHref: personHref(req), view, consent, ...extra },
        status,
      );
    };
    app.get('/people/:id/consent/:consentId/withdraw', async (req, reply) => {
      people.assertMayWrite(ctxOf(req));
      return withdrawPage(req, reply, { values: {} });
    });
    app.post('/people/:id/consent/:consentId/withdraw', async (req, reply) => {
      const values = { ...fields(req.body, ['reason']), ...dateParts(req.body, 'withdrawnOn') };
      const raw = { reason: values.reason, withdrawnOn: dateFromParts(req.body, 'withdrawnOn') };
      const form = validateForm(withdrawForm(todayInLondon(deps.now())), raw);
      if (!form.ok)
        return withdrawPage(
          req,
          reply,
          { values, ...withDateAnchors(form.errors, ['withdrawnOn']) },
          400,
        );
      try {
        await people.withdrawConsent(
          ctxOf(req),
          idParam(req),
          consentIdParam(req),
          form.data.withdrawnOn,
          form.data.reason,
        );
      } catch (error) {
        if (error instanceof Invalid)
          return withdrawPage(
            req,
            reply,
            { values, ...withDateAnchors(error.errors, ['withdrawnOn']) },
            400,
          );
        throw error;
      }
      return reply.redirect(personHref(req), 303);
    });

    // Representatives.
    const repPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const view = await people.view(ctxOf(req), idParam(req), 'representative');
      return reply.render(
        'people/views/representative-form.njk',
        { pageTitle: 'Add a representative', backHref: personHref(req), view, ...extra },
        status,
      );
    };
    app.get('/people/:id/representatives/new', async (req, reply) => {
      people.assertMayWrite(ctxOf(req));
      return repPage(req, reply, { values: {} });
    });
    app.post('/people/:id/representatives/new', async (req, reply) => {
      const values = fields(req.body, ['name', 'relationship', 'kind', 'phone', 'email']);
      const form = validateForm(representativeForm, values);
      if (!form.ok) return repPage(req, reply, { values, ...form }, 400);
      await people.addRepresentative(ctxOf(req), idParam(req), form.data);
      return reply
        .flash(`${form.data.name} has been added as a representative`)
        .redirect(personHref(req), 303);
    });
    app.post('/people/:id/representatives/:repId/end', async (req, reply) => {
      await people.endRepresentative(
        ctxOf(req),
        idParam(req),
        (req.params as { repId: string }).repId,
      );
      return reply.redirect(personHref(req), 303);
    });

    // Care team.
    const careTeamPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const ctx = ctxOf(req);
      const view = await people.view(ctx, idParam(req), 'care-team');
      const { staff } = await people.formOptions(ctx);
      const onTeam = new Set(view.careTeam.map((m) => m.userId));
      return reply.render(
        'people/views/care-team.njk',
        {
          pageTitle: 'Care team',
          backHref: personHref(req),
          view,
          staff: staff.filter((s) => !onTeam.has(s.value)),
          ...extra,
        },
        status,
      );
    };
    app.get('/people/:id/care-team', async (req, reply) => {
      people.assertMayWrite(ctxOf(req));
      return careTeamPage(req, reply, { values: {} });
    });
    app.post('/people/:id/care-team', async (req, reply) => {
      const ctx = ctxOf(req);
      const values = fields(req.body, ['action', 'userId', 'roleOnTeam']);
      if (values.action === 'remove') {
        await people.removeCareTeamMember(ctx, idParam(req), values.userId ?? '');
        return reply.redirect(`${personHref(req)}/care-team`, 303);
      }
      const role = (values.roleOnTeam ?? '').trim() || 'practitioner';
      const errors = [];
      if (!values.userId) errors.push({ field: 'userId', message: 'Select a member of staff' });
      if (role.length > 100)
        errors.push({ field: 'roleOnTeam', message: 'Role must be 100 characters or fewer' });
      if (errors.length > 0)
        return careTeamPage(req, reply, { values, ...withDateAnchors(errors) }, 400);
      try {
        await people.addCareTeamMember(ctx, idParam(req), values.userId ?? '', role);
      } catch (error) {
        if (error instanceof Invalid)
          return careTeamPage(req, reply, { values, ...withDateAnchors(error.errors) }, 400);
        throw error;
      }
      return reply.redirect(`${personHref(req)}/care-team`, 303);
    });

    // Break glass.
    const breakGlassPage = (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) =>
      reply.render(
        'people/views/break-glass.njk',
        {
          pageTitle: 'Get emergency access to a record',
          backHref: '/people',
          personId: idParam(req),
          minLength: BREAK_GLASS_MIN_REASON,
          ...extra,
        },
        status,
      );
    app.get('/people/:id/break-glass', async (req, reply) => {
      const needed = await people.breakGlassNeeded(ctxOf(req), idParam(req));
      if (!needed) return reply.redirect(personHref(req), 303);
      return breakGlassPage(req, reply, { values: {} });
    });
    app.post('/people/:id/break-glass', async (req, reply) => {
      const values = fields(req.body, ['reason']);
      try {
        await people.breakGlass(ctxOf(req), idParam(req), values.reason ?? '');
      } catch (error) {
        if (error instanceof Invalid)
          return breakGlassPage(req, reply, { values, ...withDateAnchors(error.errors) }, 400);
        throw error;
      }
      return reply.redirect(personHref(req), 303);
    });
  };
}
