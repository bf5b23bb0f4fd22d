// Oversight: the audit trail, break-glass events for review, and one person's access history.
// For team managers (their teams) and partnership administrators (everything). Looking is audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit, auditMany } from '../../platform/audit/audit.js';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { CivilDateSchema } from '../../platform/dates.js';
import { currentUser, setFlash } from '../../platform/http/app.js';
import { describeErrors, validateForm } from '../../platform/http/forms.js';
import { Forbidden, NotFound } from '../../platform/http/errors.js';
import { OVERSIGHT_ROLES } from '../../platform/auth/roles.js';
import {
  ACTION_LABELS,
  AUDIT_ACTIONS,
  PAGE_SIZE,
  actorName,
  londonDayEnd,
  londonDayStart,
} from './rules.js';
import * as store from './store.js';

export interface AuditDeps {
  db: Db;
  now: () => Date;
  secureCookies: boolean;
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const AuditQuery = z
  .object({
    personId: z.preprocess(
      blankToUndefined,
      z.uuid('Enter the person ID in the correct format, like 3f2b…').optional(),
    ),
    userId: z.preprocess(blankToUndefined, z.uuid('Select a user from the list').optional()),
    action: z.preprocess(
      blankToUndefined,
      z.enum(AUDIT_ACTIONS, { error: 'Select an action from the list' }).optional(),
    ),
    from: z.preprocess(blankToUndefined, CivilDateSchema.optional()),
    to: z.preprocess(blankToUndefined, CivilDateSchema.optional()),
    page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).optional()),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    path: ['to'],
    message: 'The end date must be the same as or after the start date',
  });

const ReviewForm = z.object({
  reviewNote: z
    .string({ error: 'Enter a review note' })
    .trim()
    .min(1, 'Enter a review note')
    .max(2000, 'Review note must be 2,000 characters or fewer'),
});

const uuidParam = (req: FastifyRequest): string => {
  const parsed = z.uuid().safeParse((req.params as { id?: unknown }).id);
  if (!parsed.success) throw new NotFound('There is no such record');
  return parsed.data;
};

export function auditRoutes(deps: AuditDeps) {
  return (app: FastifyInstance): void => {
    app.get('/audit', async (req, reply) => {
      const user = currentUser(req, ...OVERSIGHT_ROLES);
      const raw = (req.query ?? {}) as Record<string, unknown>;
      const values = Object.fromEntries(
        ['personId', 'userId', 'action', 'from', 'to'].map((k) => [
          k,
          typeof raw[k] === 'string' ? raw[k] : '',
        ]),
      );
      const form = validateForm(AuditQuery, raw);
      const scope = store.scopeOf(user);
      const result = await inPartnership(deps.db, user.partnershipId, async (tx) => {
        const users = await store.listUserChoices(tx);
        if (!form.ok) return { users, events: undefined };
        const f = form.data;
        const page = f.page ?? 1;
        const filter = {
          personId: f.personId,
          userId: f.userId,
          action: f.action,
          from: f.from ? londonDayStart(f.from) : undefined,
          to: f.to ? londonDayEnd(f.to) : undefined,
        };
        const events = await store.listAuditEvents(tx, scope, filter, page, PAGE_SIZE);
        await audit(
          tx,
          { principal: user, ip: req.ip },
          {
            action: 'read',
            recordType: 'audit',
            detail: { filter: { ...f, page }, shown: events.rows.length },
          },
        );
        return { users, events: { ...events, page } };
      });
      const query = (page: number) => {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(values)) if (v) qs.set(k, v);
        qs.set('page', String(page));
        return `/audit?${qs.toString()}`;
      };
      const ev = result.events;
      return reply.render(
        'audit/views/audit.njk',
        {
          pageTitle: 'Audit',
          columnWidth: 'full',
          values,
          scopeAll: scope.all,
          userItems: [
            { value: '', text: 'Anyone' },
            ...result.users.map((u) => ({ value: u.id, text: `${u.fullName} (${u.email})` })),
          ],
          actionItems: [
            { value: '', text: 'Any action' },
            ...AUDIT_ACTIONS.map((a) => ({ value: a, text: ACTION_LABELS[a] })),
          ],
          events: ev?.rows.map((r) => ({
            ...r,
            actorName: actorName(r.actor),
            actionLabel: (ACTION_LABELS as Record<string, string>)[r.action] ?? r.action,
          })),
          page: ev?.page,
          previousUrl: ev && ev.page > 1 ? query(ev.page - 1) : undefined,
          nextUrl: ev?.hasNext ? query(ev.page + 1) : undefined,
          ...(form.ok ? {} : form),
        },
        form.ok ? 200 : 400,
      );
    });

    const breakGlassPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      errors?: ReturnType<typeof describeErrors>,
      values: Record<string, string> = {},
    ) => {
      const user = currentUser(req, ...OVERSIGHT_ROLES);
      const scope = store.scopeOf(user);
      const events = await inPartnership(deps.db, user.partnershipId, async (tx) => {
        const rows = await store.listBreakGlass(tx, scope);
        // The page shows people's names: each person seen is recorded.
        await auditMany(
          tx,
          { principal: user, ip: req.ip },
          [...new Set(rows.map((r) => r.personId))].map((personId) => ({
            action: 'list' as const,
            recordType: 'break_glass_event',
            personId,
          })),
        );
        return rows;
      });
      const now = deps.now().getTime();
      return reply.render(
        'audit/views/break-glass.njk',
        {
          pageTitle: 'Break-glass log',
          columnWidth: 'full',
          events: events.map((e) => ({ ...e, active: e.expiresAt.getTime() > now })),
          unreviewed: events.filter((e) => !e.reviewedAt).length,
          scopeAll: scope.all,
          values,
          ...errors,
        },
        errors ? 400 : 200,
      );
    };

    app.get('/oversight/break-glass', async (req, reply) => breakGlassPage(req, reply));

    app.post('/oversight/break-glass/:id/review', async (req, reply) => {
      const user = currentUser(req, ...OVERSIGHT_ROLES);
      const id = uuidParam(req);
      const form = validateForm(ReviewForm, req.body);
      if (!form.ok) {
        const errors = describeErrors(
          form.errors.map((e) => ({ field: `reviewNote-${id}`, message: e.message })),
        );
        const note = (req.body as Record<string, unknown> | undefined)?.reviewNote;
        return breakGlassPage(req, reply, errors, {
          [id]: typeof note === 'string' ? note : '',
        });
      }
      const reviewed = await inPartnership(deps.db, user.partnershipId, async (tx) => {
        const done = await store.reviewBreakGlass(
          tx,
          store.scopeOf(user),
          id,
          user.userId,
          form.data.reviewNote,
          deps.now(),
        );
        if (done)
          await audit(
            tx,
            { principal: user, ip: req.ip },
            {
              action: 'update',
              recordType: 'break_glass_event',
              recordId: id,
              personId: done.personId,
              detail: { reviewed: true },
            },
          );
        return done;
      });
      if (!reviewed) throw new NotFound('There is no such break-glass event waiting for review');
      setFlash(reply, 'The emergency access has been marked as reviewed', deps.secureCookies);
      return reply.redirect('/oversight/break-glass', 303);
    });

    app.get('/people/:id/access-log', async (req, reply) => {
      const user = currentUser(req, ...OVERSIGHT_ROLES);
      const personId = uuidParam(req);
      const scope = store.scopeOf(user);
      const result = await inPartnership(deps.db, user.partnershipId, async (tx) => {
        const person = await store.findPersonForOversight(tx, personId);
        if (!person) return undefined;
        const allowed =
          scope.all || (person.teamId !== null && scope.teamIds.includes(person.teamId));
        const ctx = { principal: user, ip: req.ip };
        if (!allowed) {
          await audit(tx, ctx, { action: 'access_refused', recordType: 'access_log', personId });
          return { person, history: undefined };
        }
        const history = await store.accessHistoryFor(tx, personId);
        await audit(tx, ctx, { action: 'read', recordType: 'access_log', personId });
        return { person, history };
      });
      if (!result) throw new NotFound('There is no such person');
      if (!result.history)
        throw new Forbidden(
          'You can see who has looked at the records of people in your teams only.',
        );
      return reply.render('audit/views/access-log.njk', {
        pageTitle: `Who has looked at ${result.person.name}'s record`,
        person: result.person,
        history: result.history,
        backHref: `/people/${personId}`,
      });
    });
  };
}
