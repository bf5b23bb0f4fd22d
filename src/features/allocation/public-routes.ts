// The published resource allocation system, open to anyone without signing in (issue 3 point 5):
// each partnership's current RAS in plain English and a calculator that works without
// JavaScript. Only public data: partnerships are found by their code with the system
// connection, and RAS versions are then read inside that partnership (row-level security). The
// calculator's form is sent with GET: it changes nothing, so it needs no CSRF token.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import { describeErrors } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { formatPounds, pence } from '../../platform/money.js';
import {
  answerField,
  answersQuery,
  describeContingency,
  describePricing,
  describeResult,
  describeStreams,
  readCalculatorForm,
  SECTION_117_FIELD,
} from './public-form.js';
import { calculateIndicativeBudget, formatBasisPoints, type RasVersion } from './rules.js';
import type { AllocationRouteDeps } from './routes.js';
import { currentRasVersion } from './store.js';

interface PublicPartnership {
  id: string;
  code: string;
  name: string;
}

/** Codes are chosen by people: anything printable up to 100 characters may be one. */
const PLAUSIBLE_CODE = /^[^\p{Cc}]{1,100}$/u;

async function partnershipByCode(db: Db, code: string): Promise<PublicPartnership | undefined> {
  if (!PLAUSIBLE_CODE.test(code)) return undefined;
  return db.system
    .selectFrom('partnerships')
    .select(['id', 'code', 'name'])
    .where('code', '=', code)
    .executeTakeFirst();
}

/** As calculateIndicativeBudget, but an amount too large to hold is a refusal, not a crash. */
function calculate(version: RasVersion, answers: Record<string, string>, section117: boolean) {
  try {
    return calculateIndicativeBudget(version, answers, { section117 });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false as const,
      messages: [
        'These answers give an amount too large to work out. Contact the partnership to ask about your budget',
      ],
    };
  }
}

const base = (p: PublicPartnership) => `/allocation/${encodeURIComponent(p.code)}`;

export function publicAllocationRoutes(deps: AllocationRouteDeps) {
  const { db, now } = deps;

  /** The partnership and the RAS in force today, or a page saying why there is none (404). */
  async function published(
    code: string,
    reply: FastifyReply,
  ): Promise<{ partnership: PublicPartnership; version: RasVersion } | undefined> {
    const partnership = await partnershipByCode(db, code);
    if (!partnership) {
      reply.render(
        'allocation/views/public-missing.njk',
        { pageTitle: 'Partnership not found', partnership: null },
        404,
      );
      return undefined;
    }
    const today = todayInLondon(now());
    const stored = await inPartnership(db, partnership.id, (tx) => currentRasVersion(tx, today));
    if (!stored) {
      reply.render(
        'allocation/views/public-missing.njk',
        {
          pageTitle: `${partnership.name} has not published how budgets are worked out`,
          partnership,
        },
        404,
      );
      return undefined;
    }
    return { partnership, version: stored.definition };
  }

  function renderForm(
    reply: FastifyReply,
    partnership: PublicPartnership,
    version: RasVersion,
    values: { answers: Record<string, string>; section117: boolean },
    errors: FieldError[] = [],
  ): FastifyReply {
    const described = describeErrors(errors);
    return reply.render(
      'allocation/views/public-calculator.njk',
      {
        pageTitle: 'Work out an indicative budget',
        backHref: base(partnership),
        partnership,
        version,
        action: `${base(partnership)}/calculator/result`,
        questions: version.questions.map((q) => ({
          field: answerField(q.id),
          text: q.text,
          items: q.answers.map((a) => ({
            value: a.id,
            text: a.text,
            hint: {
              text: a.points === 1 ? '1 point' : `${a.points.toLocaleString('en-GB')} points`,
            },
            checked: values.answers[q.id] === a.id,
          })),
        })),
        section117Field: SECTION_117_FIELD,
        section117: values.section117,
        ...(errors.length > 0 ? described : {}),
      },
      errors.length > 0 ? 400 : 200,
    );
  }

  return (app: FastifyInstance): void => {
    app.get('/allocation', async (_req, reply) => {
      const partnerships = await db.system
        .selectFrom('partnerships')
        .select(['id', 'code', 'name'])
        .orderBy('name')
        .orderBy('code')
        .execute();
      const only = partnerships.length === 1 ? partnerships[0] : undefined;
      if (only) return reply.redirect(base(only), 303);
      return reply.render('allocation/views/public-list.njk', {
        pageTitle: 'How budgets are worked out',
        partnerships: partnerships.map((p) => ({ name: p.name, href: base(p) })),
      });
    });

    app.get<{ Params: { code: string } }>('/allocation/:code', async (req, reply) => {
      const found = await published(req.params.code, reply);
      if (!found) return reply;
      const { partnership, version } = found;
      return reply.render('allocation/views/public-ras.njk', {
        pageTitle: `How budgets are worked out in ${partnership.name}`,
        partnership,
        version,
        calculatorHref: `${base(partnership)}/calculator`,
        questions: version.questions,
        pricing: describePricing(version),
        contingency: describeContingency(version),
        minimum: formatPounds(pence(version.minimumAnnualPence)),
        maximum: formatPounds(pence(version.maximumAnnualPence)),
        streams: describeStreams(version),
      });
    });

    app.get<{ Params: { code: string } }>('/allocation/:code/calculator', async (req, reply) => {
      const found = await published(req.params.code, reply);
      if (!found) return reply;
      // Arriving from "change your answers": fill in what is valid, say nothing about the rest.
      const form = readCalculatorForm(found.version, req.query);
      return renderForm(reply, found.partnership, found.version, form);
    });

    app.get<{ Params: { code: string } }>(
      '/allocation/:code/calculator/result',
      async (req, reply) => {
        const found = await published(req.params.code, reply);
        if (!found) return reply;
        const { partnership, version } = found;
        const form = readCalculatorForm(version, req.query);
        if (form.errors.length > 0) {
          return renderForm(reply, partnership, version, form, form.errors);
        }
        const result = calculate(version, form.answers, form.section117);
        if (!result.ok) {
          // readCalculatorForm refuses everything calculateIndicativeBudget does; kept for safety.
          const first = answerField(version.questions[0]?.id ?? '');
          const errors = result.messages.map((message) => ({ field: first, message }));
          return renderForm(reply, partnership, version, form, errors);
        }
        const budget = result.budget;
        return reply.render('allocation/views/public-result.njk', {
          pageTitle: 'Your indicative budget',
          backHref: `${base(partnership)}/calculator?${answersQuery(form.answers, form.section117)}`,
          partnership,
          version,
          budget,
          steps: describeResult(version, budget),
          streams: budget.streams.map((s) => ({
            name: s.name,
            share: formatBasisPoints(s.shareBasisPoints),
            annual: s.annual,
          })),
          changeHref: `${base(partnership)}/calculator?${answersQuery(form.answers, form.section117)}`,
          rasHref: base(partnership),
        });
      },
    );
  };
}
