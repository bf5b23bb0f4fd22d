// Users: list, create, edit (roles and teams), reset password, unlock, switch off and on.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditMany, type AuditEvent } from '../../platform/audit/audit.js';
import { hashPassword } from '../../platform/auth/passwords.js';
import type { Tx } from '../../platform/db/database.js';
import { ROLES, ROLE_LABELS, type Role } from '../../platform/auth/roles.js';
import { setFlash } from '../../platform/http/app.js';
import { describeErrors, validateForm } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { NotFound } from '../../platform/http/errors.js';
import {
  adminRequest,
  idParam,
  noStore,
  selected,
  temporaryPasswordOrRandom,
  type AdminDeps,
} from './context.js';
import { EditUserForm, NewUserForm, ResetPasswordForm } from './forms.js';
import {
  ACCOUNT_STATUS_LABELS,
  accountStatus,
  membershipChanges,
  roleChanges,
  selfChangeProblem,
} from './rules.js';
import * as store from './store.js';

const roleItems = (chosen: readonly string[]) =>
  ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r], checked: chosen.includes(r) }));

type Errors = ReturnType<typeof describeErrors>;

interface AccessChanges {
  grant?: readonly Role[];
  revoke?: readonly Role[];
  addTeams?: readonly string[];
  removeTeams?: readonly string[];
}

/** Grant and revoke roles and team places for one user; returns the audit events to write. */
async function changeAccess(
  tx: Tx,
  admin: { partnershipId: string; userId: string },
  userId: string,
  at: Date,
  changes: AccessChanges,
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (const role of changes.grant ?? []) {
    const grantId = await store.grantRole(tx, admin.partnershipId, userId, role, admin.userId);
    events.push({
      action: 'grant',
      recordType: 'role_grant',
      recordId: grantId,
      detail: { userId, role },
    });
  }
  for (const role of changes.revoke ?? []) {
    const grantId = await store.revokeRole(tx, userId, role, admin.userId, at);
    events.push({
      action: 'revoke',
      recordType: 'role_grant',
      recordId: grantId ?? null,
      detail: { userId, role },
    });
  }
  for (const teamId of changes.addTeams ?? []) {
    await store.addTeamMember(tx, admin.partnershipId, teamId, userId);
    events.push({
      action: 'update',
      recordType: 'team',
      recordId: teamId,
      detail: { added: userId },
    });
  }
  for (const teamId of changes.removeTeams ?? []) {
    await store.removeTeamMember(tx, teamId, userId);
    events.push({
      action: 'update',
      recordType: 'team',
      recordId: teamId,
      detail: { removed: userId },
    });
  }
  return events;
}

export function userRoutes(deps: AdminDeps) {
  return (app: FastifyInstance): void => {
    app.get('/admin/users', async (req, reply) => {
      const a = adminRequest(deps, req);
      const users = await a.run((tx) => store.listUsers(tx));
      const now = deps.now();
      return reply.render('admin/views/users.njk', {
        pageTitle: 'Users',
        columnWidth: 'full',
        backHref: '/admin',
        users: users.map((u) => ({
          ...u,
          roleLabels: u.roles.map((r) => ROLE_LABELS[r]),
          status: ACCOUNT_STATUS_LABELS[accountStatus(u, now)],
        })),
      });
    });

    const newUserPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, unknown>,
      errors?: Errors,
    ) => {
      const a = adminRequest(deps, req);
      const [organisations, teams] = await a.run((tx) =>
        Promise.all([store.listOrganisations(tx), store.listTeams(tx)]),
      );
      const chosenTeams = selected(values, 'teams');
      return reply.render(
        'admin/views/user-new.njk',
        {
          pageTitle: 'Add a user',
          backHref: '/admin/users',
          values,
          organisations,
          teamItems: teams.map((t) => ({
            value: t.id,
            text: t.name,
            checked: chosenTeams.includes(t.id),
          })),
          roleItems: roleItems(selected(values, 'roles')),
          ...errors,
        },
        errors ? 400 : 200,
      );
    };

    app.get('/admin/users/new', async (req, reply) => newUserPage(req, reply, {}));

    app.post('/admin/users', async (req, reply) => {
      const a = adminRequest(deps, req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const again = (errors: FieldError[]) =>
        newUserPage(req, reply, { ...body, temporaryPassword: '' }, describeErrors(errors));
      const form = validateForm(NewUserForm, body);
      if (!form.ok) return again(form.errors);
      const data = form.data;
      const unknown = await unknownChoices(a.run, data.organisationId, data.teams);
      if (unknown.length) return again(unknown);
      const { password, generated } = temporaryPasswordOrRandom(data.temporaryPassword);
      const passwordHash = await hashPassword(password);
      let userId: string;
      try {
        userId = await a.run(async (tx) => {
          const id = await store.insertUser(tx, a.admin.partnershipId, {
            fullName: data.fullName,
            email: data.email,
            organisationId: data.organisationId ?? null,
            passwordHash,
          });
          const events: AuditEvent[] = [
            {
              action: 'create',
              recordType: 'user',
              recordId: id,
              detail: { email: data.email, organisationId: data.organisationId ?? null },
            },
          ];
          events.push(
            ...(await changeAccess(tx, a.admin, id, deps.now(), {
              grant: [...new Set(data.roles)],
              addTeams: [...new Set(data.teams)],
            })),
          );
          await auditMany(tx, a.ctx, events);
          return id;
        });
      } catch (err) {
        if (store.isUniqueViolation(err, 'users_email_key'))
          return again([
            { field: 'email', message: 'A user with this email address already exists' },
          ]);
        throw err;
      }
      return noStore(reply).render('admin/views/password-shown.njk', {
        pageTitle: 'User added',
        heading: `${data.fullName} has been added`,
        userId,
        email: data.email,
        password,
        generated,
      });
    });

    app.get('/admin/users/:id', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const user = await a.run((tx) => store.findUser(tx, id));
      if (!user) throw new NotFound('There is no such user');
      const status = accountStatus(user, deps.now());
      return reply.render('admin/views/user.njk', {
        pageTitle: user.fullName,
        backHref: '/admin/users',
        user: { ...user, roleLabels: user.roles.map((r) => ROLE_LABELS[r]) },
        status,
        statusLabel: ACCOUNT_STATUS_LABELS[status],
        isSelf: user.id === a.admin.userId,
      });
    });

    const editPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      id: string,
      values?: Record<string, unknown>,
      errors?: Errors,
    ) => {
      const a = adminRequest(deps, req);
      const [user, organisations, teams] = await a.run((tx) =>
        Promise.all([store.findUser(tx, id), store.listOrganisations(tx), store.listTeams(tx)]),
      );
      if (!user) throw new NotFound('There is no such user');
      const v = values ?? {
        fullName: user.fullName,
        organisationId: user.organisationId ?? '',
        teams: user.teamIds,
        roles: user.roles,
      };
      const chosenTeams = selected(v, 'teams');
      return reply.render(
        'admin/views/user-edit.njk',
        {
          pageTitle: `Change ${user.fullName}`,
          backHref: `/admin/users/${id}`,
          user,
          values: v,
          organisations,
          teamItems: teams.map((t) => ({
            value: t.id,
            text: t.name,
            checked: chosenTeams.includes(t.id),
          })),
          roleItems: roleItems(selected(v, 'roles')),
          ...errors,
        },
        errors ? 400 : 200,
      );
    };

    app.get('/admin/users/:id/edit', async (req, reply) => editPage(req, reply, idParam(req)));

    app.post('/admin/users/:id/edit', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const again = (errors: FieldError[]) =>
        editPage(req, reply, id, body, describeErrors(errors));
      const form = validateForm(EditUserForm, body);
      if (!form.ok) return again(form.errors);
      const data = form.data;
      const unknown = await unknownChoices(a.run, data.organisationId, data.teams);
      if (unknown.length) return again(unknown);
      const outcome = await a.run(async (tx) => {
        const user = await store.findUser(tx, id);
        if (!user) throw new NotFound('There is no such user');
        const roles = roleChanges(user.roles, data.roles);
        const problem = selfChangeProblem(a.admin.userId, id, { revoke: roles.revoke });
        if (problem) return { problem };
        const teams = membershipChanges(user.teamIds, data.teams);
        const events: AuditEvent[] = [];
        const organisationId = data.organisationId ?? null;
        if (user.fullName !== data.fullName || user.organisationId !== organisationId) {
          await store.updateUserDetails(tx, id, { fullName: data.fullName, organisationId });
          events.push({
            action: 'update',
            recordType: 'user',
            recordId: id,
            detail: {
              fullName: { from: user.fullName, to: data.fullName },
              organisationId: { from: user.organisationId, to: organisationId },
            },
          });
        }
        events.push(
          ...(await changeAccess(tx, a.admin, id, deps.now(), {
            grant: roles.grant,
            revoke: roles.revoke,
            addTeams: teams.add,
            removeTeams: teams.remove,
          })),
        );
        await auditMany(tx, a.ctx, events);
        return { problem: undefined };
      });
      if (outcome.problem) return again([{ field: 'roles', message: outcome.problem }]);
      setFlash(reply, `${data.fullName}'s details have been saved`, deps.secureCookies);
      return reply.redirect(`/admin/users/${id}`, 303);
    });

    const resetPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      id: string,
      errors?: Errors,
    ) => {
      const a = adminRequest(deps, req);
      const user = await a.run((tx) => store.findUser(tx, id));
      if (!user) throw new NotFound('There is no such user');
      return reply.render(
        'admin/views/reset-password.njk',
        {
          pageTitle: `Set a new password for ${user.fullName}`,
          backHref: `/admin/users/${id}`,
          user,
          ...errors,
        },
        errors ? 400 : 200,
      );
    };

    app.get('/admin/users/:id/reset-password', async (req, reply) =>
      resetPage(req, reply, idParam(req)),
    );

    app.post('/admin/users/:id/reset-password', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const form = validateForm(ResetPasswordForm, req.body);
      if (!form.ok) return resetPage(req, reply, id, form);
      const { password, generated } = temporaryPasswordOrRandom(form.data.temporaryPassword);
      const hash = await hashPassword(password);
      const user = await a.run(async (tx) => {
        const found = await store.findUser(tx, id);
        if (!found) throw new NotFound('There is no such user');
        await store.setTemporaryPassword(tx, id, hash);
        await auditMany(tx, a.ctx, [
          {
            action: 'update',
            recordType: 'user',
            recordId: id,
            detail: { passwordReset: true, sessionsEnded: true },
          },
        ]);
        return found;
      });
      // Sessions are not visible to the application role; ending them is a system action.
      await deps.db.system.deleteFrom('sessions').where('user_id', '=', id).execute();
      return noStore(reply).render('admin/views/password-shown.njk', {
        pageTitle: 'New password set',
        heading: `A new password has been set for ${user.fullName}`,
        userId: id,
        email: user.email,
        password,
        generated,
        reset: true,
      });
    });

    app.post('/admin/users/:id/unlock', async (req, reply) => {
      const a = adminRequest(deps, req);
      const id = idParam(req);
      const name = await a.run(async (tx) => {
        const user = await store.findUser(tx, id);
        if (!user) throw new NotFound('There is no such user');
        await store.unlockUser(tx, id);
        await auditMany(tx, a.ctx, [
          { action: 'update', recordType: 'user', recordId: id, detail: { unlocked: true } },
        ]);
        return user.fullName;
      });
      setFlash(reply, `${name}'s account has been unlocked`, deps.secureCookies);
      return reply.redirect(`/admin/users/${id}`, 303);
    });

    for (const [path, disable] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      app.post(`/admin/users/:id/${path}`, async (req, reply) => {
        const a = adminRequest(deps, req);
        const id = idParam(req);
        const problem = selfChangeProblem(a.admin.userId, id, { disable });
        if (problem) {
          setFlash(reply, problem, deps.secureCookies);
          return reply.redirect(`/admin/users/${id}`, 303);
        }
        const name = await a.run(async (tx) => {
          const user = await store.findUser(tx, id);
          if (!user) throw new NotFound('There is no such user');
          await store.setDisabled(tx, id, disable ? deps.now() : null);
          await auditMany(tx, a.ctx, [
            { action: 'update', recordType: 'user', recordId: id, detail: { disabled: disable } },
          ]);
          return user.fullName;
        });
        if (disable)
          await deps.db.system.deleteFrom('sessions').where('user_id', '=', id).execute();
        setFlash(
          reply,
          disable
            ? `${name}'s account has been switched off`
            : `${name}'s account has been switched on`,
          deps.secureCookies,
        );
        return reply.redirect(`/admin/users/${id}`, 303);
      });
    }
  };
}

/** Organisation and team ids must be ones this partnership has (foreign keys ignore tenancy). */
async function unknownChoices(
  run: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  organisationId: string | undefined,
  teamIds: string[],
): Promise<FieldError[]> {
  const [organisations, teams] = await run((tx) =>
    Promise.all([store.listOrganisations(tx), store.listTeams(tx)]),
  );
  const errors: FieldError[] = [];
  if (organisationId && !organisations.some((o) => o.id === organisationId))
    errors.push({ field: 'organisationId', message: 'Select an organisation from the list' });
  if (teamIds.some((t) => !teams.some((x) => x.id === t)))
    errors.push({ field: 'teams', message: 'Select teams from the list' });
  return errors;
}
