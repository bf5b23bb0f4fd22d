// Recording outcome measures and showing how they changed. Every read and write goes through
// withPerson (the access rule) and is audited in the same transaction as 'outcome_measure'.
// Incomplete questionnaires are refused, never saved: the rules give no score without every
// item (no prorating), so a half-filled one would only look like a measurement.
import type { Db } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { compareCivilDates, todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Invalid, type FieldError } from '../../platform/http/errors.js';
import { isUuid } from '../../platform/ids.js';
import { withPerson, type PersonRecord } from '../people/index.js';
import {
  changesBetween,
  measureSet,
  parseMeasure,
  scoreMeasure,
  type MeasureChanges,
  type MeasureInput,
  type MeasureScore,
} from './rules.js';
import type { Instrument } from './questionnaires.js';
import { insertMeasure, isPlanOf, measuresOf, reviewIdsOf } from './store.js';

export interface MeasuresServiceDeps {
  db: Db;
  now: () => Date;
}

/** The instruments recorded on these pages (goal attainment is rated at a review). */
export const RECORDED_INSTRUMENTS = [
  'swemwbs',
  'eq5d5l',
  'ascot_sct4',
  'employment',
  'accommodation',
] as const satisfies readonly Instrument[];
export type RecordedInstrument = (typeof RECORDED_INSTRUMENTS)[number];

export function isRecordedInstrument(s: string): s is RecordedInstrument {
  return (RECORDED_INSTRUMENTS as readonly string[]).includes(s);
}

export interface Measurement {
  id: string;
  takenOn: string;
  planId: string | null;
  reviewId: string | null;
  answers: MeasureInput['answers'];
  score: MeasureScore;
}

export interface InstrumentHistory {
  instrument: RecordedInstrument;
  /** Oldest first; the first is the baseline. */
  measurements: Measurement[];
  /** Baseline to latest; null with fewer than two measurements. */
  changes: { england: MeasureChanges; crosswalk: MeasureChanges } | null;
}

export interface MeasuresView {
  person: PersonRecord;
  instruments: InstrumentHistory[];
}

export interface RecordInput {
  instrument: RecordedInstrument;
  takenOn: CivilDate;
  reviewId: string | null;
  /** The support plan it was taken for (for example the baseline of a new plan); optional. */
  planId?: string | null;
  answers: MeasureInput['answers'];
}

/** The field names the service's Invalid errors use (the pages' form fields). */
export const MEASURE_FIELDS = {
  takenOn: 'taken_on',
  reviewId: 'review_id',
  planId: 'plan_id',
  answers: 'form',
} as const;

export function createMeasuresService(deps: MeasuresServiceDeps) {
  const { db, now } = deps;

  return {
    /** Saves one measurement; Invalid for a future date, or a review or plan not theirs. */
    async record(ctx: AuditContext, personId: string, input: RecordInput): Promise<string> {
      const at = now();
      return withPerson(db, ctx, personId, 'write', at, async (tx, { person }) => {
        const errors: FieldError[] = [];
        if (compareCivilDates(input.takenOn, todayInLondon(at)) > 0)
          errors.push({
            field: 'taken_on',
            message: 'The date taken must be today or in the past',
          });
        if (input.reviewId !== null) {
          const reviews = await reviewIdsOf(tx, person.id);
          if (!reviews.includes(input.reviewId))
            errors.push({ field: 'review_id', message: 'That review is not one of theirs' });
        }
        const planId = input.planId ?? null;
        if (planId !== null && !(isUuid(planId) && (await isPlanOf(tx, person.id, planId))))
          errors.push({ field: 'plan_id', message: 'That support plan is not one of theirs' });
        const parsed = parseMeasure({ instrument: input.instrument, answers: input.answers });
        if (!parsed.ok)
          errors.push(...parsed.messages.map((message) => ({ field: 'form', message })));
        if (errors.length > 0 || !parsed.ok) throw new Invalid(errors);
        const score = scoreMeasure(parsed.measure);
        const principal = ctx.principal;
        const id = await insertMeasure(tx, {
          partnershipId: principal.partnershipId,
          personId: person.id,
          planId,
          reviewId: input.reviewId,
          instrument: input.instrument,
          takenOn: input.takenOn,
          answers: parsed.measure.answers,
          score,
          recordedBy: principal.kind === 'user' ? principal.userId : null,
        });
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'outcome_measure',
          recordId: id,
          personId: person.id,
          detail: { instrument: input.instrument, takenOn: input.takenOn },
        });
        return id;
      });
    },

    /** For the recording form: the person (write access needed) and their reviews' ids. */
    async forForm(
      ctx: AuditContext,
      personId: string,
      instrument: RecordedInstrument | null,
    ): Promise<{ person: PersonRecord; reviewIds: string[] }> {
      return withPerson(db, ctx, personId, 'write', now(), async (tx, { person }) => {
        await audit(tx, ctx, {
          action: 'read',
          recordType: 'outcome_measure',
          personId: person.id,
          detail: { form: instrument ?? 'choose' },
        });
        return { person, reviewIds: await reviewIdsOf(tx, person.id) };
      });
    },

    /** Each instrument's measurements over time, and the change from baseline to latest. */
    async history(
      ctx: AuditContext,
      personId: string,
      /** 'list' for the panel on the person's page, as the other panels audit. */
      auditAs: 'read' | 'list' = 'read',
    ): Promise<MeasuresView> {
      return withPerson(db, ctx, personId, 'read', now(), async (tx, { person }) => {
        const rows = await measuresOf(tx, person.id);
        await audit(tx, ctx, {
          action: auditAs,
          recordType: 'outcome_measure',
          personId: person.id,
          detail: { measurements: rows.length },
        });
        const instruments: InstrumentHistory[] = [];
        for (const instrument of RECORDED_INSTRUMENTS) {
          const measurements: Measurement[] = [];
          for (const r of rows) {
            if (r.instrument !== instrument) continue;
            // Scored again from the stored item ids by the same pure rules that scored it on
            // saving; a row the rules no longer accept is left out rather than guessed at.
            const parsed = parseMeasure({ instrument: r.instrument, answers: r.answers });
            if (!parsed.ok) continue;
            measurements.push({
              id: r.id,
              takenOn: r.takenOn,
              planId: r.planId,
              reviewId: r.reviewId,
              answers: parsed.measure.answers,
              score: scoreMeasure(parsed.measure),
            });
          }
          const first = measurements[0];
          const last = measurements.at(-1);
          const changes =
            first && last && measurements.length > 1
              ? {
                  england: changesBetween(measureSet([first.score]), measureSet([last.score])),
                  crosswalk: changesBetween(measureSet([first.score]), measureSet([last.score]), {
                    eq5dValueSet: 'ukCrosswalk',
                  }),
                }
              : null;
          instruments.push({ instrument, measurements, changes });
        }
        return { person, instruments };
      });
    },
  };
}

export type MeasuresService = ReturnType<typeof createMeasuresService>;
