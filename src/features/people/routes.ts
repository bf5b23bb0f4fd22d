// Pages about people: caseloads, search, add, view and edit. Consent, representatives, care team
// and break glass are in routes-links.ts. Every page about a person goes through the service,
// which applies the access rule and writes the audit event.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { Conflict, Invalid } from '../../platform/http/errors.js';
import { field } from '../../platform/http/forms.js';
import {
  addressOf,
  BASIS_LABELS,
  KIND_LABELS,
  METHOD_LABELS,
  SCOPE_LABELS,
  parsePersonForm,
  parseSearch,
  postedValues,
  recordValues,
  s117Items,
  supportReasonItems,
  withDateAnchors,
  type FormValues,
} from './form.js';
import { linkRoutes } from './routes-links.js';
import { ctxOf, idParam, type PeopleRouteDeps } from './request.js';
import {
  createPeopleService,
  SEARCH_LIMIT,
  type PeopleService,
  type PeopleServiceDeps,
} from './service.js';
import { STALE_MESSAGE } from './store.js';

/**
 * A part of the person's page that another feature provides (assessments and budget, say),
 * shown after the details. It runs after the page's own audited read has succeeded, so it is
 * only asked about a person the user may see.
 */
export type PersonPanel = (
  ctx: AuditContext,
  personId: string,
  user: ReturnType<typeof currentUser>,
) => Promise<{ template: string; data: Record<string, unknown> } | null>;

/**
 * "Next actions" on a caseload, from another feature (assessments in progress, people not yet
 * assessed). Asked only about the people the page already lists, which the user may see.
 */
export type CaseloadActions = (
  ctx: AuditContext,
  people: readonly { id: string; givenName: string; familyName: string; canOpen: boolean }[],
) => Promise<{ template: string; data: Record<string, unknown> } | null>;

export function peopleRoutes(
  options: PeopleServiceDeps & { panels?: PersonPanel[]; caseloadActions?: CaseloadActions[] },
) {
  const people = createPeopleService(options);
  const deps: PeopleRouteDeps = { people, now: options.now };
  return (app: FastifyInstance): void => {
    app.get('/caseload', async (req, reply) => {
      const ctx = ctxOf(req);
      const list = await people.caseload(ctx);
      const actions = [];
      for (const provide of options.caseloadActions ?? []) {
        const shown = await provide(
          ctx,
          list.filter((p) => p.canOpen),
        );
        if (shown) actions.push(shown);
      }
      return reply.render('people/views/caseload.njk', {
        pageTitle: 'Your caseload',
        columnWidth: 'full',
        people: list,
        actions,
      });
    });

    app.get('/team', async (req, reply) => {
      const ctx = ctxOf(req);
      const { people: list, teams } = await people.teamCaseload(ctx);
      return reply.render('people/views/team.njk', {
        pageTitle: 'Team caseload',
        columnWidth: 'full',
        people: list,
        teams,
      });
    });

    app.get('/people', async (req, reply) => {
      const ctx = ctxOf(req);
      const search = parseSearch(req.query);
      const base = { pageTitle: 'Find a person', columnWidth: 'full', values: search.values };
      if (!search.ok) return reply.render('people/views/search.njk', { ...base, ...search }, 400);
      if (search.empty) {
        // Check the role even when nothing was asked, so a commissioner sees 403 here too.
        people.assertMayRead(ctx);
        return reply.render('people/views/search.njk', base);
      }
      const result = await people.search(ctx, search.data);
      return reply.render('people/views/search.njk', {
        ...base,
        searched: true,
        results: result.people,
        more: result.more,
        limit: SEARCH_LIMIT,
      });
    });

    const renderForm = async (
      reply: FastifyReply,
      ctx: AuditContext,
      page: { personId?: string; values: FormValues; status?: number } & Record<string, unknown>,
    ) => {
      const options = await people.formOptions(ctx);
      const editing = page.personId !== undefined;
      return reply.render(
        'people/views/person-form.njk',
        {
          pageTitle: editing ? 'Change person’s details' : 'Add a person',
          backHref: editing ? `/people/${page.personId ?? ''}` : '/caseload',
          action: editing ? `/people/${page.personId ?? ''}/edit` : '/people/new',
          coordinators: options.coordinators,
          teams: options.teams,
          supportReasons: supportReasonItems,
          s117Sections: s117Items,
          ...page,
        },
        page.status ?? 200,
      );
    };

    app.get('/people/new', async (req, reply) => {
      const ctx = ctxOf(req);
      const user = currentUser(req);
      const values: FormValues = {
        primarySupportReason: 'Mental Health Support',
        careCoordinatorId: user.roles.has('care_coordinator') ? user.userId : '',
        teamId: user.teamIds[0] ?? '',
      };
      return renderForm(reply, ctx, { values, formWriteCheck: checkWrite(people, ctx) });
    });

    app.post('/people/new', async (req, reply) => {
      const ctx = ctxOf(req);
      const values = postedValues(req.body);
      const form = parsePersonForm(req.body, deps.now());
      if (!form.ok) return renderForm(reply, ctx, { values, ...form, status: 400 });
      try {
        const person = await people.create(ctx, form.data);
        return await reply
          .flash(`${form.data.givenName} ${form.data.familyName} has been added`)
          .redirect(`/people/${person.id}`, 303);
      } catch (error) {
        const page = formProblem(error);
        if (page) return renderForm(reply, ctx, { values, ...page });
        throw error;
      }
    });

    app.get('/people/:id', async (req, reply) => {
      const ctx = ctxOf(req);
      const view = await people.view(ctx, idParam(req));
      const panels = [];
      for (const panel of options.panels ?? []) {
        const shown = await panel(ctx, view.person.id, currentUser(req));
        if (shown) panels.push(shown);
      }
      return reply.render('people/views/record.njk', {
        panels,
        pageTitle: `${view.person.givenName} ${view.person.familyName}`,
        ...view,
        address: addressOf(view.person),
        scopeLabels: SCOPE_LABELS,
        methodLabels: METHOD_LABELS,
        kindLabels: KIND_LABELS,
        basisLabel: BASIS_LABELS[view.basis] ?? view.basis,
        canWrite: people.mayWrite(currentUser(req)),
      });
    });

    app.get('/people/:id/edit', async (req, reply) => {
      const ctx = ctxOf(req);
      people.assertMayWrite(ctx);
      const person = await people.get(ctx, idParam(req));
      return renderForm(reply, ctx, { personId: person.id, values: recordValues(person) });
    });

    app.post('/people/:id/edit', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = idParam(req);
      const values = postedValues(req.body, ['version']);
      const form = parsePersonForm(req.body, deps.now());
      if (!form.ok) return renderForm(reply, ctx, { personId: id, values, ...form, status: 400 });
      const version = Number(field(req.body, 'version'));
      try {
        await people.update(
          ctx,
          id,
          form.data,
          Number.isSafeInteger(version) && version > 0 ? version : undefined,
        );
        return await reply.flash('The changes have been saved').redirect(`/people/${id}`, 303);
      } catch (error) {
        if (error instanceof Conflict && error.message === STALE_MESSAGE) {
          // Show what the other person saved, keep this person's answers, and take the new version.
          const current = await people.get(ctx, id);
          return renderForm(reply, ctx, {
            personId: id,
            values: { ...values, version: String(current.version) },
            staleRecord: current,
            staleAddress: addressOf(current),
            ...withDateAnchors([
              {
                field: 'givenName',
                message: `${STALE_MESSAGE}. Check their changes below, then save again.`,
              },
            ]),
            status: 409,
          });
        }
        const page = formProblem(error);
        if (page) return renderForm(reply, ctx, { personId: id, values, ...page });
        throw error;
      }
    });

    linkRoutes(deps)(app);
  };
}

/** Refuses roles that cannot add people before the form is shown. */
function checkWrite(people: PeopleService, ctx: AuditContext): true {
  people.assertMayWrite(ctx);
  return true;
}

/** A duplicate identifier or an invalid choice: the form again, with the reason. */
function formProblem(error: unknown) {
  if (error instanceof Invalid) return { ...withDateAnchors(error.errors), status: 400 };
  if (error instanceof Conflict && error.existingHref) {
    const fieldName = (error as Conflict & { field?: string }).field ?? 'nhsNumber';
    return {
      ...withDateAnchors([{ field: fieldName, message: error.message }]),
      existingHref: error.existingHref,
      status: 409,
    };
  }
  return undefined;
}
