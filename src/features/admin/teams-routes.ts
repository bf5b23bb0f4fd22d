// Teams (with their members) and organisations.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/audit.js';
import { ORGANISATION_KINDS, ORGANISATION_KIND_LABELS } from '../../platform/auth/roles.js';
import { setFlash } from '../../platform/http/app.js';
import { describeErrors, validateForm } from '../../platform/http/forms.js';
import { NotFound, type FieldError } from '../../platform/http/errors.js';
import { adminRequest, idParam, type AdminDeps } from './context.js';
import { OrganisationForm, TeamForm, TeamMemberForm } from './forms.js';
import * as store from './store.js';

type Errors = ReturnType<typeof describeErrors>;

export function teamRoutes(deps: AdminDeps) {
  return (app: FastifyInstance): void => {
    app.get('/admin/teams', async (req, reply) => {
      const a = adminRequest(deps, req);
      const teams = await a.run((tx) => store.listTeams(tx));
      return reply.render('admin/views/teams.njk', {
        pageTitle: 'Teams',
        backHref: '/admin',
        teams,
      });
    });

    const newTeamPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, unknown>,
      errors?: Errors,
    ) => {
      const a = adminRequest(deps, req);
      const organisations = await a.run((tx) => store.listOrganisations(tx));
      return reply.render(
        'admin/views/team-new.njk',
        { pageTitle: 'Add a team', backHref: '/admin/teams', values, organisations, ...errors },
        errors ? 400 : 200,
      );
    };

    app.get('/admin/teams/new', async (req, reply) => newTeamPage(req, reply, {}));

    app.post('/admin/teams', async (req, reply) => {
      const a = adminRequest(deps, req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const again = (errors: FieldError[]) => newTeamPage(req, reply, body, describeErrors(errors));
      const form = validateForm(TeamForm, body);
      if (!form.ok) return again(form.errors);
      const organisations = await a.run((tx) => store.listOrganisations(tx));
      if (!organisations.some((o) => o.id === form.data.organisationId))
        return again([
          { field: 'organisationId', message: 'Select the organisation the team belongs to' },
        ]);
      let id: string;
      try {
        id = await a.run(async (tx) => {
          const teamId = await store.insertTeam(tx, a.admin.partnershipId, form.data);
          await audit(tx, a.ctx, {
            action: 'create',
            recordType: 'team',
            recordId: teamId,
            detail: { ...form.data },
          });
          return teamId;
        });
      } catch (err) {
        if (store.isUniqueViolation(err, 'teams_partnership_id_name_key'))
          return again([{ field: 'name', message: 'There is already a team with this name' }]);
        throw err;
      }
      setFlash(reply, `${form.data.name} has been added`, deps.secureCookies);
      return reply.redirect(`/admin/teams/${id}`, 303);
    });

    const teamPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      id: string,
      errors?: Errors,
    ) => {
      const a = adminRequest(deps, req);
      const [found, users] = await a.run((tx) =>
        Promise.all([store.findTeam(tx, id), store.listUsers(tx)]),
      );
      if (!found) throw new NotFound('There is no such team');
      const memberIds = new Set(found.members.map((m) => m.id));
      return reply.render(
        'admin/views/team.njk',
        {
          pageTitle: found.team.name,
          backHref: '/admin/teams',
          team: found.team,
          members: found.members,
          candidates: users.filter((u) => !memberIds.has(u.id) && !u.disabledAt),
          ...errors,
        },
        errors ? 400 : 200,
      );
    };

    app.get('/admin/teams/:id', async (req, reply) => teamPage(req, reply, idParam(req)));

    app.post('/admin/teams/:id/members', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const form = validateForm(TeamMemberForm, req.body);
      if (!form.ok) return teamPage(req, reply, id, form);
      const { userId } = form.data;
      const added = await a.run(async (tx) => {
        const [team, user] = await Promise.all([
          store.findTeam(tx, id),
          store.findUser(tx, userId),
        ]);
        if (!team) throw new NotFound('There is no such team');
        if (!user) return undefined;
        await store.addTeamMember(tx, a.admin.partnershipId, id, userId);
        await audit(tx, a.ctx, {
          action: 'update',
          recordType: 'team',
          recordId: id,
          detail: { added: userId },
        });
        return user.fullName;
      });
      if (!added)
        return teamPage(
          req,
          reply,
          id,
          describeErrors([{ field: 'userId', message: 'Select the person to add' }]),
        );
      setFlash(reply, `${added} has been added to the team`, deps.secureCookies);
      return reply.redirect(`/admin/teams/${id}`, 303);
    });

    app.post('/admin/teams/:id/members/:userId/remove', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const userId = idParam(req, 'userId');
      const removed = await a.run(async (tx) => {
        const gone = await store.removeTeamMember(tx, id, userId);
        if (gone)
          await audit(tx, a.ctx, {
            action: 'update',
            recordType: 'team',
            recordId: id,
            detail: { removed: userId },
          });
        return gone;
      });
      if (!removed) throw new NotFound('That person is not in this team');
      setFlash(reply, 'They have been removed from the team', deps.secureCookies);
      return reply.redirect(`/admin/teams/${id}`, 303);
    });

    app.get('/admin/organisations', async (req, reply) => {
      const a = adminRequest(deps, req);
      const organisations = await a.run((tx) => store.listOrganisations(tx));
      return reply.render('admin/views/organisations.njk', {
        pageTitle: 'Organisations',
        backHref: '/admin',
        organisations: organisations.map((o) => ({
          ...o,
          kindLabel: ORGANISATION_KIND_LABELS[o.kind],
        })),
      });
    });

    const newOrganisationPage = (
      reply: FastifyReply,
      values: Record<string, unknown>,
      errors?: Errors,
    ) =>
      reply.render(
        'admin/views/organisation-new.njk',
        {
          pageTitle: 'Add an organisation',
          backHref: '/admin/organisations',
          values,
          kindItems: ORGANISATION_KINDS.map((k) => ({
            value: k,
            text: ORGANISATION_KIND_LABELS[k],
            checked: values.kind === k,
          })),
          ...errors,
        },
        errors ? 400 : 200,
      );

    app.get('/admin/organisations/new', async (req, reply) => {
      adminRequest(deps, req);
      return newOrganisationPage(reply, {});
    });

    app.post('/admin/organisations', async (req, reply) => {
      const a = adminRequest(deps, req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const form = validateForm(OrganisationForm, body);
      if (!form.ok) return newOrganisationPage(reply, body, form);
      const values = {
        name: form.data.name,
        kind: form.data.kind,
        odsCode: form.data.odsCode || null,
      };
      try {
        await a.run(async (tx) => {
          const id = await store.insertOrganisation(tx, a.admin.partnershipId, values);
          await audit(tx, a.ctx, {
            action: 'create',
            recordType: 'organisation',
            recordId: id,
            detail: { ...values },
          });
        });
      } catch (err) {
        if (store.isUniqueViolation(err, 'organisations_partnership_id_name_key'))
          return newOrganisationPage(
            reply,
            body,
            describeErrors([
              { field: 'name', message: 'There is already an organisation with this name' },
            ]),
          );
        throw err;
      }
      setFlash(reply, `${values.name} has been added`, deps.secureCookies);
      return reply.redirect('/admin/organisations', 303);
    });
  };
}
