// The payee and account details pages (finance officers): a person's holding accounts with the
// details in force and before, and the form to record new ones. The only pages that show a
// bank account or card number in full; everywhere else shows the last 4 digits.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid, type FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import {
  ACCOUNT_KIND_LABELS,
  formatSortCode,
  kindsFor,
  parseAccountForm,
  type AccountForm,
} from './accounts-rules.js';
import { createPaymentAccountsService, type PaymentAccountRecord } from './accounts.js';

export interface AccountRouteDeps {
  db: Db;
  now: () => Date;
}

const HOLDING_LABELS: Record<string, string> = {
  direct_payment: 'Direct payment',
  third_party: 'Third-party budget',
  individual_service_fund: 'Individual service fund',
  mixed: 'Mixed',
  managed: 'Managed by the council or NHS',
};

const FIELDS = [
  'kind',
  'payeeName',
  'sortCode',
  'accountNumber',
  'cardReference',
  'organisationReference',
] as const;

/** The details in full, in words. */
export function describeDetails(h: PaymentAccountRecord): string {
  switch (h.kind) {
    case 'bank':
      return `UK bank account: sort code ${formatSortCode(h.sortCode ?? '')}, account number ${h.accountNumber ?? ''}`;
    case 'card':
      return `Prepaid card: ${h.cardReference ?? ''}`;
    case 'organisation':
      return `The organisation holding the money, supplier reference ${h.organisationReference ?? ''}`;
  }
}

const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';
const ctxOf = (req: FastifyRequest): AuditContext => ({
  principal: currentUser(req, 'finance_officer'),
  ip: req.ip,
});

export function paymentAccountRoutes(deps: AccountRouteDeps) {
  const service = createPaymentAccountsService(deps);
  return (app: FastifyInstance): void => {
    app.get('/people/:id/payment-accounts', async (req, reply) => {
      const { person, accounts } = await service.list(ctxOf(req), param(req, 'id'));
      return reply.header('cache-control', 'no-store').render('budgets/views/accounts.njk', {
        pageTitle: 'Payee and account details',
        person,
        accounts: accounts.map((a) => ({
          ...a,
          body: a.body === 'nhs' ? 'NHS' : 'Council',
          holding: HOLDING_LABELS[a.holding] ?? a.holding,
          current: a.history[0] ? { description: describeDetails(a.history[0]) } : null,
          earlier: a.history.slice(1).map((h) => ({ ...h, description: describeDetails(h) })),
        })),
      });
    });

    const renderForm = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const { person, account } = await service.get(
        ctxOf(req),
        param(req, 'id'),
        param(req, 'accountId'),
      );
      const now = account.history[0];
      const current: Record<string, string> = now
        ? {
            kind: now.kind,
            payeeName: now.payeeName,
            sortCode: now.sortCode ? formatSortCode(now.sortCode) : '',
            accountNumber: now.accountNumber ?? '',
            cardReference: now.cardReference ?? '',
            organisationReference: now.organisationReference ?? '',
          }
        : { payeeName: account.payeeName ?? '' };
      return reply.header('cache-control', 'no-store').render(
        'budgets/views/account.njk',
        {
          pageTitle: now ? 'Change the payee and account' : 'Record the payee and account',
          person,
          account,
          kinds: kindsFor(account.holding).map((k) => ({
            value: k,
            text: ACCOUNT_KIND_LABELS[k],
          })),
          values: page.values ?? current,
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/people/:id/payment-accounts/:accountId', (req, reply) => renderForm(req, reply));

    app.post('/people/:id/payment-accounts/:accountId', async (req, reply) => {
      const ctx = ctxOf(req);
      const values = Object.fromEntries(FIELDS.map((n) => [n, field(req.body, n)])) as Record<
        (typeof FIELDS)[number],
        string
      >;
      const personId = param(req, 'id');
      const { account } = await service.get(ctx, personId, param(req, 'accountId'));
      const parsed = parseAccountForm(values satisfies AccountForm, account.holding);
      if (!parsed.ok) return renderForm(req, reply, { values, errors: parsed.errors, status: 400 });
      const done = await service
        .record(ctx, personId, account.id, parsed.details)
        .catch((error: unknown) => {
          if (error instanceof Invalid) return error;
          throw error;
        });
      if (done instanceof Invalid)
        return renderForm(req, reply, { values, errors: done.errors, status: 400 });
      reply.flash(
        done.runLines > 0
          ? `The payee and account are saved. ${String(done.runLines)} payments in runs waiting for approval now go to them.`
          : 'The payee and account are saved. Payments not yet in an approved run go to them.',
      );
      return reply.redirect(`/people/${personId}/payment-accounts`, 303);
    });
  };
}
