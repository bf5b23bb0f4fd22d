// What other features may use from people: the service, the record type and its JSON shape.
import type { PersonRecord } from './store.js';

export { createPeopleService, SEARCH_LIMIT } from './service.js';
export { withPerson, NOT_FOUND_MESSAGE } from './access.js';
export type { Granted, Mode } from './access.js';
export type { CaseloadActions, PersonPanel } from './routes.js';
export type { PeopleService, PersonView, ListedPerson } from './service.js';
export type { PersonRecord, PersonSearch, PersonSummary } from './store.js';
export { personInputSchema, PRIMARY_SUPPORT_REASONS, S117_SECTIONS } from './schema.js';
export type { PersonInput, PersonInputRaw } from './schema.js';

/** A person as the API shows them: the schema's field names plus id, version and timestamps. */
export function personToJson(r: PersonRecord) {
  return {
    id: r.id,
    givenName: r.givenName,
    familyName: r.familyName,
    preferredName: r.preferredName,
    dateOfBirth: r.dateOfBirth,
    nhsNumber: r.nhsNumber,
    councilPersonId: r.councilPersonId,
    externalId: r.externalId,
    addressLine1: r.addressLine1,
    addressLine2: r.addressLine2,
    town: r.town,
    postcode: r.postcode,
    phone: r.phone,
    email: r.email,
    communicationNeeds: r.communicationNeeds,
    primarySupportReason: r.primarySupportReason,
    s117Section: r.s117Section,
    s117DischargeDate: r.s117DischargeDate,
    careCoordinatorId: r.careCoordinatorId,
    teamId: r.teamId,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
