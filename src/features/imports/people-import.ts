// pooled import people FILE.csv: streams the file, checks each row with the shared person schema,
// reports bad rows by line, and upserts good rows on external ID in batches (one transaction
// and one audit event a batch, under row-level security for the partnership).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse, type CsvError } from 'csv-parse';
import { sql } from 'kysely';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { todayInLondon, type CivilDate } from '../../platform/dates.js';
import {
  checkHeader,
  recordStartLine,
  rowToPerson,
  type ImportCounts,
  type ImportedPerson,
  type PersonColumn,
  type RowProblem,
  type Team,
} from './rules.js';

export class ImportFatal extends Error {}

export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  partnershipCode: string;
  file: string;
  today?: CivilDate;
  batchSize?: number;
  onProblem?: (problem: RowProblem) => void;
  onWarning?: (message: string) => void;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportResult extends ImportCounts {
  seconds: number;
}

interface Row {
  line: number;
  person: ImportedPerson;
}

/** Database columns written for each CSV column present (absent columns are left alone). */
const DB_COLUMNS: Record<PersonColumn, readonly string[]> = {
  external_id: [],
  given_name: ['given_name'],
  family_name: ['family_name'],
  preferred_name: ['preferred_name'],
  date_of_birth: ['date_of_birth'],
  nhs_number: ['nhs_number'],
  council_person_id: ['council_person_id'],
  address_line1: ['address_line1'],
  address_line2: ['address_line2'],
  town: ['town'],
  postcode: ['postcode'],
  phone: ['phone'],
  email: ['email'],
  communication_needs: ['communication_needs'],
  primary_support_reason: ['primary_support_reason'],
  s117_section: ['s117_section', 's117_discharge_date'],
  s117_discharge_date: ['s117_section', 's117_discharge_date'],
  team: ['team_id', 'lead_organisation_id'],
};

function dbValues(p: ImportedPerson): Record<string, string | null> {
  return {
    given_name: p.givenName,
    family_name: p.familyName,
    preferred_name: p.preferredName,
    date_of_birth: p.dateOfBirth,
    nhs_number: p.nhsNumber,
    council_person_id: p.councilPersonId,
    address_line1: p.addressLine1,
    address_line2: p.addressLine2,
    town: p.town,
    postcode: p.postcode,
    phone: p.phone,
    email: p.email,
    communication_needs: p.communicationNeeds,
    primary_support_reason: p.primarySupportReason,
    s117_section: p.s117Section,
    s117_discharge_date: p.s117DischargeDate,
    team_id: p.teamId,
    lead_organisation_id: p.leadOrganisationId,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

class BatchWriter {
  readonly counts: ImportCounts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  private batchNumber = 0;

  constructor(
    private readonly db: Db,
    private readonly partnershipId: string,
    private readonly columns: readonly string[],
    private readonly fileName: string,
    private readonly reject: (problem: RowProblem) => void,
  ) {}

  /** Rows whose NHS number or council ID already belongs to someone else are refused. */
  private async clashes(tx: Tx, rows: Row[]): Promise<Map<Row, string>> {
    const clashes = new Map<Row, string>();
    const nhs = rows.flatMap((r) => (r.person.nhsNumber ? [r.person.nhsNumber] : []));
    const council = rows.flatMap((r) =>
      r.person.councilPersonId ? [r.person.councilPersonId] : [],
    );
    const checkNhs = this.columns.includes('nhs_number') && nhs.length > 0;
    const checkCouncil = this.columns.includes('council_person_id') && council.length > 0;
    if (!checkNhs && !checkCouncil) return clashes;
    const existing = await tx
      .selectFrom('people')
      .select(['external_id', 'nhs_number', 'council_person_id'])
      .where((eb) =>
        eb.or([
          ...(checkNhs ? [eb('nhs_number', 'in', nhs)] : []),
          ...(checkCouncil ? [eb('council_person_id', 'in', council)] : []),
        ]),
      )
      .execute();
    const ownerOfNhs = new Map(existing.map((e) => [e.nhs_number, e.external_id]));
    const ownerOfCouncil = new Map(existing.map((e) => [e.council_person_id, e.external_id]));
    for (const r of rows) {
      const { nhsNumber, councilPersonId, externalId } = r.person;
      if (
        checkNhs &&
        nhsNumber &&
        ownerOfNhs.has(nhsNumber) &&
        ownerOfNhs.get(nhsNumber) !== externalId
      )
        clashes.set(
          r,
          `nhs_number: another person already has NHS number ${nhsNumber} (${describeOwner(ownerOfNhs.get(nhsNumber))})`,
        );
      else if (
        checkCouncil &&
        councilPersonId &&
        ownerOfCouncil.has(councilPersonId) &&
        ownerOfCouncil.get(councilPersonId) !== externalId
      )
        clashes.set(
          r,
          `council_person_id: another person already has council person ID ${councilPersonId} (${describeOwner(ownerOfCouncil.get(councilPersonId))})`,
        );
    }
    return clashes;
  }

  private async upsert(tx: Tx, rows: Row[]): Promise<{ created: number; updated: number }> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    const values = rows.map((r) => {
      const all = dbValues(r.person);
      return {
        partnership_id: this.partnershipId,
        external_id: r.person.externalId,
        ...Object.fromEntries(this.columns.map((c) => [c, all[c] ?? null])),
      };
    });
    const cols = this.columns.map((c) => sql.ref(`people.${c}`));
    const excluded = this.columns.map((c) => sql.ref(`excluded.${c}`));
    const changed = await tx
      .insertInto('people')
      .values(values as never)
      .onConflict((oc) =>
        oc
          .columns(['partnership_id', 'external_id'])
          .where('external_id', 'is not', null)
          .doUpdateSet({
            ...Object.fromEntries(this.columns.map((c) => [c, sql.ref(`excluded.${c}`)])),
            version: sql`people.version + 1`,
            updated_at: sql`now()`,
          } as never)
          .where(sql<boolean>`(${sql.join(cols)}) is distinct from (${sql.join(excluded)})`),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
    const created = changed.filter((c) => c.inserted).length;
    return { created, updated: changed.length - created };
  }

  private async audit(tx: Tx, rows: Row[], counts: ImportCounts): Promise<void> {
    await tx
      .insertInto('audit_events')
      .values({
        partnership_id: this.partnershipId,
        user_id: null,
        api_client_id: null,
        actor: 'cli import',
        action: 'import',
        record_type: 'person',
        record_id: null,
        person_id: null,
        reason: null,
        ip: null,
        detail: JSON.stringify({
          file: this.fileName,
          batch: this.batchNumber,
          firstLine: rows[0]?.line ?? null,
          lastLine: rows.at(-1)?.line ?? null,
          ...counts,
        }),
      })
      .execute();
  }

  /** Write one batch in one transaction. If a clash slips past the check, go row by row. */
  async write(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    this.batchNumber++;
    try {
      const result = await inPartnership(this.db, this.partnershipId, async (tx) => {
        const clashes = await this.clashes(tx, rows);
        const good = rows.filter((r) => !clashes.has(r));
        const { created, updated } = await this.upsert(tx, good);
        const counts = {
          created,
          updated,
          unchanged: good.length - created - updated,
          rejected: clashes.size,
        };
        await this.audit(tx, rows, counts);
        return { counts, clashes };
      });
      for (const [row, reason] of result.clashes)
        this.reject({ line: row.line, reasons: [reason] });
      this.add(result.counts);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.writeOneByOne(rows);
    }
  }

  private async writeOneByOne(rows: Row[]): Promise<void> {
    const rejected: Row[] = [];
    const counts = await inPartnership(this.db, this.partnershipId, async (tx) => {
      const c: ImportCounts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
      for (const row of rows) {
        await sql`savepoint import_row`.execute(tx);
        try {
          const { created, updated } = await this.upsert(tx, [row]);
          c.created += created;
          c.updated += updated;
          c.unchanged += 1 - created - updated;
          await sql`release savepoint import_row`.execute(tx);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          await sql`rollback to savepoint import_row`.execute(tx);
          rejected.push(row);
          c.rejected++;
        }
      }
      await this.audit(tx, rows, c);
      return c;
    });
    for (const row of rejected)
      this.reject({
        line: row.line,
        reasons: [
          'nhs_number or council_person_id: another person in this partnership already has it',
        ],
      });
    this.add(counts);
  }

  private add(c: ImportCounts): void {
    this.counts.created += c.created;
    this.counts.updated += c.updated;
    this.counts.unchanged += c.unchanged;
    this.counts.rejected += c.rejected;
  }
}

function describeOwner(externalId: string | null | undefined): string {
  return externalId ? `external ID ${externalId}` : 'a person added in Pooled, not by import';
}

async function loadTeams(db: Db, partnershipId: string): Promise<Map<string, Team>> {
  const teams = await db.system
    .selectFrom('teams')
    .select(['id', 'name', 'organisation_id'])
    .where('partnership_id', '=', partnershipId)
    .execute();
  return new Map(
    teams.map((t) => [
      t.name.trim().toLowerCase(),
      { id: t.id, organisationId: t.organisation_id },
    ]),
  );
}

/** Import a CSV file of people. Throws ImportFatal when nothing can be imported. */
export async function importPeople(db: Db, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const today = options.today ?? todayInLondon();
  const batchSize = options.batchSize ?? 1000;
  const partnership = await db.system
    .selectFrom('partnerships')
    .select('id')
    .where('code', '=', options.partnershipCode)
    .executeTakeFirst();
  if (!partnership)
    throw new ImportFatal(`There is no partnership with code "${options.partnershipCode}".`);
  let totalBytes: number;
  try {
    const s = await stat(options.file);
    if (!s.isFile()) throw new ImportFatal(`${options.file} is not a file.`);
    totalBytes = s.size;
  } catch (error) {
    if (error instanceof ImportFatal) throw error;
    throw new ImportFatal(`Cannot read ${options.file}: ${(error as Error).message}`);
  }
  const teams = await loadTeams(db, partnership.id);

  const input = createReadStream(options.file);
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }),
  );
  let writer: BatchWriter | undefined;
  let columns: (PersonColumn | null)[] = [];
  const rejectedBefore = { n: 0 };
  const problem = (p: RowProblem) => {
    rejectedBefore.n++;
    options.onProblem?.(p);
  };
  let lastEndLine = 0;
  parser.on('skip', (error: CsvError) => {
    const reason =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted value is never closed, so the rest of the file could not be read (look for a missing ")'
        : `the line could not be read as CSV (${error.message})`;
    problem({ line: lastEndLine + 1, reasons: [reason] });
  });
  input.on('error', (error) => parser.destroy(error));

  const seenExternal = new Map<string, number>();
  const seenNhs = new Map<string, number>();
  let rows = 0;
  let batch: Row[] = [];
  try {
    for await (const record of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
      raw: string;
    }>) {
      const line = recordStartLine(record.info.lines, record.raw);
      lastEndLine = record.info.lines;
      if (!writer) {
        const header = checkHeader(record.record);
        if (!header.ok) throw new ImportFatal(header.message);
        if (header.unknown.length)
          options.onWarning?.(
            `Ignoring column${header.unknown.length > 1 ? 's' : ''} Pooled does not know: ${header.unknown.join(', ')}`,
          );
        columns = header.columns;
        const dbColumns = [...new Set(header.present.flatMap((c) => DB_COLUMNS[c]))];
        writer = new BatchWriter(db, partnership.id, dbColumns, basename(options.file), problem);
        continue;
      }
      rows++;
      const result = rowToPerson(record.record, columns, today, teams);
      if (!result.ok) {
        problem({ line, reasons: result.reasons });
      } else {
        const { externalId, nhsNumber } = result.person;
        const earlier = seenExternal.get(externalId);
        const earlierNhs = nhsNumber ? seenNhs.get(nhsNumber) : undefined;
        if (earlier !== undefined)
          problem({
            line,
            reasons: [
              `external_id: ${externalId} is also on line ${String(earlier)}; give each person one row`,
            ],
          });
        else if (earlierNhs !== undefined)
          problem({
            line,
            reasons: [
              `nhs_number: line ${String(earlierNhs)} has the same NHS number for a different person`,
            ],
          });
        else {
          seenExternal.set(externalId, line);
          if (nhsNumber) seenNhs.set(nhsNumber, line);
          batch.push({ line, person: result.person });
        }
      }
      if (batch.length >= batchSize) {
        await writer.write(batch);
        batch = [];
      }
      if (rows % 500 === 0) options.onProgress?.({ rows, bytes: input.bytesRead, totalBytes });
    }
    if (!writer)
      throw new ImportFatal(
        `${options.file} is empty: it needs a header row and at least one row of people.`,
      );
    await writer.write(batch);
  } catch (error) {
    input.destroy();
    if (error instanceof ImportFatal) throw error;
    if (
      error instanceof Error &&
      'code' in error &&
      typeof error.code === 'string' &&
      error.code.startsWith('E')
    )
      throw new ImportFatal(`Cannot read ${options.file}: ${error.message}`);
    throw error;
  }
  options.onProgress?.({ rows, bytes: totalBytes, totalBytes });
  const counts = writer.counts;
  return {
    created: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    // Rows refused before the database (bad values, repeats, unreadable CSV) and by it (clashes).
    rejected: rejectedBefore.n,
    seconds: (performance.now() - started) / 1000,
  };
}
