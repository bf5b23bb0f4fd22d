// The review pages: each team's due and overdue reviews, recording a review, and asking for an
// unplanned review with its Client Level Data reason.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import { civilDateFromParts, formatCivilDate, todayInLondon } from '../../platform/dates.js';
import type { FieldError } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import { paging, readPage } from '../../platform/http/paging.js';
import { GOAL_ACHIEVEMENTS, type GoalAchievement } from '../measures/index.js';
import {
  addDays,
  addMonths,
  PLANNED_REVIEW_RULE_DETAILS,
  scheduleUnplannedReview,
  UNPLANNED_REVIEW_REASON_LABELS,
  UNPLANNED_REVIEW_REASONS,
  type PlannedReviewRule,
} from './rules.js';
import { createReviewService, type ReviewRecordInput } from './service.js';

export interface RouteDeps {
  db: Db;
  now: () => Date;
}

const ctxOf = (req: FastifyRequest): AuditContext => ({ principal: currentUser(req), ip: req.ip });
const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

const ACHIEVEMENT_LABELS: Record<GoalAchievement, string> = {
  fully: 'Fully achieved',
  partly: 'Partly achieved',
  not: 'Not achieved',
};

const RANGES = {
  '28': { label: 'Due in the next 4 weeks', months: 0, days: 28 },
  '90': { label: 'Due in the next 3 months', months: 3, days: 0 },
  overdue: { label: 'Overdue only', months: 0, days: 0 },
} as const;
type Range = keyof typeof RANGES;

/** A review's rule in plain English: a planned rule's label, or an unplanned reason's. */
export function describeRule(kind: string, rule: string): { label: string; source: string | null } {
  if (kind === 'planned' && rule in PLANNED_REVIEW_RULE_DETAILS)
    return PLANNED_REVIEW_RULE_DETAILS[rule as PlannedReviewRule];
  const label = (UNPLANNED_REVIEW_REASON_LABELS as Record<string, string>)[rule];
  return { label: label ? `Unplanned review: ${label.toLowerCase()}` : rule, source: null };
}

const yesNo = (v: string): boolean | undefined =>
  v === 'yes' ? true : v === 'no' ? false : undefined;

export function reviewRoutes(deps: RouteDeps) {
  const service = createReviewService(deps);
  return (app: FastifyInstance): void => {
    app.get('/reviews', async (req, reply) => {
      const asked = field(req.query, 'show');
      const range: Range = asked in RANGES ? (asked as Range) : '28';
      const page = readPage(field(req.query, 'page'));
      const today = todayInLondon(deps.now());
      const r = RANGES[range];
      const until = r.months > 0 ? addMonths(today, r.months) : addDays(today, r.days);
      const list = await service.teamList(ctxOf(req), {
        until,
        overdueOnly: range === 'overdue',
        page,
      });
      return reply.render('reviews/views/list.njk', {
        pageTitle: 'Reviews due',
        columnWidth: 'full',
        range,
        ranges: Object.entries(RANGES).map(([value, x]) => ({ value, text: x.label })),
        rangeLabel: r.label,
        rows: list.reviews.map((x) => ({ ...x, rule: describeRule(x.kind, x.rule) })),
        overdueCount: list.overdue,
        paging: paging('/reviews', range === '28' ? {} : { show: range }, page, list.total),
      });
    });

    const renderRecord = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const view = await service.get(ctxOf(req), param(req, 'id'));
      return reply.render(
        'reviews/views/record.njk',
        {
          pageTitle: view.review.status === 'completed' ? 'Review' : 'Record a review',
          ...view,
          rule: describeRule(view.review.kind, view.review.rule),
          record: (view.review.document?.record ?? null) as ReviewRecordInput | null,
          request: view.review.document?.request ?? null,
          overdue: view.review.status === 'due' && view.review.dueOn < view.today,
          achievements: GOAL_ACHIEVEMENTS.map((a) => ({ value: a, text: ACHIEVEMENT_LABELS[a] })),
          achievementLabels: ACHIEVEMENT_LABELS,
          values: page.values ?? {},
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/reviews/:id', (req, reply) => renderRecord(req, reply));

    app.post('/reviews/:id', async (req, reply) => {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const view = await service.get(ctx, id, 'write');
      const body = req.body;
      const values: Record<string, string> = {};
      const errors: FieldError[] = [];
      const outcomes: ReviewRecordInput['outcomes'] = [];
      for (const o of view.plan.outcomes) {
        const name = `outcome-${o.id}`;
        const v = field(body, name);
        values[name] = v;
        if ((GOAL_ACHIEVEMENTS as readonly string[]).includes(v))
          outcomes.push({ outcomeId: o.id, text: o.text, achieved: v as GoalAchievement });
        else
          errors.push({
            field: name,
            message: `Say whether “${o.text}” was achieved fully, partly or not`,
          });
      }
      for (const name of [
        'personView',
        'budgetSufficient',
        'usedAsAgreed',
        'usedAsAgreedNotes',
        'changesNeeded',
        'changes',
      ])
        values[name] = field(body, name);
      if (values.personView === '')
        errors.push({ field: 'personView', message: 'Write down what the person said' });
      else if ((values.personView ?? '').length > 5000)
        errors.push({
          field: 'personView',
          message: 'The person’s view must be 5,000 characters or fewer',
        });
      const budgetSufficient = yesNo(values.budgetSufficient ?? '');
      if (budgetSufficient === undefined)
        errors.push({
          field: 'budgetSufficient',
          message: 'Say whether the budget is still enough',
        });
      const usedAsAgreed = yesNo(values.usedAsAgreed ?? '');
      if (usedAsAgreed === undefined)
        errors.push({ field: 'usedAsAgreed', message: 'Say whether the budget is used as agreed' });
      else if (!usedAsAgreed && values.usedAsAgreedNotes === '')
        errors.push({
          field: 'usedAsAgreedNotes',
          message: 'Say how it is being used differently',
        });
      const changesNeeded = yesNo(values.changesNeeded ?? '');
      if (changesNeeded === undefined)
        errors.push({ field: 'changesNeeded', message: 'Say whether the plan needs to change' });
      else if (changesNeeded && values.changes === '')
        errors.push({ field: 'changes', message: 'Say what needs to change' });
      if (errors.length > 0) return renderRecord(req, reply, { values, errors, status: 400 });
      const { nextDueOn } = await service.complete(ctx, id, {
        outcomes,
        personView: values.personView ?? '',
        budgetSufficient: budgetSufficient === true,
        usedAsAgreed: usedAsAgreed === true,
        usedAsAgreedNotes: values.usedAsAgreedNotes ?? '',
        changesNeeded: changesNeeded === true,
        changes: values.changes ?? '',
      });
      reply.flash(
        nextDueOn
          ? `The review is recorded. The next review is due by ${formatCivilDate(nextDueOn)}.`
          : 'The review is recorded.',
      );
      return reply.redirect(`/reviews/${id}`, 303);
    });

    const renderUnplanned = async (
      req: FastifyRequest,
      reply: FastifyReply,
      page: { values?: Record<string, string>; errors?: FieldError[]; status?: number } = {},
    ) => {
      const view = await service.forUnplanned(ctxOf(req), param(req, 'id'));
      return reply.render(
        'reviews/views/unplanned.njk',
        {
          pageTitle: 'Ask for an unplanned review',
          ...view,
          reasons: UNPLANNED_REVIEW_REASONS.map((r) => ({
            value: r,
            text: UNPLANNED_REVIEW_REASON_LABELS[r],
            hint: { text: `Reported as “${r}”` },
          })),
          values: page.values ?? {},
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );
    };

    app.get('/people/:id/reviews/new', (req, reply) => renderUnplanned(req, reply));

    app.post('/people/:id/reviews/new', async (req, reply) => {
      const ctx = ctxOf(req);
      const personId = param(req, 'id');
      const body = req.body;
      const values: Record<string, string> = {};
      for (const name of ['reason', 'details', 'dueOn-day', 'dueOn-month', 'dueOn-year'])
        values[name] = field(body, name);
      const errors: FieldError[] = [];
      const typed = [values['dueOn-day'], values['dueOn-month'], values['dueOn-year']].some(
        (x) => x !== '',
      );
      const dueOn = typed
        ? civilDateFromParts(
            values['dueOn-day'] ?? '',
            values['dueOn-month'] ?? '',
            values['dueOn-year'] ?? '',
          )
        : null;
      if (dueOn === undefined)
        errors.push({ field: 'dueOn', message: 'Enter a real date, for example 27 3 2027' });
      const checked = scheduleUnplannedReview({
        reason: values.reason,
        details: values.details,
        requestedOn: todayInLondon(deps.now()),
        dueOn: dueOn ?? null,
      });
      if (!checked.ok) {
        const r = UNPLANNED_REVIEW_REASONS as readonly string[];
        if (!r.includes(values.reason ?? ''))
          errors.push({ field: 'reason', message: 'Choose why the review is needed' });
        if (values.details === '')
          errors.push({ field: 'details', message: 'Say what has happened' });
        else if ((values.details ?? '').length > 2000)
          errors.push({
            field: 'details',
            message: 'What has happened must be 2,000 characters or fewer',
          });
        if (dueOn && errors.every((e) => e.field !== 'dueOn'))
          errors.push({
            field: 'dueOn',
            message: 'The date the review is due must be today or later',
          });
      }
      if (errors.length > 0 || !checked.ok)
        return renderUnplanned(req, reply, {
          values,
          errors: errors.map((e) => (e.field === 'dueOn' ? { ...e, field: 'dueOn-day' } : e)),
          status: 400,
        });
      const id = await service.createUnplanned(ctx, personId, checked.review);
      reply.flash(`Unplanned review added. It is due by ${formatCivilDate(checked.review.dueOn)}.`);
      return reply.redirect(`/reviews/${id}`, 303);
    });
  };
}
