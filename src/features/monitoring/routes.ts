// The finance queue (issue 5 point 7): open monitoring flags, oldest first, and a page for each
// flag with the proportionate actions: dismiss with a reason, record that the person was
// contacted, propose a recovery with the written-notice details, confirm or withdraw a proposed
// recovery.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lastDailyRun } from './daily.js';
import { currentUser } from '../../platform/http/app.js';
import type { Db } from '../../platform/db/database.js';
import {
  addDays,
  civilDateFromParts,
  todayInLondon,
  type CivilDate,
} from '../../platform/dates.js';
import { Invalid, type FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import { LIST_PAGE_SIZE, paging, readPage } from '../../platform/http/paging.js';
import { parsePounds, pence } from '../../platform/money.js';
import { NEVER_BUY_LABELS, type NeverBuyCategory } from '../statements/index.js';
import { PLAN_ITEM_CATEGORY_LABELS, type PlanItemCategory } from '../planning/index.js';
import {
  DEFAULT_RECONSIDERATION,
  describeFlag,
  FLAG_LABELS,
  RECOVERY_REASONS,
  recoveryNotice,
  type FlagDetails,
} from './rules.js';
import { createMonitoringService } from './service.js';
import { withdrawRecovery } from './withdraw.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

const STATUS_LABELS: Record<string, string> = {
  open: 'New',
  contacted: 'Person contacted',
  recovery_proposed: 'Recovery proposed',
  dismissed: 'Dismissed',
  resolved: 'Resolved',
};

export function categoryLabel(c: string): string {
  return (
    (NEVER_BUY_LABELS as Record<string, string>)[c as NeverBuyCategory] ??
    (PLAN_ITEM_CATEGORY_LABELS as Record<string, string>)[c as PlanItemCategory] ??
    c
  );
}

function suggestedReasons(details: FlagDetails): string {
  switch (details.kind) {
    case 'balance_above_weeks':
    case 'no_activity':
      return RECOVERY_REASONS.unused_funds;
    case 'never_buy_category':
      return RECOVERY_REASONS.never_buy;
    case 'outside_plan_categories':
      return RECOVERY_REASONS.outside_plan;
    case 'overspend':
      return '';
  }
}

export function monitoringRoutes(deps: RouteDeps) {
  const service = createMonitoringService(deps);
  return (app: FastifyInstance): void => {
    app.get('/finance/monitoring', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const page = readPage(field(req.query, 'page'));
      const { flags, total } = await service.queuePage(user, req.ip, page, LIST_PAGE_SIZE);
      const last = await lastDailyRun(deps.db, user.partnershipId);
      return reply.render('monitoring/views/queue.njk', {
        pageTitle: 'Monitoring flags',
        lastCheck: last && { at: last.finishedAt, accounts: last.outcome.accounts },
        columnWidth: 'full',
        paging: paging('/finance/monitoring', {}, page, total),
        flags: flags.map((f) => ({
          ...f,
          label: FLAG_LABELS[f.kind],
          summary: describeFlag(f.details),
          statusLabel: STATUS_LABELS[f.status] ?? f.status,
        })),
      });
    });

    const renderFlag = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const user = currentUser(req, 'finance_officer');
      const flag = await service.flag(user, param(req, 'id'), req.ip);
      const today = todayInLondon(deps.now());
      const repayBy = addDays(today, 28);
      const defaults: Record<string, string> = {
        amount:
          flag.details.kind === 'balance_above_weeks'
            ? (flag.details.proposedRecoveryPence / 100).toFixed(2)
            : '',
        reasons: suggestedReasons(flag.details),
        'repayBy-day': repayBy.slice(8, 10),
        'repayBy-month': repayBy.slice(5, 7),
        'repayBy-year': repayBy.slice(0, 4),
        whoMustRepay: `${flag.personName}, from the direct payment account`,
        reconsideration: DEFAULT_RECONSIDERATION,
      };
      const transactions =
        flag.details.kind === 'never_buy_category' ||
        flag.details.kind === 'outside_plan_categories'
          ? flag.details.transactions.map((t) => ({
              ...t,
              amount: pence(-t.amountPence),
              categoryLabel: categoryLabel(t.category),
            }))
          : [];
      return reply.render(
        'monitoring/views/flag.njk',
        {
          pageTitle: FLAG_LABELS[flag.kind],
          flag,
          summary: describeFlag(flag.details),
          statusLabel: STATUS_LABELS[flag.status] ?? flag.status,
          unresolved: ['open', 'contacted', 'recovery_proposed'].includes(flag.status),
          balance: pence(flag.balancePence),
          transactions,
          recoveries: flag.recoveries.map((r) => ({
            ...r,
            amount: pence(r.amountPence),
            notice: recoveryNotice({
              body: flag.body,
              amountPence: r.amountPence,
              reasons: r.reasons,
              repayBy: r.repayBy as CivilDate,
              whoMustRepay: r.whoMustRepay,
              reconsideration: r.reconsideration,
            }),
          })),
          values: { ...defaults, ...(page.values ?? {}) },
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/finance/monitoring/:id', (req, reply) => renderFlag(req, reply));

    const done = (reply: FastifyReply, message: string) => {
      reply.flash(message);
      return reply.redirect('/finance/monitoring', 303);
    };

    app.post('/finance/monitoring/:id/dismiss', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const reason = field(req.body, 'reason');
      try {
        await service.dismiss(
          user,
          param(req, 'id'),
          Number(field(req.body, 'version')),
          reason,
          req.ip,
        );
      } catch (error) {
        if (error instanceof Invalid)
          return renderFlag(req, reply, { values: { reason }, errors: error.errors, status: 400 });
        throw error;
      }
      return done(reply, 'Flag dismissed');
    });

    app.post('/finance/monitoring/:id/contacted', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const note = field(req.body, 'note');
      try {
        await service.recordContact(
          user,
          param(req, 'id'),
          Number(field(req.body, 'version')),
          note,
          req.ip,
        );
      } catch (error) {
        if (error instanceof Invalid)
          return renderFlag(req, reply, { values: { note }, errors: error.errors, status: 400 });
        throw error;
      }
      return done(reply, 'Contact recorded');
    });

    app.post('/finance/monitoring/:id/recovery', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const values: Record<string, string> = {};
      for (const n of [
        'amount',
        'reasons',
        'repayBy-day',
        'repayBy-month',
        'repayBy-year',
        'whoMustRepay',
        'reconsideration',
      ])
        values[n] = field(req.body, n);
      const amount = parsePounds(values.amount ?? '');
      const repayBy =
        civilDateFromParts(
          values['repayBy-day'] ?? '',
          values['repayBy-month'] ?? '',
          values['repayBy-year'] ?? '',
        ) ?? null;
      const errors: FieldError[] = [];
      if (!amount.ok && (values.amount ?? '') !== '')
        errors.push({ field: 'amount', message: amount.message });
      try {
        if (errors.length) throw new Invalid(errors);
        await service.proposeRecovery(
          user,
          param(req, 'id'),
          Number(field(req.body, 'version')),
          {
            amountPence: amount.ok ? amount.value : null,
            reasons: values.reasons ?? '',
            repayBy,
            whoMustRepay: values.whoMustRepay ?? '',
            reconsideration: values.reconsideration ?? '',
          },
          todayInLondon(deps.now()),
          req.ip,
        );
      } catch (error) {
        if (error instanceof Invalid)
          return renderFlag(req, reply, {
            values,
            errors: error.errors.map((e) =>
              e.field === 'repayBy' ? { ...e, field: 'repayBy-day' } : e,
            ),
            status: 400,
          });
        throw error;
      }
      reply.flash('Recovery proposed: check the notice and confirm it when it has been sent');
      return reply.redirect(`/finance/monitoring/${param(req, 'id')}`, 303);
    });

    app.post('/finance/recoveries/:id/confirm', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const flagId = field(req.body, 'flagId');
      try {
        await service.confirmRecovery(user, param(req, 'id'), todayInLondon(deps.now()), req.ip);
      } catch (error) {
        if (error instanceof Invalid && /^[0-9a-f-]{36}$/.test(flagId)) {
          (req.params as Record<string, string>).id = flagId;
          return renderFlag(req, reply, { errors: error.errors, status: 400 });
        }
        throw error;
      }
      return done(reply, `Recovery confirmed and recorded on the ledger`);
    });

    app.post('/finance/recoveries/:id/withdraw', async (req, reply) => {
      const user = currentUser(req, 'finance_officer');
      const flagId = field(req.body, 'flagId');
      const withdrawReason = field(req.body, 'withdrawReason');
      let withdrawn: { flagId: string | null };
      try {
        withdrawn = await withdrawRecovery(deps, user, param(req, 'id'), withdrawReason, req.ip);
      } catch (error) {
        if (error instanceof Invalid && /^[0-9a-f-]{36}$/.test(flagId)) {
          (req.params as Record<string, string>).id = flagId;
          return renderFlag(req, reply, {
            values: { withdrawReason },
            errors: error.errors,
            status: 400,
          });
        }
        throw error;
      }
      reply.flash('Recovery withdrawn: nothing was taken from the account');
      return reply.redirect(
        withdrawn.flagId ? `/finance/monitoring/${withdrawn.flagId}` : '/finance/monitoring',
        303,
      );
    });
  };
}
