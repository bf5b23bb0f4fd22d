// /api/v1/people: list and search, read, add and change people, through the people service
// (which checks access and writes the audit event in the same transaction as the data).
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Conflict, Invalid } from '../../platform/http/errors.js';
import {
  personInputSchema,
  personToJson,
  type ListedPerson,
  type PeopleService,
  type PersonRecord,
} from '../people/index.js';
import { PreconditionFailed } from './errors.js';
import { API_BASE, defineOperation, type HandlerArgs, type Operation } from './operations.js';
import { parseOrInvalid } from './register.js';
import { personIdParams, personQuerySchema, personSchema } from './schemas.js';
import { z } from 'zod';

export interface PeopleApiDeps {
  people: PeopleService;
  now: () => Date;
}

export const personHref = (id: string): string => `${API_BASE}/people/${id}`;
const etagOf = (version: number): string => `"${version}"`;

export function summaryToJson(p: ListedPerson) {
  return {
    id: p.id,
    href: personHref(p.id),
    givenName: p.givenName,
    familyName: p.familyName,
    preferredName: p.preferredName,
    dateOfBirth: p.dateOfBirth,
    nhsNumber: p.nhsNumber,
    postcode: p.postcode,
    teamId: p.teamId,
    teamName: p.teamName,
    careCoordinatorId: p.careCoordinatorId,
    careCoordinatorName: p.careCoordinatorName,
    leadOrganisationKind: p.leadOrganisationKind,
    canOpen: p.canOpen,
  };
}

/** The input schema for a day, kept while the day lasts (building a zod schema is not free). */
function inputSchemaCache() {
  let cached: { today: CivilDate; schema: ReturnType<typeof personInputSchema> } | undefined;
  return (today: CivilDate) => {
    if (cached?.today !== today) cached = { today, schema: personInputSchema(today) };
    return cached.schema;
  };
}

/** Fields a client may send: the input schema's, plus the read-only ones it was given. */
const KNOWN_FIELDS = new Set([
  ...Object.keys(personInputSchema(todayInLondon()).in.shape),
  ...Object.keys(personSchema.shape),
]);

function checkFieldNames(body: Record<string, unknown>) {
  const unknown = Object.keys(body).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0)
    throw new Invalid(
      unknown.map((k) => ({ field: k, message: `${k} is not a field of a person` })),
    );
}

/** null means "no value": the same as leaving an optional field out. */
const withoutNulls = (body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));

const IF_MATCH = /^(?:W\/)?"(\d{1,9})"$/;

/** The version the client last saw, from If-Match or the body's version (or none). */
function expectedVersionOf(
  args: HandlerArgs<unknown, unknown>,
): { version: number; from: 'If-Match' | 'version' } | undefined {
  const header = args.req.headers['if-match']?.trim();
  const fromHeader =
    header === undefined || header === '*' ? undefined : IF_MATCH.exec(header)?.[1];
  if (header !== undefined && header !== '*' && fromHeader === undefined)
    throw new Invalid([
      { field: 'If-Match', message: 'If-Match must be the ETag the record came with, like "3"' },
    ]);
  const inBody = args.body.version;
  if (inBody !== undefined && !(Number.isSafeInteger(inBody) && (inBody as number) >= 1))
    throw new Invalid([{ field: 'version', message: 'Version must be a whole number from 1' }]);
  const fromBody = inBody as number | undefined;
  if (fromHeader !== undefined && fromBody !== undefined && Number(fromHeader) !== fromBody)
    throw new Invalid([{ field: 'version', message: 'Version and If-Match disagree' }]);
  if (fromHeader !== undefined) return { version: Number(fromHeader), from: 'If-Match' };
  if (fromBody !== undefined) return { version: fromBody, from: 'version' };
  return undefined;
}

const STALE =
  'Someone else changed this record since you read it. Read it again, then send your change.';

function staleError(personId: string, from: 'If-Match' | 'version'): Error {
  return from === 'If-Match'
    ? new PreconditionFailed(STALE)
    : new Conflict(STALE, personHref(personId));
}

/** Run a write, pointing conflicts at API URLs and stale versions at the right status. */
async function write(
  fn: () => Promise<PersonRecord>,
  stale?: { personId: string; from: 'If-Match' | 'version' },
): Promise<PersonRecord> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
    const clash = /^\/people\/([0-9a-f-]{36})$/.exec(error.existingHref ?? '')?.[1];
    const isDuplicate = 'field' in error;
    if (!isDuplicate && stale) throw staleError(stale.personId, stale.from);
    throw new Conflict(error.message, clash ? personHref(clash) : undefined);
  }
}

function sendPerson(args: HandlerArgs<unknown, unknown>, person: PersonRecord, status = 200) {
  return args.reply
    .status(status)
    .header('ETag', etagOf(person.version))
    .header('Cache-Control', 'no-store')
    .send(personToJson(person));
}

const personBody = {
  description:
    'The person’s details: the same rules as the web form (NHS number checked, date of birth not in the future).',
  schema: 'PersonInput',
};
const ifMatch = {
  'If-Match': {
    description: 'The ETag from your last read. A stale one is refused with 412.',
    schema: z.string(),
  },
};

export function peopleOperations(deps: PeopleApiDeps): Operation[] {
  const schemaFor = inputSchemaCache();
  const parseInput = (body: Record<string, unknown>) => {
    checkFieldNames(body);
    const schema = schemaFor(todayInLondon(deps.now()));
    return parseOrInvalid(schema, withoutNulls(body), 'body');
  };

  return [
    defineOperation({
      method: 'GET',
      path: '/people',
      operationId: 'listPeople',
      summary: 'List or search people',
      description:
        'With no criteria, lists people in name order. Criteria narrow the list; all must match.',
      tag: 'People',
      permission: 'people:read',
      query: personQuerySchema,
      responses: { 200: { description: 'The people found', schema: 'PersonList' } },
      async handler({ query, ctx, reply }) {
        const { limit, ...criteria } = query;
        const found = await deps.people.search(ctx(), criteria);
        reply.header('Cache-Control', 'no-store');
        return {
          items: found.people.slice(0, limit).map(summaryToJson),
          more: found.more || found.people.length > limit,
        };
      },
    }),

    defineOperation({
      method: 'GET',
      path: '/people/:id',
      operationId: 'getPerson',
      summary: 'Read one person',
      tag: 'People',
      permission: 'people:read',
      params: personIdParams,
      responses: {
        200: { description: 'The person', schema: 'Person', headers: { ETag: 'The version' } },
      },
      async handler(args) {
        const person = await deps.people.get(args.ctx(), args.params.id);
        return sendPerson(args, person);
      },
    }),

    defineOperation({
      method: 'POST',
      path: '/people',
      operationId: 'createPerson',
      summary: 'Add a person',
      tag: 'People',
      permission: 'people:write',
      requestBody: personBody,
      responses: {
        201: {
          description: 'Added',
          schema: 'Person',
          headers: { Location: 'The new person’s URL', ETag: 'The version' },
        },
        409: {
          description: 'Someone already has this NHS number, council person ID or external ID',
          schema: 'Problem',
        },
      },
      async handler(args) {
        const input = parseInput(args.body);
        const person = await write(() => deps.people.create(args.ctx(), input));
        args.reply.header('Location', personHref(person.id));
        return sendPerson(args, person, 201);
      },
    }),

    defineOperation({
      method: 'PUT',
      path: '/people/:id',
      operationId: 'replacePerson',
      summary: 'Replace a person’s details',
      description:
        'Send every field: one left out is cleared. Send If-Match (or version) so you do not overwrite a change you have not seen.',
      tag: 'People',
      permission: 'people:write',
      params: personIdParams,
      headers: ifMatch,
      requestBody: personBody,
      responses: {
        200: { description: 'Changed', schema: 'Person', headers: { ETag: 'The new version' } },
        409: { description: 'A duplicate identifier, or a stale version', schema: 'Problem' },
        412: { description: 'If-Match is stale', schema: 'Problem' },
      },
      async handler(args) {
        const expected = expectedVersionOf(args);
        const input = parseInput(args.body);
        const id = args.params.id;
        const person = await write(
          () => deps.people.update(args.ctx(), id, input, expected?.version),
          expected && { personId: id, from: expected.from },
        );
        return sendPerson(args, person);
      },
    }),

    defineOperation({
      method: 'PATCH',
      path: '/people/:id',
      operationId: 'updatePerson',
      summary: 'Change some of a person’s details',
      description:
        'Send only the fields to change (null clears one). The change applies to the version you name in If-Match or version, or else to the version read just before.',
      tag: 'People',
      permission: 'people:write',
      params: personIdParams,
      headers: ifMatch,
      requestBody: {
        description: 'Any of the person’s fields; the result must pass the same rules as PUT.',
        schema: 'PersonPatch',
      },
      responses: {
        200: { description: 'Changed', schema: 'Person', headers: { ETag: 'The new version' } },
        409: { description: 'A duplicate identifier, or a stale version', schema: 'Problem' },
        412: { description: 'If-Match is stale', schema: 'Problem' },
      },
      async handler(args) {
        const expected = expectedVersionOf(args);
        checkFieldNames(args.body);
        const id = args.params.id;
        const current = await deps.people.get(args.ctx(), id);
        if (expected && expected.version !== current.version) throw staleError(id, expected.from);
        const input = parseInput({ ...personToJson(current), ...args.body });
        const person = await write(
          () => deps.people.update(args.ctx(), id, input, current.version),
          { personId: id, from: expected?.from ?? 'version' },
        );
        return sendPerson(args, person);
      },
    }),
  ];
}
