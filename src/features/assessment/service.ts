// The assessment service: start, save a page, complete (eligibility decision and indicative
// budget), a worker's different professional judgement, and reassessment comparisons. Every
// call goes through the people feature's access rule and audits in the same transaction.
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { todayInLondon } from '../../platform/dates.js';
import { Conflict, Invalid, NotFound } from '../../platform/http/errors.js';
import { subtract, type Pence } from '../../platform/money.js';
import {
  allocationsForAssessments,
  calculateIndicativeBudget,
  currentRasVersion,
  insertAllocation,
  rasVersionById,
  type StoredAllocation,
  type StoredRasVersion,
} from '../allocation/index.js';
import { withPerson, type Mode, type PersonRecord } from '../people/index.js';
import {
  missingItems,
  toEligibilityInput,
  type AssessmentAnswers,
  type BudgetQuestion,
  type MissingItem,
  type SectionId,
  type Sections,
} from './answers.js';
import { compareAnswers, type AnswerChange } from './compare.js';
import { decideEligibility } from './eligibility.js';
import {
  assessmentById,
  assessmentsOf,
  assessmentStatusOf,
  decisionsFor,
  deleteDraft,
  insertDecision,
  insertDraft,
  insertJudgement,
  markCompleted,
  personOfAssessment,
  saveDraftAnswers,
  type AssessmentRecord,
  type DecisionRecord,
} from './store.js';

export interface AssessmentServiceDeps {
  db: Db;
  now: () => Date;
}

export const NOT_FOUND = 'There is no assessment with this ID in your partnership';

export interface AssessmentView {
  assessment: AssessmentRecord;
  person: PersonRecord;
  ras: StoredRasVersion;
  questions: BudgetQuestion[];
  missing: MissingItem[];
  decision: DecisionRecord | undefined;
  allocation: StoredAllocation | undefined;
}

export interface PersonAssessments {
  draft: AssessmentRecord | undefined;
  completed: {
    assessment: AssessmentRecord;
    decision: DecisionRecord | undefined;
    allocation: StoredAllocation | undefined;
  }[];
}

export interface Comparison {
  current: AssessmentView;
  previous: AssessmentView;
  changes: AnswerChange[];
  eligibility: { before: boolean; after: boolean; nhsBefore: string; nhsAfter: string };
  budget: {
    before: Pence | undefined;
    after: Pence | undefined;
    change: Pence | undefined;
    pointsBefore: number | undefined;
    pointsAfter: number | undefined;
  };
}

function userIdOf(ctx: AuditContext): string | null {
  return ctx.principal.kind === 'user' ? ctx.principal.userId : null;
}

/** Prefills a new assessment: section 117 from the person's record, and a reassessment's answers. */
function startingAnswers(
  person: PersonRecord,
  previous: AssessmentAnswers | undefined,
): AssessmentAnswers {
  if (previous) return structuredClone(previous);
  if (!person.s117Section) return {};
  return {
    nhs: {
      detained: true,
      detentionSection: person.s117Section as NonNullable<Sections['nhs']['detentionSection']>,
      discharged: person.s117DischargeDate !== null,
      otherHealthNeeds: '',
    },
  };
}

export function createAssessmentService(deps: AssessmentServiceDeps) {
  const { db, now } = deps;

  /** Runs fn on an assessment and its person, if the principal may see the person. */
  async function withAssessment<T>(
    ctx: AuditContext,
    id: string,
    mode: Mode,
    fn: (tx: Tx, a: AssessmentRecord, person: PersonRecord) => Promise<T>,
  ): Promise<T> {
    const personId = await inPartnership(db, ctx.principal.partnershipId, (tx) =>
      personOfAssessment(tx, id),
    );
    if (!personId) throw new NotFound(NOT_FOUND);
    return withPerson(db, ctx, personId, mode, now(), async (tx, { person }) => {
      const a = await assessmentById(tx, id);
      if (!a) throw new NotFound(NOT_FOUND);
      return fn(tx, a, person);
    });
  }

  async function viewOf(
    tx: Tx,
    a: AssessmentRecord,
    person: PersonRecord,
  ): Promise<AssessmentView> {
    const ras = await rasVersionById(tx, a.rasVersionId);
    if (!ras) throw new Error(`RAS version ${a.rasVersionId} of assessment ${a.id} is missing`);
    const decisions = await decisionsFor(tx, [a.id]);
    const [allocation] = await allocationsForAssessments(tx, [a.id]);
    const questions = ras.definition.questions;
    return {
      assessment: a,
      person,
      ras,
      questions,
      missing: a.status === 'draft' ? missingItems(a.answers, questions) : [],
      decision: decisions.get(a.id),
      allocation,
    };
  }

  return {
    /** Starts an assessment (or a reassessment), or returns the draft already started. */
    async start(ctx: AuditContext, personId: string): Promise<{ id: string; created: boolean }> {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        const all = await assessmentsOf(tx, person.id);
        const draft = all.find((a) => a.status === 'draft');
        if (draft) return { id: draft.id, created: false };
        const ras = await currentRasVersion(tx, todayInLondon(now()));
        if (!ras)
          throw new Conflict(
            'Your partnership has no published resource allocation system (RAS) in force today, so an assessment cannot start. Ask an administrator to publish one.',
          );
        const previous = all.find((a) => a.status === 'completed');
        const id = await insertDraft(tx, {
          partnershipId: ctx.principal.partnershipId,
          personId: person.id,
          rasVersionId: ras.id,
          answers: startingAnswers(person, previous?.answers),
          userId: userIdOf(ctx),
        });
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'assessment',
          recordId: id,
          personId: person.id,
          detail: { sequence: (previous?.sequence ?? 0) + 1, rasVersion: ras.definition.id },
        });
        return { id, created: true };
      });
    },

    async get(ctx: AuditContext, id: string, mode: Mode = 'read'): Promise<AssessmentView> {
      return withAssessment(ctx, id, mode, async (tx, a, person) => {
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'assessment',
          recordId: a.id,
          personId: person.id,
        });
        return viewOf(tx, a, person);
      });
    },

    /** Saves one page of a draft. The caller has checked the page's answers. */
    async saveSection<S extends SectionId>(
      ctx: AuditContext,
      id: string,
      section: S,
      data: Sections[S],
      version: number,
    ): Promise<number> {
      return withAssessment(ctx, id, 'write', async (tx, a, person) => {
        if (a.status !== 'draft')
          throw new Conflict(
            'This assessment is completed and cannot be changed. Start a reassessment instead.',
          );
        const next = await saveDraftAnswers(
          tx,
          a.id,
          { ...a.answers, [section]: data },
          version,
          userIdOf(ctx),
        );
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'assessment',
          recordId: a.id,
          personId: person.id,
          detail: { section },
        });
        return next;
      });
    },

    /**
     * Completes a draft: applies the eligibility rules, works out the indicative budget, and
     * stores both with the assessment in one transaction. Refuses while anything is missing.
     */
    async complete(ctx: AuditContext, id: string, version: number): Promise<AssessmentView> {
      return withAssessment(ctx, id, 'write', async (tx, a, person) => {
        if (a.status !== 'draft') throw new Conflict('This assessment is already completed.');
        const ras = await rasVersionById(tx, a.rasVersionId);
        if (!ras) throw new Error(`RAS version ${a.rasVersionId} is missing`);
        const missing = missingItems(a.answers, ras.definition.questions);
        if (missing.length > 0)
          throw new Invalid(missing.map((m) => ({ field: m.field, message: m.message })));
        const decision = decideEligibility(toEligibilityInput(a.answers));
        const section117 = decision.nhs.legalGrounds.includes('section_117');
        const rasAnswers = a.answers.budget?.answers ?? {};
        const budget = calculateIndicativeBudget(ras.definition, rasAnswers, { section117 });
        if (!budget.ok)
          throw new Invalid(budget.messages.map((m) => ({ field: 'budget', message: m })));
        const userId = userIdOf(ctx);
        const at = now();
        await markCompleted(tx, a.id, version, userId, at);
        const partnershipId = ctx.principal.partnershipId;
        const decisionId = await insertDecision(tx, {
          partnershipId,
          assessmentId: a.id,
          personId: person.id,
          decision,
          userId,
        });
        const allocationId = await insertAllocation(tx, {
          partnershipId,
          assessmentId: a.id,
          personId: person.id,
          rasVersionId: ras.id,
          answers: rasAnswers,
          section117,
          budget: budget.budget,
          userId,
        });
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'assessment',
          recordId: a.id,
          personId: person.id,
          detail: {
            completed: true,
            decisionId,
            allocationId,
            careActEligible: decision.careAct.eligible,
            nhsRight: decision.nhs.right,
            rulesVersion: decision.rulesVersion,
            rasVersion: ras.definition.id,
            annualPence: budget.budget.annual,
          },
        });
        const done = await assessmentById(tx, a.id);
        if (!done) throw new Error('completed assessment vanished');
        return viewOf(tx, done, person);
      });
    },

    /** Throws away a draft (nothing completed is ever deleted). */
    async discard(ctx: AuditContext, id: string): Promise<string> {
      return withAssessment(ctx, id, 'write', async (tx, a, person) => {
        if (a.status !== 'draft') throw new Conflict('A completed assessment cannot be deleted.');
        await deleteDraft(tx, a.id);
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'assessment',
          recordId: a.id,
          personId: person.id,
          detail: { discarded: true },
        });
        return person.id;
      });
    },

    /** A worker's different professional judgement on Care Act eligibility, with a reason. */
    async recordJudgement(
      ctx: AuditContext,
      id: string,
      judgement: { careActEligible: boolean; reason: string },
    ): Promise<void> {
      await withAssessment(ctx, id, 'write', async (tx, a, person) => {
        const decision = (await decisionsFor(tx, [a.id])).get(a.id);
        if (!decision)
          throw new Conflict('Complete the assessment before recording a professional judgement.');
        const judgementId = await insertJudgement(tx, {
          partnershipId: ctx.principal.partnershipId,
          decisionId: decision.id,
          careActEligible: judgement.careActEligible,
          reason: judgement.reason,
          userId: userIdOf(ctx),
        });
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'eligibility_decision',
          recordId: decision.id,
          personId: person.id,
          reason: judgement.reason,
          detail: {
            judgementId,
            rulesSaid: decision.careActEligible,
            judgementSays: judgement.careActEligible,
          },
        });
      });
    },

    /** A person's assessments for their page: the draft, and completed ones newest first. */
    async forPerson(ctx: AuditContext, personId: string): Promise<PersonAssessments> {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const all = await assessmentsOf(tx, person.id);
        const done = all.filter((a) => a.status === 'completed');
        const ids = done.map((a) => a.id);
        const decisions = await decisionsFor(tx, ids);
        const allocations = await allocationsForAssessments(tx, ids);
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'assessment',
          personId: person.id,
          detail: { assessments: all.length },
        });
        return {
          draft: all.find((a) => a.status === 'draft'),
          completed: done.map((assessment) => ({
            assessment,
            decision: decisions.get(assessment.id),
            allocation: allocations.find((x) => x.assessmentId === assessment.id),
          })),
        };
      });
    },

    /**
     * For a caseload's "next actions": drafts to continue and people never assessed. Only for
     * people the caller has already listed as openable.
     */
    async caseloadActions(
      ctx: AuditContext,
      people: readonly { id: string; givenName: string; familyName: string }[],
    ) {
      return inPartnership(db, ctx.principal.partnershipId, async (tx) => {
        const status = await assessmentStatusOf(
          tx,
          people.map((p) => p.id),
        );
        // Not audited on its own: it shows only whether each listed person has an assessment,
        // on the caseload page whose listing is already audited.
        const name = (p: { givenName: string; familyName: string }) =>
          `${p.givenName} ${p.familyName}`;
        return {
          drafts: people
            .filter((p) => status.get(p.id)?.draftId)
            .map((p) => ({
              name: name(p),
              href: `/assessments/${status.get(p.id)?.draftId ?? ''}`,
              updatedAt: status.get(p.id)?.draftUpdatedAt ?? null,
            })),
          notAssessed: people
            .filter((p) => !status.has(p.id))
            .map((p) => ({ name: name(p), href: `/people/${p.id}` })),
        };
      });
    },

    /** A completed assessment against the person's one before it. */
    async compare(ctx: AuditContext, id: string): Promise<Comparison> {
      return withAssessment(ctx, id, 'read', async (tx, a, person) => {
        const all = await assessmentsOf(tx, person.id);
        const before = all.find((x) => x.status === 'completed' && x.sequence < a.sequence);
        if (!before) throw new NotFound('There is no earlier assessment to compare this one with');
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'assessment',
          recordId: a.id,
          personId: person.id,
          detail: { comparedWith: before.id },
        });
        const current = await viewOf(tx, a, person);
        const previous = await viewOf(tx, before, person);
        const b = previous.allocation?.currentAnnual;
        const c = current.allocation?.currentAnnual;
        return {
          current,
          previous,
          changes: compareAnswers(before.answers, a.answers, previous.questions, current.questions),
          eligibility: {
            before: previous.decision?.finalCareActEligible ?? false,
            after: current.decision?.finalCareActEligible ?? false,
            nhsBefore: previous.decision?.nhsRight ?? 'local_offer',
            nhsAfter: current.decision?.nhsRight ?? 'local_offer',
          },
          budget: {
            before: b,
            after: c,
            change: b !== undefined && c !== undefined ? subtract(c, b) : undefined,
            pointsBefore: previous.allocation?.budget.totalPoints,
            pointsAfter: current.allocation?.budget.totalPoints,
          },
        };
      });
    },
  };
}

export type AssessmentService = ReturnType<typeof createAssessmentService>;
