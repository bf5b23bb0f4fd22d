// The zod schemas the API answers with and the query it accepts. Request bodies use the people
// feature's own personInputSchema, the same one the web form and the CSV import use.
import { z } from 'zod';
import { ORGANISATION_KINDS } from '../../platform/auth/roles.js';
import { normaliseNhsNumber } from '../../platform/nhs-number.js';
import { personInputSchema, PRIMARY_SUPPORT_REASONS, S117_SECTIONS } from '../people/index.js';
import type { SchemaCatalogue } from './operations.js';
import { ASSESSMENT_INPUT_SCHEMAS, ASSESSMENT_OUTPUT_SCHEMAS } from './assessments-schemas.js';
import { BUDGET_OUTPUT_SCHEMAS } from './budgets-schemas.js';
import { MEASURE_INPUT_SCHEMAS, MEASURE_OUTPUT_SCHEMAS } from './measures-schemas.js';
import { PLAN_INPUT_SCHEMAS, PLAN_OUTPUT_SCHEMAS } from './plans-schemas.js';
import { REVIEW_INPUT_SCHEMAS, REVIEW_OUTPUT_SCHEMAS } from './reviews-schemas.js';

/** The most people one list answer holds (the people service never returns more than 50). */
export const MAX_LIMIT = 50;
export const DEFAULT_LIMIT = 25;

const civilDate = z.iso.date().meta({ description: 'A calendar date, YYYY-MM-DD' });
const instant = z.iso.datetime().meta({ description: 'An instant, ISO 8601 in UTC' });
const id = z.uuid();

/** A person as GET, POST, PUT and PATCH answer (personToJson). */
export const personSchema = z.strictObject({
  id,
  givenName: z.string(),
  familyName: z.string(),
  preferredName: z.string().nullable(),
  dateOfBirth: civilDate,
  nhsNumber: z
    .string()
    .regex(/^\d{10}$/)
    .nullable(),
  councilPersonId: z.string().nullable(),
  externalId: z.string().nullable(),
  addressLine1: z.string().nullable(),
  addressLine2: z.string().nullable(),
  town: z.string().nullable(),
  postcode: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  communicationNeeds: z.string().nullable(),
  primarySupportReason: z.enum(PRIMARY_SUPPORT_REASONS),
  s117Section: z.enum(S117_SECTIONS).nullable(),
  s117DischargeDate: civilDate.nullable(),
  careCoordinatorId: id.nullable(),
  teamId: id.nullable(),
  version: z.number().int().min(1).meta({
    description: 'Goes up by one on every change. Send it back (If-Match or version) to update.',
  }),
  createdAt: instant,
  updatedAt: instant,
});

/** One line of a list or search answer. */
export const personSummarySchema = z.strictObject({
  id,
  href: z.string().meta({ description: 'Where to GET the whole record' }),
  givenName: z.string(),
  familyName: z.string(),
  preferredName: z.string().nullable(),
  dateOfBirth: civilDate,
  nhsNumber: z.string().nullable(),
  postcode: z.string().nullable(),
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  careCoordinatorId: id.nullable(),
  careCoordinatorName: z.string().nullable(),
  leadOrganisationKind: z.enum(ORGANISATION_KINDS).nullable(),
  canOpen: z.boolean().meta({
    description:
      'Whether the caller may open the record (always true for API clients; signed-in staff need a part in the person’s care)',
  }),
});

export const personListSchema = z.strictObject({
  items: z.array(personSummarySchema),
  more: z.boolean().meta({ description: 'True when more people match than were returned' }),
});

/** RFC 9457 problem details, as every error under /api/ is answered. */
export const problemSchema = z.object({
  type: z.string().meta({ description: 'Always about:blank: the status says what happened' }),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  errors: z
    .array(z.strictObject({ field: z.string(), message: z.string() }))
    .optional()
    .meta({ description: 'For a 400: each field that needs fixing (camelCase, as sent)' }),
  existing: z
    .string()
    .optional()
    .meta({ description: 'For a 409 duplicate: the URL of the record that already holds it' }),
});

const optionalText = (max: number, description: string) =>
  z.string().trim().max(max, `Must be ${max} characters or fewer`).optional().meta({ description });

/** Query for GET /people: every criterion is optional; all that are given must match. */
export const personQuerySchema = z.strictObject({
  name: optionalText(200, 'Name words (first, last or both; beginnings match) or an NHS number'),
  dateOfBirth: z.iso
    .date({ error: 'Date of birth must be a real date, YYYY-MM-DD' })
    .optional()
    .meta({ description: 'Date of birth, YYYY-MM-DD' }),
  nhsNumber: z
    .string()
    .transform(normaliseNhsNumber)
    .refine((v) => /^\d{10}$/.test(v), 'NHS number must be 10 digits')
    .optional()
    .meta({ description: 'NHS number, 10 digits (spaces allowed)' }),
  councilPersonId: optionalText(40, 'Council person ID (case does not matter)'),
  limit: z.coerce
    .number({ error: `Limit must be a whole number from 1 to ${MAX_LIMIT}` })
    .int(`Limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .min(1, `Limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .max(MAX_LIMIT, `Limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .default(DEFAULT_LIMIT)
    .meta({ description: `How many people to return (1 to ${MAX_LIMIT})` }),
});

export const personIdParams = z.strictObject({
  id: z.string().meta({ description: 'The person’s ID (a UUID)' }),
});

/** Every schema the document names, by component name. */
export const CATALOGUE: SchemaCatalogue = {
  input: {
    PersonInput: (today) => personInputSchema(today),
    ...ASSESSMENT_INPUT_SCHEMAS,
    ...PLAN_INPUT_SCHEMAS,
    ...REVIEW_INPUT_SCHEMAS,
    ...MEASURE_INPUT_SCHEMAS,
  },
  patches: { PersonPatch: 'PersonInput' },
  output: {
    Person: personSchema,
    PersonSummary: personSummarySchema,
    PersonList: personListSchema,
    Problem: problemSchema,
    ...ASSESSMENT_OUTPUT_SCHEMAS,
    ...PLAN_OUTPUT_SCHEMAS,
    ...REVIEW_OUTPUT_SCHEMAS,
    ...MEASURE_OUTPUT_SCHEMAS,
    ...BUDGET_OUTPUT_SCHEMAS,
  },
};
