// The integrated assessment's pages: start from a person's record, a task list, one page per
// section, check your answers, complete, the decision and budget, a professional judgement,
// and the comparison with the previous assessment. Also the panel on the person's page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../platform/http/app.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import { Conflict, Invalid, NotFound } from '../../platform/http/errors.js';
import { describeErrors, field } from '../../platform/http/forms.js';
import type { FieldError } from '../../platform/http/errors.js';
import { formatBasisPoints } from '../allocation/index.js';
import type { CaseloadActions, PersonPanel } from '../people/index.js';
import {
  CARER_ASSESSMENT,
  CHC_STATUSES,
  RESPONDENTS,
  SECTIONS,
  SECTION_IDS,
  WELLBEING_AREAS,
  WELLBEING_LEVELS,
  sectionTitle,
  type AssessmentAnswers,
  type MissingItem,
  type SectionId,
} from './answers.js';
import { describeOutcome } from './compare.js';
import {
  CARE_ACT_OUTCOMES,
  MHA_SECTIONS,
  SECTION_117_SECTIONS,
  UNABLE_REASONS,
} from './eligibility.js';
import { parseSection, sectionValues, type FormValues } from './form.js';
import {
  createAssessmentService,
  type AssessmentService,
  type AssessmentServiceDeps,
  type AssessmentView,
} from './service.js';
import { STALE_ASSESSMENT_MESSAGE } from './store.js';

const ctxOf = (req: FastifyRequest): AuditContext => ({ principal: currentUser(req), ip: req.ip });
const param = (req: FastifyRequest, name: string): string =>
  (req.params as Record<string, string>)[name] ?? '';

const NHS_RIGHT_LABELS: Record<string, string> = {
  section_117: 'Legal right to a personal health budget: section 117 after-care',
  continuing_healthcare: 'Legal right to a personal health budget: NHS continuing healthcare',
  local_offer: 'No legal right: a personal health budget may be offered locally',
};
const RESPONDENT_LABELS = Object.fromEntries(RESPONDENTS.map((r) => [r.id, r.label]));

function isSection(s: string): s is SectionId {
  return (SECTION_IDS as readonly string[]).includes(s);
}

/** Not started, in progress or completed, for the task list. */
function sectionStatus(section: SectionId, answers: AssessmentAnswers, missing: MissingItem[]) {
  if (answers[section] === undefined) return 'not_started';
  return missing.some((m) => m.section === section) ? 'in_progress' : 'completed';
}

function missingLinks(id: string, missing: MissingItem[]) {
  return missing.map((m) => ({
    text: m.message,
    href: `/assessments/${id}/${m.section}#${m.field}`,
  }));
}

const yesNoText = (v: boolean | undefined) => (v === undefined ? 'Not answered' : v ? 'Yes' : 'No');
const orNone = (v: string | undefined) => (v ? v : 'Not answered');

/** The check page's summary: each section's rows, with links to change them. */
function summaryOf(view: AssessmentView) {
  const a = view.assessment.answers;
  const id = view.assessment.id;
  const who = (s: SectionId) => RESPONDENT_LABELS[a[s]?.respondent ?? ''] ?? 'Not answered';
  const rows: Record<SectionId, { key: string; value: string; field: string }[]> = {
    outcomes: [
      { key: 'Who answered', value: who('outcomes'), field: 'outcomes-respondent' },
      ...CARE_ACT_OUTCOMES.map((o) => {
        const item = a.outcomes?.items[o.id];
        const notes = item?.notes ? ` Notes: ${item.notes}` : '';
        return {
          key: o.label.charAt(0).toUpperCase() + o.label.slice(1),
          value: describeOutcome(item) + notes,
          field: `${o.id}-achievable`,
        };
      }),
    ],
    impairment: [
      { key: 'Who answered', value: who('impairment'), field: 'impairment-respondent' },
      {
        key: 'Needs arise from a physical or mental impairment or illness',
        value: yesNoText(a.impairment?.needsFromImpairmentOrIllness),
        field: 'needsFromImpairmentOrIllness',
      },
      { key: 'Notes', value: a.impairment?.notes || 'None', field: 'impairment-notes' },
    ],
    wellbeing: [
      { key: 'Who answered', value: who('wellbeing'), field: 'wellbeing-respondent' },
      ...WELLBEING_AREAS.map((w) => ({
        key: w.label,
        value:
          WELLBEING_LEVELS.find((l) => l.id === a.wellbeing?.areas[w.id])?.label ?? 'Not answered',
        field: `area-${w.id}`,
      })),
      {
        key: 'Significant impact on wellbeing overall',
        value: yesNoText(a.wellbeing?.significantImpact),
        field: 'significantImpact',
      },
      { key: 'Notes', value: a.wellbeing?.notes || 'None', field: 'wellbeing-notes' },
    ],
    nhs: [
      { key: 'Who answered', value: who('nhs'), field: 'nhs-respondent' },
      {
        key: 'Detained under the Mental Health Act',
        value:
          a.nhs?.detained === undefined
            ? 'Not answered'
            : a.nhs.detained
              ? `Yes, under section ${a.nhs.detentionSection ?? '(not given)'}; ${a.nhs.discharged ? 'has left hospital' : 'still in hospital'}`
              : 'No',
        field: 'detained',
      },
      {
        key: 'NHS continuing healthcare',
        value:
          CHC_STATUSES.find((c) => c.id === a.nhs?.continuingHealthcare)?.label ?? 'Not answered',
        field: 'continuingHealthcare',
      },
      {
        key: 'Other health needs a personal health budget could meet',
        value: a.nhs?.otherHealthNeeds || 'None',
        field: 'otherHealthNeeds',
      },
    ],
    recovery: [
      { key: 'Who answered', value: who('recovery'), field: 'recovery-respondent' },
      { key: 'What is working', value: orNone(a.recovery?.whatIsWorking), field: 'whatIsWorking' },
      { key: 'Strengths', value: orNone(a.recovery?.strengths), field: 'strengths' },
      {
        key: 'Family and community support',
        value: orNone(a.recovery?.familyAndCommunitySupport),
        field: 'familyAndCommunitySupport',
      },
      { key: 'Goals, in their own words', value: orNone(a.recovery?.goals), field: 'goals' },
      {
        key: 'Unpaid carer',
        value:
          a.recovery?.hasUnpaidCarer === undefined
            ? 'Not answered'
            : a.recovery.hasUnpaidCarer
              ? `Yes${a.recovery.carerName ? `: ${a.recovery.carerName}` : ''}. ${CARER_ASSESSMENT.find((c) => c.id === a.recovery?.carerAssessment)?.label ?? 'Carer’s assessment not answered'}`
              : 'No',
        field: 'hasUnpaidCarer',
      },
    ],
    budget: [
      { key: 'Who answered', value: who('budget'), field: 'budget-respondent' },
      ...view.questions.map((q) => {
        const chosen = q.answers.find((x) => x.id === a.budget?.answers[q.id]);
        return {
          key: q.text,
          value: chosen ? `${chosen.text} (${String(chosen.points)} points)` : 'Not answered',
          field: `q-${q.id}`,
        };
      }),
    ],
  };
  return SECTIONS.map((s) => ({
    id: s.id,
    title: s.title,
    rows: rows[s.id].map((r) => ({
      key: { text: r.key },
      value: { text: r.value },
      actions:
        view.assessment.status === 'draft'
          ? {
              items: [
                {
                  href: `/assessments/${id}/${s.id}#${r.field}`,
                  text: 'Change',
                  visuallyHiddenText: r.key.toLowerCase(),
                },
              ],
            }
          : undefined,
    })),
  }));
}

function sectionOptions() {
  return {
    outcomes: CARE_ACT_OUTCOMES,
    unableReasons: UNABLE_REASONS,
    respondents: RESPONDENTS,
    wellbeingAreas: WELLBEING_AREAS,
    wellbeingLevels: WELLBEING_LEVELS,
    mhaSections: MHA_SECTIONS,
    s117Sections: SECTION_117_SECTIONS,
    chcStatuses: CHC_STATUSES,
    carerAssessment: CARER_ASSESSMENT,
  };
}

export function assessmentRoutes(deps: AssessmentServiceDeps) {
  const service = createAssessmentService(deps);
  return (app: FastifyInstance): void => {
    app.post('/people/:id/assessments', async (req, reply) => {
      const started = await service.start(ctxOf(req), param(req, 'id'));
      if (started.created) reply.flash('Assessment started. It is saved as you go.');
      return reply.redirect(`/assessments/${started.id}`, 303);
    });

    app.get('/assessments/:id', async (req, reply) => {
      const view = await service.get(ctxOf(req), param(req, 'id'));
      if (view.assessment.status === 'completed') return renderResult(reply, req, view);
      const a = view.assessment;
      return reply.render('assessment/views/task-list.njk', {
        pageTitle: `Assessment: ${view.person.givenName} ${view.person.familyName}`,
        view,
        sections: SECTIONS.map((s) => ({
          ...s,
          status: sectionStatus(s.id, a.answers, view.missing),
        })),
        done: SECTIONS.filter((s) => sectionStatus(s.id, a.answers, view.missing) === 'completed')
          .length,
      });
    });

    const renderSection = (
      reply: FastifyReply,
      view: AssessmentView,
      section: SectionId,
      page: { values: FormValues; errors?: FieldError[]; status?: number; stale?: boolean },
    ) => {
      const described = page.errors ? describeErrors(page.errors) : {};
      return reply.render(
        `assessment/views/section-${section}.njk`,
        {
          pageTitle: sectionTitle(section),
          view,
          section,
          sectionIndex: SECTION_IDS.indexOf(section) + 1,
          sectionCount: SECTION_IDS.length,
          values: page.values,
          stale: page.stale ?? false,
          ...sectionOptions(),
          ...described,
        },
        page.status ?? 200,
      );
    };

    app.get('/assessments/:id/:section', async (req, reply) => {
      const section = param(req, 'section');
      if (section === 'check') return checkPage(req, reply);
      if (section === 'compare') return comparePage(req, reply);
      if (section === 'judgement') return judgementPage(req, reply);
      if (!isSection(section)) throw new NotFound('There is no such page in the assessment');
      const view = await service.get(ctxOf(req), param(req, 'id'), 'write');
      if (view.assessment.status !== 'draft')
        return reply.redirect(`/assessments/${view.assessment.id}`, 303);
      return renderSection(reply, view, section, {
        values: sectionValues(section, view.assessment.answers),
      });
    });

    app.post('/assessments/:id/:section', async (req, reply) => {
      const section = param(req, 'section');
      const id = param(req, 'id');
      if (section === 'complete') return complete(req, reply);
      if (section === 'judgement') return saveJudgement(req, reply);
      if (section === 'discard') {
        const personId = await service.discard(ctxOf(req), id);
        return reply
          .flash('The draft assessment has been deleted')
          .redirect(`/people/${personId}`, 303);
      }
      if (!isSection(section)) throw new NotFound('There is no such page in the assessment');
      const ctx = ctxOf(req);
      const view = await service.get(ctx, id, 'write');
      if (view.assessment.status !== 'draft')
        throw new Conflict(
          'This assessment is completed and cannot be changed. Start a reassessment instead.',
        );
      const form = parseSection(section, req.body, view.questions);
      if (!form.ok)
        return renderSection(reply, view, section, {
          values: form.values,
          errors: form.errors,
          status: 400,
        });
      const version = Number(field(req.body, 'version'));
      try {
        await service.saveSection(
          ctx,
          id,
          section,
          form.data,
          Number.isSafeInteger(version) ? version : 0,
        );
      } catch (error) {
        if (error instanceof Conflict && error.message === STALE_ASSESSMENT_MESSAGE) {
          const fresh = await service.get(ctx, id, 'write');
          return renderSection(reply, fresh, section, {
            values: form.values,
            errors: [
              {
                field: `${section}-respondent`,
                message: `${STALE_ASSESSMENT_MESSAGE}. Your answers on this page are kept below: check them and save again.`,
              },
            ],
            status: 409,
            stale: true,
          });
        }
        throw error;
      }
      const next = SECTION_IDS[SECTION_IDS.indexOf(section) + 1] ?? 'check';
      const target =
        field(req.body, 'then') === 'list' ? `/assessments/${id}` : `/assessments/${id}/${next}`;
      return reply.redirect(target, 303);
    });

    async function checkPage(req: FastifyRequest, reply: FastifyReply, status = 200) {
      const view = await service.get(ctxOf(req), param(req, 'id'));
      if (view.assessment.status !== 'draft')
        return reply.redirect(`/assessments/${view.assessment.id}`, 303);
      const links = missingLinks(view.assessment.id, view.missing);
      return reply.render(
        'assessment/views/check.njk',
        {
          pageTitle: 'Check the answers before completing the assessment',
          view,
          summary: summaryOf(view),
          missingLinks: links,
          ...(status === 400 ? { errorList: links } : {}),
        },
        status,
      );
    }

    async function complete(req: FastifyRequest, reply: FastifyReply) {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const version = Number(field(req.body, 'version'));
      try {
        await service.complete(ctx, id, Number.isSafeInteger(version) ? version : 0);
      } catch (error) {
        if (error instanceof Invalid) return checkPage(req, reply, 400);
        if (error instanceof Conflict && error.message === STALE_ASSESSMENT_MESSAGE) {
          reply.flash(`${STALE_ASSESSMENT_MESSAGE}. Check the answers again, then complete it.`);
          return reply.redirect(`/assessments/${id}/check`, 303);
        }
        throw error;
      }
      return reply
        .flash(
          'The assessment is complete. The eligibility decision and indicative budget are below.',
        )
        .redirect(`/assessments/${id}`, 303);
    }

    function renderResult(reply: FastifyReply, req: FastifyRequest, view: AssessmentView) {
      const user = currentUser(req);
      const mayWrite = user.roles.has('care_coordinator') || user.roles.has('team_manager');
      return reply.render('assessment/views/result.njk', {
        pageTitle: `Assessment ${String(view.assessment.sequence)}: ${view.person.givenName} ${view.person.familyName}`,
        view,
        summary: summaryOf(view),
        explanation: (view.decision?.explanation ?? '').split('\n\n'),
        nhsRightLabel: NHS_RIGHT_LABELS[view.decision?.nhsRight ?? 'local_offer'],
        shareOf: formatBasisPoints,
        mayWrite,
      });
    }

    const renderJudgement = (
      reply: FastifyReply,
      view: AssessmentView,
      page: { values: FormValues; errors?: FieldError[]; status?: number },
    ) =>
      reply.render(
        'assessment/views/judgement.njk',
        {
          pageTitle: 'Record a different professional judgement',
          view,
          values: page.values,
          ...(page.errors ? describeErrors(page.errors) : {}),
        },
        page.status ?? 200,
      );

    async function judgementPage(req: FastifyRequest, reply: FastifyReply) {
      const view = await service.get(ctxOf(req), param(req, 'id'), 'write');
      if (!view.decision)
        throw new Conflict('Complete the assessment before recording a professional judgement.');
      return renderJudgement(reply, view, {
        values: { careActEligible: view.decision.finalCareActEligible ? 'no' : 'yes' },
      });
    }

    async function saveJudgement(req: FastifyRequest, reply: FastifyReply) {
      const ctx = ctxOf(req);
      const id = param(req, 'id');
      const view = await service.get(ctx, id, 'write');
      if (!view.decision)
        throw new Conflict('Complete the assessment before recording a professional judgement.');
      const choice = field(req.body, 'careActEligible');
      const reason = field(req.body, 'reason');
      const errors: FieldError[] = [];
      if (choice !== 'yes' && choice !== 'no')
        errors.push({
          field: 'careActEligible',
          message: 'Select whether, in your judgement, they are eligible',
        });
      else if ((choice === 'yes') === view.decision.finalCareActEligible)
        errors.push({
          field: 'careActEligible',
          message: `That is already the decision: they are ${view.decision.finalCareActEligible ? '' : 'not '}eligible`,
        });
      if (reason.length < 10)
        errors.push({
          field: 'reason',
          message: 'Give the reason for your judgement, in at least 10 characters',
        });
      else if (reason.length > 5000)
        errors.push({ field: 'reason', message: 'The reason must be 5000 characters or fewer' });
      if (errors.length > 0)
        return renderJudgement(reply, view, {
          values: { careActEligible: choice, reason },
          errors,
          status: 400,
        });
      await service.recordJudgement(ctx, id, { careActEligible: choice === 'yes', reason });
      return reply
        .flash('Your professional judgement and its reason have been recorded')
        .redirect(`/assessments/${id}`, 303);
    }

    async function comparePage(req: FastifyRequest, reply: FastifyReply) {
      const c = await service.compare(ctxOf(req), param(req, 'id'));
      return reply.render('assessment/views/compare.njk', {
        pageTitle: `What changed since assessment ${String(c.previous.assessment.sequence)}`,
        c,
        nhsRightLabels: NHS_RIGHT_LABELS,
      });
    }
  };
}

/** The "Assessments and budget" part of a person's page. */
export function assessmentPanel(deps: AssessmentServiceDeps): PersonPanel {
  const service: AssessmentService = createAssessmentService(deps);
  return async (ctx, personId, user) => {
    if (user.roles.has('commissioner') && user.roles.size === 1) return null;
    const list = await service.forPerson(ctx, personId);
    return {
      template: 'assessment/views/_panel.njk',
      data: {
        ...list,
        latest: list.completed[0],
        nhsRightLabels: NHS_RIGHT_LABELS,
        mayStart: user.roles.has('care_coordinator') || user.roles.has('team_manager'),
      },
    };
  };
}

/** Assessments to continue and people to assess, on a coordinator's caseload. */
export function assessmentCaseloadActions(deps: AssessmentServiceDeps): CaseloadActions {
  const service = createAssessmentService(deps);
  return async (ctx, people) => {
    if (people.length === 0) return null;
    const data = await service.caseloadActions(ctx, people);
    if (data.drafts.length === 0 && data.notAssessed.length === 0) return null;
    return { template: 'assessment/views/_caseload-actions.njk', data };
  };
}
