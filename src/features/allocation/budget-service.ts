// Each person's budget: the "How your budget was worked out" page and the worker's different
// figure (an override). Every call goes through withPerson (the access rules and the audited
// refusal) and audits its own read or write in the same transaction.
import { isDeepStrictEqual } from 'node:util';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { Forbidden, NotFound } from '../../platform/http/errors.js';
import {
  annualToFourWeekly,
  annualToWeekly,
  pence,
  splitLargestRemainder,
  type Pence,
} from '../../platform/money.js';
import { withPerson } from '../people/index.js';
import { formatBasisPoints, type RasVersion } from './rules.js';
import {
  allocationById,
  insertOverride,
  rasVersionById,
  recalculate,
  type AllocationOverride,
  type StoredAllocation,
} from './store.js';
import { currentAllocationId, partnershipCode, personOfAllocation } from './budget-store.js';

export const NO_ALLOCATION_MESSAGE = 'There is no budget with this ID in your partnership';

/** A different figure is for the people who agree budgets with the person. */
export const OVERRIDE_ROLES = ['care_coordinator', 'team_manager'] as const;

export function mayOverride(user: UserPrincipal): boolean {
  return OVERRIDE_ROLES.some((r) => user.roles.has(r));
}

export interface StreamLine {
  name: string;
  share: string;
  annual: Pence;
}

export interface AmountView {
  annual: Pence;
  fourWeekly: Pence;
  weekly: Pence;
  streams: StreamLine[];
  total: Pence;
}

export interface OverrideView extends AmountView {
  reason: string;
  recordedByName: string | null;
  recordedAt: Date;
}

export interface ExplainedAnswer {
  questionText: string;
  answerText: string;
  points: number;
}

export type PointsToPounds =
  | { kind: 'pricePerPoint'; pencePerPoint: Pence }
  | {
      kind: 'bands';
      bands: { fromPoints: number; toPoints: number | null; annual: Pence; yours: boolean }[];
    };

/** Everything the explanation shows, worked out from the stored allocation and its version. */
export interface Explanation {
  answers: ExplainedAnswer[];
  totalPoints: number;
  pointsToPounds: PointsToPounds;
  baseAnnual: Pence;
  contingency: { mode: 'added' | 'held'; share: string; amount: Pence };
  beforeLimits: Pence;
  clamped: 'minimum' | 'maximum' | null;
  minimum: Pence;
  maximum: Pence;
  ras: AmountView;
  section117: { nhsShare: string; councilShare: string } | null;
  /** The latest different figure, if a worker set one. */
  override: OverrideView | null;
  earlierOverrides: OverrideView[];
  /** The figure in force: the latest override's, or the RAS figure. */
  current: AmountView;
  /** Whether the stored figures still follow from the stored answers and version. */
  recalculatesIdentically: boolean;
}

/** The annual amount as four-weekly and weekly, and split across the allocation's streams. */
export function amountView(allocation: StoredAllocation, annual: Pence): AmountView {
  const streams = allocation.budget.streams;
  const parts = splitLargestRemainder(
    annual,
    streams.map((s) => s.shareBasisPoints),
  );
  return {
    annual,
    fourWeekly: annualToFourWeekly(annual),
    weekly: annualToWeekly(annual),
    streams: streams.map((s, i) => ({
      name: s.name,
      share: formatBasisPoints(s.shareBasisPoints),
      annual: parts[i] ?? pence(0),
    })),
    total: pence(parts.reduce((t, p) => t + p, 0)),
  };
}

function overrideView(allocation: StoredAllocation, o: AllocationOverride): OverrideView {
  return {
    ...amountView(allocation, o.annual),
    reason: o.reason,
    recordedByName: o.recordedByName,
    recordedAt: o.recordedAt,
  };
}

function stillCalculates(version: RasVersion, allocation: StoredAllocation): boolean {
  try {
    return isDeepStrictEqual(recalculate(version, allocation), allocation.budget);
  } catch {
    return false;
  }
}

/** Pure: the stored allocation told step by step, in the words of its RAS version. */
export function explainAllocation(version: RasVersion, allocation: StoredAllocation): Explanation {
  const b = allocation.budget;
  const answers = b.answers.map((a) => {
    const q = version.questions.find((x) => x.id === a.questionId);
    const chosen = q?.answers.find((x) => x.id === a.answerId);
    return {
      questionText: q?.text ?? a.questionId,
      answerText: chosen?.text ?? a.answerId,
      points: a.points,
    };
  });
  const pricing = version.pricing;
  const pointsToPounds: PointsToPounds =
    pricing.kind === 'pricePerPoint'
      ? { kind: 'pricePerPoint', pencePerPoint: pence(pricing.pencePerPoint) }
      : {
          kind: 'bands',
          bands: pricing.bands.map((band) => ({
            fromPoints: band.fromPoints,
            toPoints: band.toPoints,
            annual: pence(band.annualPence),
            yours:
              b.totalPoints >= band.fromPoints &&
              (band.toPoints === null || b.totalPoints <= band.toPoints),
          })),
        };
  const [latest, ...earlier] = allocation.overrides;
  const override = latest ? overrideView(allocation, latest) : null;
  const ras = amountView(allocation, b.annual);
  const nhs = version.section117.nhsShareBasisPoints;
  return {
    answers,
    totalPoints: b.totalPoints,
    pointsToPounds,
    baseAnnual: b.baseAnnual,
    contingency: {
      mode: b.contingency.mode,
      share: formatBasisPoints(version.contingency.basisPoints),
      amount: b.contingency.amount,
    },
    beforeLimits: b.beforeLimits,
    clamped: b.clamped,
    minimum: pence(version.minimumAnnualPence),
    maximum: pence(version.maximumAnnualPence),
    ras,
    section117: b.section117
      ? { nhsShare: formatBasisPoints(nhs), councilShare: formatBasisPoints(10_000 - nhs) }
      : null,
    override,
    earlierOverrides: earlier.map((o) => overrideView(allocation, o)),
    current: override ?? ras,
    recalculatesIdentically: stillCalculates(version, allocation),
  };
}

export interface BudgetPage {
  allocation: StoredAllocation;
  person: { id: string; givenName: string; familyName: string };
  basis: string;
  version: {
    name: string;
    code: string;
    effectiveFrom: string;
    publicHref: string;
  };
  calculatedAt: Date;
  explanation: Explanation;
}

export interface BudgetServiceDeps {
  db: Db;
  now: () => Date;
}

export function createBudgetService(deps: BudgetServiceDeps) {
  const { db, now } = deps;

  /** Which person the allocation is about; NotFound when it is not in this partnership. */
  async function personFor(ctx: AuditContext, allocationId: string): Promise<string> {
    const personId = await inPartnership(db, ctx.principal.partnershipId, (tx) =>
      personOfAllocation(tx, allocationId),
    );
    if (!personId) throw new NotFound(NO_ALLOCATION_MESSAGE);
    return personId;
  }

  /** Loads and explains an allocation for a person already granted, and audits the read. */
  async function page(
    ctx: AuditContext,
    allocationId: string,
    mode: 'read' | 'write',
    pageName: string,
  ): Promise<BudgetPage> {
    const personId = await personFor(ctx, allocationId);
    return withPerson(db, ctx, personId, mode, now(), async (tx, { person, basis }) => {
      const allocation = await allocationById(tx, allocationId);
      if (allocation?.personId !== person.id) throw new NotFound(NO_ALLOCATION_MESSAGE);
      const version = await rasVersionById(tx, allocation.rasVersionId);
      if (!version) throw new NotFound(NO_ALLOCATION_MESSAGE);
      await audit(tx, ctx, {
        action: 'read',
        recordType: 'allocation',
        recordId: allocation.id,
        personId: person.id,
        detail: { basis, page: pageName },
      });
      const code = await partnershipCode(tx, ctx.principal.partnershipId);
      return {
        allocation,
        person: { id: person.id, givenName: person.givenName, familyName: person.familyName },
        basis,
        version: {
          name: version.definition.name,
          code: version.definition.id,
          effectiveFrom: version.definition.effectiveFrom,
          publicHref: `/allocation/${encodeURIComponent(code)}`,
        },
        calculatedAt: allocation.calculatedAt,
        explanation: explainAllocation(version.definition, allocation),
      };
    });
  }

  function assertMayOverride(ctx: AuditContext): void {
    const p = ctx.principal;
    if (p.kind !== 'user' || !mayOverride(p))
      throw new Forbidden(
        'Only care coordinators and team managers can set a different budget figure.',
      );
  }

  return {
    /** The "How your budget was worked out" page. */
    explain(ctx: AuditContext, allocationId: string): Promise<BudgetPage> {
      return page(ctx, allocationId, 'read', 'explained');
    },

    /** The person's current allocation (from their latest completed assessment), if any. */
    async current(
      ctx: AuditContext,
      personId: string,
    ): Promise<{ allocationId: string | undefined; person: BudgetPage['person'] }> {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person, basis }) => {
        const allocationId = await currentAllocationId(tx, person.id);
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'allocation',
          recordId: allocationId ?? null,
          personId: person.id,
          detail: { basis, page: 'current budget' },
        });
        return {
          allocationId,
          person: { id: person.id, givenName: person.givenName, familyName: person.familyName },
        };
      });
    },

    /** The override form's page: the RAS figure and the figures set before. */
    overridePage(ctx: AuditContext, allocationId: string): Promise<BudgetPage> {
      assertMayOverride(ctx);
      return page(ctx, allocationId, 'write', 'override');
    },

    /** Records a different annual figure with its reason; audited with the reason. */
    async override(
      ctx: AuditContext,
      allocationId: string,
      annual: Pence,
      reason: string,
    ): Promise<{ allocationId: string; personId: string }> {
      assertMayOverride(ctx);
      const personId = await personFor(ctx, allocationId);
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person, basis }) => {
        const allocation = await allocationById(tx, allocationId);
        if (allocation?.personId !== person.id) throw new NotFound(NO_ALLOCATION_MESSAGE);
        const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
        const overrideId = await insertOverride(
          tx,
          ctx.principal.partnershipId,
          allocation.id,
          annual,
          reason,
          userId,
        );
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'allocation',
          recordId: allocation.id,
          personId: person.id,
          reason,
          detail: {
            basis,
            overrideId,
            annualPence: annual,
            previousAnnualPence: allocation.currentAnnual,
            rasAnnualPence: allocation.budget.annual,
          },
        });
        return { allocationId: allocation.id, personId: person.id };
      });
    },
  };
}

export type BudgetService = ReturnType<typeof createBudgetService>;
