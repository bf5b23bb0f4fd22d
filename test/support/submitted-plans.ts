// Support plans written and submitted through the real planning service, for tests of the
// sign-off and review pages: a person with a completed assessment, a plan costing a set amount
// against their indicative budget, submitted by a given user.
import assert from 'node:assert/strict';
import type { Db } from '../../src/platform/db/database.ts';
import type { AuditContext } from '../../src/platform/audit/audit.ts';
import type { UserPrincipal } from '../../src/platform/auth/principal.ts';
import type { Role } from '../../src/platform/auth/roles.ts';
import type { SignOffLevel } from '../../src/platform/db/schema.ts';
import { DEMO_RAS, rasVersionSchema } from '../../src/features/allocation/index.ts';
import { createPlanningService } from '../../src/features/planning/service.ts';
import { planDocumentSchema, type PlanDocument } from '../../src/features/planning/document.ts';
import { createCompletedAssessment } from './assessments.ts';
import { createPerson, type TestPartnership, type TestUser } from './factories.ts';

export function ctxFor(
  p: TestPartnership,
  user: TestUser,
  roles: Role[],
  teamIds: string[] = [p.teamId],
): AuditContext {
  const principal: UserPrincipal = {
    kind: 'user',
    userId: user.id,
    partnershipId: p.id,
    partnershipName: 'Test',
    fullName: 'Test',
    email: user.email,
    roles: new Set(roles),
    teamIds,
    organisationId: p.trustId,
    organisationKind: 'nhs_trust',
    mustChangePassword: false,
    sessionId: 'test',
  };
  return { principal };
}

const ras = rasVersionSchema.parse(DEMO_RAS);
const answers = Object.fromEntries(ras.questions.map((q) => [q.id, q.answers[1]?.id ?? '']));

/** The plan document: one outcome, one weekly item on the first stream, the NHS procedure. */
function planCosting(doc: PlanDocument, weeklyPence: number, over: boolean): PlanDocument {
  const stream = doc.streams[0];
  assert.ok(stream);
  return planDocumentSchema.parse({
    ...doc,
    outcomes: [
      { id: 'choir', text: 'I want to sing in a choir again', needIds: ['relationships'] },
    ],
    items: [
      {
        id: 'pa',
        what: 'Personal assistant to go to choir with me',
        category: 'personal_assistant',
        provider: { kind: 'personal_assistant', name: 'Robin' },
        unitCostPence: weeklyPence,
        units: 1,
        frequency: 'weekly',
        streamId: stream.id,
        outcomeIds: ['choir'],
      },
    ],
    riskManagementProcedure: {
      procedure: 'If Robin cannot come, I call the agency on the number in my crisis plan.',
      risksExplained: true,
      agreedWith: ['the person', 'the care coordinator'],
      agreedOn: '2026-11-01',
    },
    overBudgetJustification: over ? 'Choir is in the evening, so the PA costs more.' : '',
  });
}

/**
 * A person in `teamId` coordinated by `coordinatorId`, with a plan written and submitted by
 * `author`: within budget (half the weekly amount) or `overWeeklyPence` over it.
 */
export async function submittedPlan(
  db: Db,
  p: TestPartnership,
  o: {
    rasId: string;
    coordinatorId: string;
    author: AuditContext;
    overWeeklyPence?: number;
    teamId?: string;
    givenName?: string;
  },
): Promise<{ planId: string; personId: string; route: SignOffLevel; annualPence: number }> {
  const person = await createPerson(db, p, {
    coordinatorId: o.coordinatorId,
    ...(o.teamId ? { teamId: o.teamId } : {}),
    ...(o.givenName ? { givenName: o.givenName } : {}),
  });
  const a = await createCompletedAssessment(db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId: o.rasId,
    rasAnswers: answers,
  });
  const s = createPlanningService({ db, now: () => new Date() });
  const { id } = await s.start(o.author, person.id);
  const view = await s.get(o.author, id);
  const over = o.overWeeklyPence !== undefined;
  const weekly = over
    ? a.budget.weekly + (o.overWeeklyPence ?? 0)
    : Math.floor(a.budget.weekly / 2);
  const v = await s.save(
    o.author,
    id,
    planCosting(view.plan.document, weekly, over),
    view.plan.version,
  );
  const route = await s.submit(o.author, id, v);
  const done = await s.get(o.author, id);
  return { planId: id, personId: person.id, route, annualPence: done.plan.totalAnnual };
}

/** Approves a submitted plan through the service. */
export async function approve(db: Db, by: AuditContext, planId: string): Promise<void> {
  await createPlanningService({ db, now: () => new Date() }).decide(by, planId, {
    outcome: 'approved',
    reason: '',
  });
}
