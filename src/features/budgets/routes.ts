// Pages for finance officers: payment runs (list, prepare, preview and approve, finish posting,
// cancel, download the payment file), and the Budget panel on a person's page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import { csvDownload } from '../../platform/http/csv-download.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import {
  civilDateFromParts,
  formatCivilDate,
  formatDateTime,
  todayInLondon,
} from '../../platform/dates.js';
import { Conflict, Forbidden, Invalid, type FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import { paging, readPage } from '../../platform/http/paging.js';
import { formatPounds, parsePounds, pence } from '../../platform/money.js';
import type { PersonPanel } from '../people/index.js';
import { PLAN_ITEM_CATEGORY_LABELS } from '../planning/index.js';
import { NEVER_BUY_LABELS } from '../statements/index.js';
import { maskAccountReference } from './accounts-rules.js';
import { paymentAccountRoutes } from './accounts-routes.js';
import { createMoneyPanel } from './panel.js';
import { createPaymentsService } from './payments.js';
import { addDays, financialYearLabel } from './rules.js';
import { createBudgetsService } from './service.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

const ctxOf = (req: FastifyRequest): AuditContext => ({
  principal: currentUser(req, 'finance_officer'),
  ip: req.ip,
});
const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

const RUN_PAGE_SIZE = 100;
const TRANSACTIONS_PAGE_SIZE = 50;

const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  ...PLAN_ITEM_CATEGORY_LABELS,
  ...NEVER_BUY_LABELS,
};

/** A card or bank transaction as the panel and the transactions page show it. */
function transactionRow(
  c: {
    occurredOn: string;
    amountPence: number;
    description: string;
    category: string | null;
    planItemId: string | null;
  },
  itemName: (id: string) => string | undefined,
) {
  return {
    occurredOn: c.occurredOn,
    description: c.description,
    category: c.category ? (CATEGORY_LABELS[c.category] ?? c.category) : 'Not categorised',
    planItem: c.planItemId ? (itemName(c.planItemId) ?? null) : null,
    // Money out is negative on the statement; shown as a positive amount spent.
    refund: c.amountPence > 0,
    amount: pence(Math.abs(c.amountPence)),
  };
}

const STATUS_LABELS: Record<string, string> = {
  prepared: 'Waiting for approval',
  approved: 'Approved, being paid',
  posted: 'Paid',
  cancelled: 'Cancelled',
};

const HOLDING_LABELS: Record<string, string> = {
  direct_payment: 'Direct payment',
  managed: 'Managed by the council or NHS',
  third_party: 'Third-party budget',
  individual_service_fund: 'Individual service fund',
  mixed: 'Mixed',
};

export function paymentRoutes(deps: RouteDeps) {
  const service = createPaymentsService(deps);
  return (app: FastifyInstance): void => {
    paymentAccountRoutes(deps)(app);
    const renderList = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const runs = await service.list(ctxOf(req));
      return reply.render(
        'budgets/views/runs.njk',
        {
          pageTitle: 'Payment runs',
          columnWidth: 'full',
          runs: runs.map((r) => ({
            ...r,
            total: pence(r.total),
            statusLabel: STATUS_LABELS[r.status] ?? r.status,
          })),
          today: todayInLondon(deps.now()),
          values: page.values ?? {},
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/payments', (req, reply) => renderList(req, reply));

    app.post('/payments', async (req, reply) => {
      const ctx = ctxOf(req);
      const values: Record<string, string> = {};
      for (const n of ['dueUpTo-day', 'dueUpTo-month', 'dueUpTo-year'])
        values[n] = field(req.body, n);
      const dueUpTo = civilDateFromParts(
        values['dueUpTo-day'] ?? '',
        values['dueUpTo-month'] ?? '',
        values['dueUpTo-year'] ?? '',
      );
      if (!dueUpTo)
        return renderList(req, reply, {
          values,
          errors: [{ field: 'dueUpTo-day', message: 'Enter a real date, for example 27 3 2027' }],
          status: 400,
        });
      const run = await service.prepare(ctx, dueUpTo).catch((error: unknown) => {
        if (error instanceof Conflict) return error;
        throw error;
      });
      if (run instanceof Conflict)
        return renderList(req, reply, {
          values,
          errors: [{ field: 'dueUpTo-day', message: run.message }],
          status: 400,
        });
      reply.flash(
        'The payment run is prepared. Another finance officer must check and approve it.',
      );
      return reply.redirect(`/payments/${run.id}`, 303);
    });

    app.get('/payments/:id', async (req, reply) => {
      const ctx = ctxOf(req);
      const page = readPage(field(req.query, 'page'));
      const id = param(req, 'id');
      const view = await service.preview(ctx, id, {
        limit: RUN_PAGE_SIZE,
        offset: (page - 1) * RUN_PAGE_SIZE,
      });
      const user = currentUser(req);
      const r = view.run;
      const who = (name: string | null, at: Date | null) =>
        name && at ? `${name}, ${formatDateTime(at)}` : 'Not yet';
      const summaryRows = [
        ['Status', STATUS_LABELS[r.status] ?? r.status],
        ['Payments', view.summary.count.toLocaleString('en-GB')],
        ['Total', formatPounds(view.summary.total)],
        ...view.summary.byBody.map((b) => [
          `${b.body === 'nhs' ? 'NHS' : 'Council'} money`,
          `${b.count.toLocaleString('en-GB')} payments, ${formatPounds(b.total)}`,
        ]),
        ['Prepared by', who(r.preparedByName, r.preparedAt)],
        ['Approved by', who(r.approvedByName, r.approvedAt)],
      ].map(([k, v]) => ({ key: { text: k }, value: { text: v } }));
      return reply.render('budgets/views/run.njk', {
        summaryRows,
        pageTitle: 'Payment run',
        columnWidth: 'full',
        run: { ...view.run, total: pence(view.run.total) },
        summary: view.summary,
        lines: view.lines.map((l) => ({
          ...l,
          amount: pence(l.amount),
          accountReference: maskAccountReference(l.accountReference),
        })),
        preparedByMe: view.run.preparedBy === user.userId,
        paging: paging(`/payments/${id}`, {}, page, view.summary.count, RUN_PAGE_SIZE),
      });
    });

    app.post('/payments/:id/approve', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      await service.approve(ctx, id);
      const { paid } = await service.post(ctx, id);
      reply.flash(
        `The payment run is approved and ${paid.toLocaleString('en-GB')} payments are posted. Download the payment file for the finance system.`,
      );
      return reply.redirect(`/payments/${id}`, 303);
    });

    app.post('/payments/:id/post', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const { paid } = await service.post(ctx, id);
      reply.flash(`${paid.toLocaleString('en-GB')} more payments are posted.`);
      return reply.redirect(`/payments/${id}`, 303);
    });

    app.post('/payments/:id/cancel', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      await service.cancel(ctx, id);
      reply.flash('The payment run is cancelled. Its payments are due again.');
      return reply.redirect('/payments', 303);
    });

    // Provider invoices against a commitment (managed budgets).
    const budgets = createBudgetsService(deps);
    const renderInvoice = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const view = await budgets.commitment(ctxOf(req), param(req, 'id'));
      const c = view.commitment;
      return reply.render(
        'budgets/views/invoice.njk',
        {
          pageTitle: 'Record a provider invoice',
          person: view.person,
          commitment: {
            ...c,
            amount: pence(c.amount),
            invoiced: pence(c.invoiced),
            remaining: pence(c.remaining),
            invoices: c.invoices.map((i) => ({ ...i, amount: pence(i.amount) })),
          },
          values: page.values ?? {},
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };
    app.get('/commitments/:id/invoices/new', (req, reply) => renderInvoice(req, reply));
    app.post('/commitments/:id/invoices/new', async (req, reply) => {
      const ctx = ctxOf(req);
      const values: Record<string, string> = {};
      for (const n of ['number', 'amount', 'date-day', 'date-month', 'date-year'])
        values[n] = field(req.body, n);
      const errors: FieldError[] = [];
      if (values.number === '')
        errors.push({ field: 'number', message: 'Enter the invoice number' });
      const date = civilDateFromParts(
        values['date-day'] ?? '',
        values['date-month'] ?? '',
        values['date-year'] ?? '',
      );
      if (!date)
        errors.push({
          field: 'date-day',
          message: 'Enter the invoice date, for example 27 3 2026',
        });
      const amount = parsePounds(values.amount ?? '');
      if (!amount.ok) errors.push({ field: 'amount', message: amount.message });
      else if (amount.value <= 0)
        errors.push({ field: 'amount', message: 'Enter an amount more than £0' });
      if (errors.length > 0 || !date || !amount.ok)
        return renderInvoice(req, reply, { values, errors, status: 400 });
      const id = param(req, 'id');
      const done = await budgets
        .recordInvoice(ctx, id, { number: values.number ?? '', date, amountPence: amount.value })
        .catch((error: unknown) => {
          if (error instanceof Invalid) return error;
          throw error;
        });
      if (done instanceof Invalid)
        return renderInvoice(req, reply, { values, errors: done.errors, status: 400 });
      const view = await budgets.commitment(ctx, id);
      reply.flash(
        `The invoice is recorded. ${formatPounds(pence(done.remaining))} of the commitment is left.`,
      );
      return reply.redirect(`/people/${view.person.id}`, 303);
    });

    // The financial assessment's weekly client contribution.
    const renderAssessment = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const view = await budgets.financialAssessments(ctxOf(req), param(req, 'id'));
      return reply.render(
        'budgets/views/assessment.njk',
        {
          pageTitle: 'Financial assessment',
          person: view.person,
          assessments: view.assessments.map((a) => ({ ...a, weekly: pence(a.weeklyPence) })),
          values: page.values ?? {},
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };
    app.get('/people/:id/financial-assessment', (req, reply) => renderAssessment(req, reply));
    app.post('/people/:id/financial-assessment', async (req, reply) => {
      const ctx = ctxOf(req);
      const values: Record<string, string> = {};
      for (const n of ['weekly', 'from-day', 'from-month', 'from-year'])
        values[n] = field(req.body, n);
      const errors: FieldError[] = [];
      const weekly = parsePounds(values.weekly ?? '');
      if (!weekly.ok) errors.push({ field: 'weekly', message: weekly.message });
      else if (weekly.value < 0)
        errors.push({ field: 'weekly', message: 'The contribution cannot be less than £0' });
      const from = civilDateFromParts(
        values['from-day'] ?? '',
        values['from-month'] ?? '',
        values['from-year'] ?? '',
      );
      if (!from)
        errors.push({
          field: 'from-day',
          message: 'Enter the date it applies from, for example 1 4 2026',
        });
      if (errors.length > 0 || !from || !weekly.ok)
        return renderAssessment(req, reply, { values, errors, status: 400 });
      const id = param(req, 'id');
      await budgets.recordFinancialAssessment(ctx, id, {
        weeklyPence: weekly.value,
        effectiveFrom: from,
      });
      reply.flash(
        `The financial assessment is recorded: ${formatPounds(weekly.value)} a week from ${formatCivilDate(from)}. It applies to budgets made from now on.`,
      );
      return reply.redirect(`/people/${id}`, 303);
    });

    // Every card and bank transaction of a person, newest first (the panel shows the latest).
    const money = createMoneyPanel(deps);
    app.get('/people/:id/transactions', async (req, reply) => {
      const user = currentUser(req);
      if (user.roles.has('commissioner') && user.roles.size === 1)
        throw new Forbidden('Commissioners see budgets in reports, not by person.');
      const ctx: AuditContext = { principal: user, ip: req.ip };
      const id = param(req, 'id');
      const page = readPage(field(req.query, 'page'));
      const found = await money.transactions(ctx, id, {
        limit: TRANSACTIONS_PAGE_SIZE,
        offset: (page - 1) * TRANSACTIONS_PAGE_SIZE,
      });
      return reply.header('cache-control', 'no-store').render('budgets/views/transactions.njk', {
        pageTitle: 'Card and bank transactions',
        columnWidth: 'full',
        person: found.person,
        total: found.total,
        transactions: found.transactions.map((c) =>
          transactionRow(c, (itemId) => found.itemNames.get(itemId)),
        ),
        paging: paging(`/people/${id}/transactions`, {}, page, found.total, TRANSACTIONS_PAGE_SIZE),
      });
    });

    app.get('/payments/:id/file.csv', async (req, reply) => {
      const { run, csv } = await service.file(ctxOf(req), param(req, 'id'));
      return csvDownload(reply, `payment-run-${run.dueUpTo}-${run.id.slice(0, 8)}.csv`).send(csv);
    });
  };
}

/**
 * The Budget panel on a person's page: balances by stream, what the holding account holds, next
 * payment, commitments, spending by plan item against the plan, and the latest transactions.
 */
export function budgetPanel(deps: RouteDeps): PersonPanel {
  const money = createMoneyPanel(deps);
  return async (ctx, personId, user) => {
    if (user.roles.has('commissioner') && user.roles.size === 1) return null;
    const panel = await money.panel(ctx, personId);
    const finance = user.roles.has('finance_officer');
    const itemNames = new Map(panel.streams.flatMap((s) => s.items.map((i) => [i.itemId, i.what])));
    const recent = panel.recent.map((c) => transactionRow(c, (id) => itemNames.get(id)));
    if (panel.streams.length === 0)
      return {
        template: 'budgets/views/_panel.njk',
        data: { streams: [], finance, recent, moreTransactions: panel.moreTransactions },
      };
    return {
      template: 'budgets/views/_panel.njk',
      data: {
        finance,
        year: financialYearLabel(panel.financialYear),
        recent,
        moreTransactions: panel.moreTransactions,
        streams: panel.streams.map((s) => ({
          name: s.budget.streamName,
          body: s.budget.body === 'nhs' ? 'NHS' : 'Council',
          holding: HOLDING_LABELS[s.budget.holding] ?? s.budget.holding,
          amount: pence(s.budget.amount),
          balance: pence(s.balance),
          startsOn: s.budget.startsOn,
          endsOn: s.budget.endsOn,
          // Still running to its end (a new version that starts later; a replaced version's
          // weeks before its successor): its payments are still to come.
          ending: s.budget.endsOn !== null && s.budget.endsOn >= todayInLondon(deps.now()),
          // The day the new plan version took over (the day after the old budget's end).
          replacedFrom: s.budget.endsOn ? addDays(s.budget.endsOn, 1) : null,
          paysPerson: s.held !== null,
          held: s.held === null ? null : pence(s.held),
          paid: pence(s.paid),
          contributions: pence(s.contributions),
          nextPayment: s.nextPayment
            ? {
                dueOn: s.nextPayment.dueOn,
                amount: pence(s.nextPayment.amount),
                // A payment whose day has passed is late, not next: say why it is unpaid.
                late: s.nextPayment.dueOn < todayInLondon(deps.now()),
                inRun: s.nextPayment.status === 'in_run',
              }
            : null,
          commitments: s.commitments.map((c) => ({
            id: c.id,
            what: c.what,
            provider: c.providerName,
            amount: pence(c.amount),
            invoiced: pence(c.invoiced),
            remaining: pence(c.remaining),
          })),
          items: s.items.map((i) => ({
            what: i.what,
            commitment: i.route === 'commitment',
            planned: pence(i.plannedPence),
            spent: pence(i.spentPence),
          })),
          unmatched: s.unmatchedSpentPence === null ? null : pence(s.unmatchedSpentPence),
        })),
      },
    };
  };
}
