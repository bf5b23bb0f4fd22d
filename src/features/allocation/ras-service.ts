// What administrators do with RAS versions: list them, start a draft, change a draft, publish
// it. Each function runs in the caller's partnership transaction and audits every change in it
// (record type 'ras_version'). A version that is published or used by an assessment is fixed:
// the service refuses to change it, and so does the database (migration 0003).
import type { AuditContext } from '../../platform/audit/audit.js';
import { audit } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { compareCivilDates, type CivilDate } from '../../platform/dates.js';
import { Conflict, NotFound } from '../../platform/http/errors.js';
import { DEMO_RAS } from './demo-ras.js';
import { rasVersionSchema, type RasVersion } from './rules.js';
import {
  RAS_IN_USE_MESSAGE,
  currentRasVersion,
  insertRasVersion,
  listRasVersions,
  publishRasVersion,
  rasVersionById,
  updateDraftRasVersion,
  type StoredRasVersion,
} from './store.js';

export const RAS_RECORD_TYPE = 'ras_version';
export const NO_SUCH_VERSION = 'There is no such RAS version';

export interface RasAdmin {
  ctx: AuditContext;
  partnershipId: string;
  userId: string;
}

/** Whether a version can still be changed: a draft no assessment uses. */
export const isEditable = (v: StoredRasVersion): boolean => v.status === 'draft' && v.uses === 0;

export async function rasOverview(
  tx: Tx,
  today: CivilDate,
): Promise<{ versions: StoredRasVersion[]; current: StoredRasVersion | undefined }> {
  const [versions, current] = await Promise.all([
    listRasVersions(tx),
    currentRasVersion(tx, today),
  ]);
  return { versions, current };
}

export async function getRasVersion(tx: Tx, id: string): Promise<StoredRasVersion> {
  const found = await rasVersionById(tx, id);
  if (!found) throw new NotFound(NO_SUCH_VERSION);
  return found;
}

/**
 * Where a new draft starts: a copy of the given version, else of the current one, else the
 * demo RAS. The copy's id is left as it was; the page suggests a new one.
 */
export async function startingPoint(
  tx: Tx,
  today: CivilDate,
  fromId: string | undefined,
): Promise<{ version: RasVersion; from: StoredRasVersion | undefined; takenIds: Set<string> }> {
  const versions = await listRasVersions(tx);
  const takenIds = new Set(versions.map((v) => v.definition.id));
  const from =
    (fromId ? versions.find((v) => v.id === fromId) : undefined) ??
    (await currentRasVersion(tx, today));
  return { version: from?.definition ?? rasVersionSchema.parse(DEMO_RAS), from, takenIds };
}

const summary = (v: RasVersion) => ({
  code: v.id,
  name: v.name,
  effectiveFrom: v.effectiveFrom,
  definition: v,
});

export async function createDraft(tx: Tx, a: RasAdmin, version: RasVersion): Promise<string> {
  const id = await insertRasVersion(tx, a.partnershipId, version, a.userId);
  await audit(tx, a.ctx, {
    action: 'create',
    recordType: RAS_RECORD_TYPE,
    recordId: id,
    detail: { status: 'draft', ...summary(version) },
  });
  return id;
}

export async function changeDraft(
  tx: Tx,
  a: RasAdmin,
  id: string,
  version: RasVersion,
): Promise<void> {
  const before = await getRasVersion(tx, id);
  if (!isEditable(before)) throw new Conflict(RAS_IN_USE_MESSAGE);
  if (version.id !== before.definition.id) {
    const clash = (await listRasVersions(tx)).some(
      (v) => v.id !== id && v.definition.id === version.id,
    );
    if (clash)
      throw new Conflict(
        `There is already a RAS version with the id "${version.id}". Give this version its own id.`,
      );
  }
  await updateDraftRasVersion(tx, id, version);
  await audit(tx, a.ctx, {
    action: 'update',
    recordType: RAS_RECORD_TYPE,
    recordId: id,
    detail: { previousCode: before.definition.id, ...summary(version) },
  });
}

export async function publishDraft(tx: Tx, a: RasAdmin, id: string): Promise<StoredRasVersion> {
  const version = await getRasVersion(tx, id);
  if (version.status !== 'draft') throw new Conflict('This RAS version is already published.');
  await publishRasVersion(tx, id, a.userId);
  await audit(tx, a.ctx, {
    action: 'update',
    recordType: RAS_RECORD_TYPE,
    recordId: id,
    detail: {
      published: true,
      code: version.definition.id,
      effectiveFrom: version.definition.effectiveFrom,
    },
  });
  return version;
}

export type WhenCurrent =
  | { kind: 'now'; replaces: StoredRasVersion | undefined }
  | { kind: 'later'; on: string }
  | { kind: 'never'; because: StoredRasVersion };

/**
 * When a version would become the current one if it were published today: at once, on its
 * effective date, or never (a published version with a later effective date already covers it).
 */
export function whenCurrent(
  version: StoredRasVersion,
  published: readonly StoredRasVersion[],
  current: StoredRasVersion | undefined,
  today: CivilDate,
): WhenCurrent {
  const from = version.definition.effectiveFrom;
  const laterPublished = published
    .filter((p) => p.id !== version.id && p.status === 'published')
    .filter((p) => compareCivilDates(p.definition.effectiveFrom, from) > 0)
    .filter((p) => compareCivilDates(p.definition.effectiveFrom, today) <= 0);
  const blocker = laterPublished[0];
  if (blocker) return { kind: 'never', because: blocker };
  if (compareCivilDates(from, today) <= 0) return { kind: 'now', replaces: current };
  return { kind: 'later', on: from };
}
