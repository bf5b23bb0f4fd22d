// /api/v1 for outcome measures: a person's measurements of each instrument with their scores and
// the change from baseline to latest, and recording one. Every call goes through the measures
// service, which applies the people feature's access rule, scores with the pure rules and audits
// in the same transaction as the data.
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import { Invalid, type FieldError } from '../../platform/http/errors.js';
import { createMeasuresService, MEASURE_FIELDS, type RecordInput } from '../measures/index.js';
import { API_ANSWERS_SCHEMAS, historyToJson, measureEnvelopeSchema } from './measures-schemas.js';
import { defineOperation, type Operation } from './operations.js';
import { fieldErrors } from './register.js';

export interface MeasureApiDeps {
  db: Db;
  now: () => Date;
}

const personIdParams = z.strictObject({
  id: z.string().meta({ description: 'The person’s ID (a UUID)' }),
});

/** The service names fields as the pages' form does; the API names them as the client sent them. */
const API_FIELD: Record<string, string> = Object.fromEntries(
  Object.entries(MEASURE_FIELDS).map(([api, form]) => [form, api]),
);

/**
 * The body as the service's input, or Invalid naming every field to fix: the fields around the
 * answers first, then (when the instrument is known) each answer, as answers.<item id>.
 */
export function parseMeasureBody(body: Record<string, unknown>): RecordInput {
  const errors: FieldError[] = [];
  const envelope = measureEnvelopeSchema.safeParse(body);
  if (!envelope.success) errors.push(...fieldErrors(envelope.error, 'body'));
  const instrument = measureEnvelopeSchema.shape.instrument.safeParse(body.instrument);
  const answersIn = body.answers;
  let answers: unknown;
  if (
    instrument.success &&
    typeof answersIn === 'object' &&
    answersIn !== null &&
    !Array.isArray(answersIn)
  ) {
    const parsed = API_ANSWERS_SCHEMAS[instrument.data].safeParse(answersIn);
    if (parsed.success) answers = parsed.data;
    else
      errors.push(
        ...fieldErrors(parsed.error, 'answer').map((e) => ({
          field: e.field === 'answer' ? 'answers' : `answers.${e.field}`,
          message: e.message,
        })),
      );
  }
  if (errors.length > 0 || !envelope.success || answers === undefined) throw new Invalid(errors);
  const v = envelope.data;
  return {
    instrument: v.instrument,
    takenOn: v.takenOn,
    reviewId: v.reviewId ?? null,
    planId: v.planId ?? null,
    answers: answers as RecordInput['answers'],
  };
}

export function measureOperations(deps: MeasureApiDeps): Operation[] {
  const service = createMeasuresService({ db: deps.db, now: deps.now });

  return [
    defineOperation({
      method: 'GET',
      path: '/people/:id/measures',
      operationId: 'listPersonMeasures',
      summary: 'List a person’s outcome measures',
      description:
        'For each instrument (SWEMWBS, EQ-5D-5L, ASCOT SCT4, employment and accommodation status), every measurement oldest first with its answers and score, and the change from the baseline (the first) to the latest. Goal attainment is recorded with a review.',
      tag: 'Outcome measures',
      permission: 'plans:read',
      alsoNeeds: ['people:read'],
      params: personIdParams,
      responses: { 200: { description: 'The measures', schema: 'MeasureList' } },
      async handler({ params, ctx, reply }) {
        const view = await service.history(ctx(), params.id);
        reply.header('Cache-Control', 'no-store');
        return { items: view.instruments.map(historyToJson) };
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/people/:id/measures',
      operationId: 'recordMeasure',
      summary: 'Record an outcome measure',
      description:
        'One instrument, the day it was taken and every answer by item id; optionally the review it was taken at, or the support plan it is the baseline of. Scored by the same rules as the pages. An incomplete questionnaire is refused (400, each missing answer named as answers.<item id>): the rules give no score without every item. Answers with the new measurement’s ID and the person’s measures.',
      tag: 'Outcome measures',
      permission: 'plans:write',
      alsoNeeds: ['people:write'],
      params: personIdParams,
      requestBody: {
        description: 'The instrument, when it was taken and the answers.',
        schema: 'MeasureInput',
      },
      responses: {
        201: { description: 'Recorded', schema: 'MeasureRecorded' },
      },
      async handler({ params, body, ctx, reply }) {
        const input = parseMeasureBody(body);
        const c = ctx();
        let id: string;
        try {
          id = await service.record(c, params.id, input);
        } catch (error) {
          if (error instanceof Invalid)
            throw new Invalid(
              error.errors.map((e) => ({ ...e, field: API_FIELD[e.field] ?? e.field })),
            );
          throw error;
        }
        const view = await service.history(c, params.id);
        return reply
          .status(201)
          .header('Cache-Control', 'no-store')
          .send({ id, measures: view.instruments.map(historyToJson) });
      },
    }),
  ];
}
