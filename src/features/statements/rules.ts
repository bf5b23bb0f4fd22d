// Statement files (issue 5 point 6): a streaming CSV reader that works on bytes, the column
// mappings of card and bank providers (two built in), and reading one record into a statement
// transaction or the problems that stop it. Pure: no I/O (the reader takes any async iterable
// of byte chunks, such as a file stream, and never opens anything itself).
//
// Sign convention: `amountPence` is signed as seen from the holding account (the prepaid card or
// the direct-payment bank account): negative = money out (a spend), positive = money in (a
// refund, a credit). The ledger posting follows from it (service.ts).
import { z } from 'zod';
import { parsePounds } from '../../platform/money.js';
import type { CivilDate } from '../../platform/dates.js';

// ---------------------------------------------------------------------------------------------
// CSV

/** One physical record of a CSV file: its fields, or why it could not be read. */
export type CsvRecord =
  | { readonly line: number; readonly fields: string[]; readonly problem?: undefined }
  | { readonly line: number; readonly fields?: undefined; readonly problem: string };

export const NOT_UTF8 = 'not UTF-8 text';
export const UNCLOSED_QUOTE =
  'a quoted value is never closed, so the rest of the file could not be read (look for a missing ")';
export const QUOTE_IN_VALUE = 'a " appears inside a value that does not start with "';
export const TEXT_AFTER_QUOTE = 'there is text after the closing " of a quoted value';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

/**
 * A byte-level CSV scanner (RFC 4180 with the usual leniencies): comma-separated, `"` quotes with
 * `""` for a quote inside one, commas and line breaks allowed inside quotes, LF or CRLF line
 * ends, a UTF-8 byte order mark at the start skipped, blank lines skipped. Feed it chunks split
 * anywhere (even inside a multi-byte character or between CR and LF); each complete record comes
 * back with the physical line number it starts on. A record whose bytes are not valid UTF-8 is a
 * problem record ({@link NOT_UTF8}), decoded strictly per record, so one bad row does not stop the
 * file. Plain ASCII records (the common case) skip the decoder entirely.
 */
export class CsvScanner {
  /**
   * Optional: offered each complete plain-ASCII record with no problem before it is made into
   * strings (the bytes, and per field its start, end and 1 if quoted). Returning true takes the
   * record (the import's fast lane, statements/batch.ts); false leaves it to come back as a
   * CsvRecord as usual.
   */
  take: ((bytes: Buffer, bounds: readonly number[], line: number) => boolean) | null = null;
  /** Records taken by `take` so far. */
  taken = 0;
  private readonly bounds: number[] = [];
  private rest: Uint8Array = EMPTY;
  /** Physical line number of the start of `rest`. */
  private restLine = 1;
  private started = false;

  /** Records completed by this chunk. */
  push(chunk: Uint8Array): CsvRecord[] {
    let buf: Uint8Array;
    if (this.rest.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.rest.length + chunk.length);
      buf.set(this.rest, 0);
      buf.set(chunk, this.rest.length);
    }
    if (!this.started) {
      if (buf.length < 3 && buf.length > 0 && isBomPrefix(buf)) {
        this.rest = buf.slice();
        return [];
      }
      this.started = buf.length > 0;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
        buf = buf.subarray(3);
    }
    const out: CsvRecord[] = [];
    const consumed = this.scan(buf, false, out);
    this.rest = consumed === buf.length ? EMPTY : buf.slice(consumed);
    return out;
  }

  /** The last record, if the file does not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.rest.length) this.scan(this.rest, true, out);
    this.rest = EMPTY;
    return out;
  }

  /** Scan whole records from buf; returns how many bytes were used. */
  private scan(buf: Uint8Array, final: boolean, out: CsvRecord[]): number {
    const n = buf.length;
    const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    let line = this.restLine;
    while (pos < n) {
      // One record from pos.
      const start = pos;
      const startLine = line;
      let ascii = true;
      let problem: string | undefined;
      const bounds = this.bounds; // start, end, quoted(1/0) per field; one array, reused
      bounds.length = 0;
      let i = pos;
      let fieldStart = i;
      let complete = false;
      let lines = 0;
      fields: for (;;) {
        if (i >= n) break;
        if (buf[i] === QUOTE) {
          // A quoted field.
          i++;
          fieldStart = i;
          for (;;) {
            if (i >= n) break fields;
            const b = buf[i] ?? 0;
            if (b === QUOTE) {
              if (i + 1 >= n) {
                if (!final) break fields;
                break;
              }
              if (buf[i + 1] === QUOTE) {
                i += 2;
                continue;
              }
              break;
            }
            if (b === LF) lines++;
            else if (b >= 0x80) ascii = false;
            i++;
          }
          const fieldEnd = i;
          i++; // past the closing quote
          if (i < n && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) {
            problem ??= TEXT_AFTER_QUOTE;
            while (i < n && buf[i] !== COMMA && buf[i] !== LF) {
              if ((buf[i] ?? 0) >= 0x80) ascii = false;
              i++;
            }
            if (i >= n && !final) break fields;
          }
          bounds.push(fieldStart, fieldEnd, 1);
        } else {
          fieldStart = i;
          while (i < n) {
            const b = buf[i] ?? 0;
            if (b === COMMA || b === LF) break;
            if (b >= 0x80) ascii = false;
            else if (b === QUOTE) problem ??= QUOTE_IN_VALUE;
            i++;
          }
          if (i >= n && !final) break fields;
          let fieldEnd = i;
          if (fieldEnd > fieldStart && buf[fieldEnd - 1] === CR && (i >= n || buf[i] === LF))
            fieldEnd--;
          bounds.push(fieldStart, fieldEnd, 0);
        }
        // After a field: a comma, a line end, CR LF, or the end of the data.
        if (i >= n) {
          complete = final;
          break;
        }
        const b = buf[i];
        if (b === COMMA) {
          i++;
          if (i >= n && final) {
            bounds.push(i, i, 0);
            complete = true;
            break;
          }
          continue;
        }
        if (b === CR) {
          if (i + 1 >= n) {
            if (!final) break;
            i++;
            complete = true;
            break;
          }
          if (buf[i + 1] === LF) {
            i += 2;
            lines++;
            complete = true;
            break;
          }
          // A lone CR after a quoted field: treat as text after the quote.
          problem ??= TEXT_AFTER_QUOTE;
          i++;
          continue;
        }
        // LF
        i++;
        lines++;
        complete = true;
        break;
      }
      if (!complete) {
        if (!final) {
          // Wait for more data (restart this record from its beginning).
          this.restLine = startLine;
          return start;
        }
        // End of file inside a quoted value.
        out.push({ line: startLine, problem: UNCLOSED_QUOTE });
        return n;
      }
      pos = i;
      line = startLine + lines;
      // A blank line is skipped.
      if (bounds.length === 3 && bounds[0] === bounds[1] && bounds[2] === 0) continue;
      if (problem) {
        out.push({ line: startLine, problem });
        continue;
      }
      if (ascii && this.take?.(bytes, bounds, startLine)) {
        this.taken++;
        continue;
      }
      if (!ascii) {
        try {
          utf8.decode(buf.subarray(start, i));
        } catch {
          out.push({ line: startLine, problem: NOT_UTF8 });
          continue;
        }
      }
      const fieldsOut: string[] = new Array<string>(bounds.length / 3);
      for (let f = 0, k = 0; f < bounds.length; f += 3, k++) {
        const s = bounds[f] ?? 0;
        const e = bounds[f + 1] ?? 0;
        let text = ascii ? latin1(bytes, s, e) : bytes.toString('utf8', s, e);
        if (bounds[f + 2] === 1 && text.includes('"')) text = text.replaceAll('""', '"');
        fieldsOut[k] = text;
      }
      out.push({ line: startLine, fields: fieldsOut });
    }
    this.restLine = line;
    return pos;
  }
}

function isBomPrefix(buf: Uint8Array): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < buf.length; i++) if (buf[i] !== bom[i]) return false;
  return true;
}

/** ASCII bytes to a string, quickly (Node's Buffer: a view, no copy). */
function latin1(buf: Buffer, s: number, e: number): string {
  return buf.toString('latin1', s, e);
}

/**
 * Records of a byte stream, a chunk's worth at a time (an array per chunk rather than one
 * promise per record: a million-row file then costs a few hundred awaits, not a million).
 */
export async function* csvRecords(
  source: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<CsvRecord[]> {
  yield* scanRecords(source, new CsvScanner());
}

/**
 * csvRecords with a scanner of the caller's (to set its `take`): every chunk's records, an empty
 * array for a chunk whose records were all taken.
 */
export async function* scanRecords(
  source: AsyncIterable<Uint8Array | string>,
  scanner: CsvScanner,
): AsyncGenerator<CsvRecord[]> {
  const encoder = new TextEncoder();
  for await (const chunk of source) {
    const before = scanner.taken;
    const records = scanner.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    if (records.length || scanner.taken !== before) yield records;
  }
  const last = scanner.end();
  if (last.length) yield last;
}

// ---------------------------------------------------------------------------------------------
// Column mappings

export const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** Which header holds what, for one card or bank provider's statement files. */
export interface ColumnMapping {
  readonly name: string;
  readonly label: string;
  readonly transactionId: string;
  readonly date: string;
  readonly dateFormat: DateFormat;
  readonly description: string;
  readonly amount:
    | { readonly kind: 'signed'; readonly column: string }
    | { readonly kind: 'split'; readonly debit: string; readonly credit: string };
  readonly mcc: string | null;
  readonly account: string;
}

/**
 * The two built-in formats. A bank statement must carry the bank's own reference for each
 * transaction (`Reference`): Pooled deduplicates on it and does not make one up from the other
 * columns, because two genuine identical payments on one day would then look like one.
 */
export const BUILT_IN_MAPPINGS: Readonly<Record<'prepaid-card' | 'bank', ColumnMapping>> = {
  'prepaid-card': {
    name: 'prepaid-card',
    label: 'Prepaid card',
    transactionId: 'Transaction ID',
    date: 'Date',
    dateFormat: 'DD/MM/YYYY',
    description: 'Merchant',
    amount: { kind: 'signed', column: 'Amount' },
    mcc: 'MCC',
    account: 'Card Number',
  },
  bank: {
    name: 'bank',
    label: 'Bank account',
    transactionId: 'Reference',
    date: 'Date',
    dateFormat: 'DD/MM/YYYY',
    description: 'Description',
    amount: { kind: 'split', debit: 'Paid out', credit: 'Paid in' },
    mcc: null,
    account: 'Account',
  },
};
export type BuiltInFormat = keyof typeof BUILT_IN_MAPPINGS;
export const STATEMENT_FORMATS = Object.keys(BUILT_IN_MAPPINGS) as BuiltInFormat[];

const header = z.string().trim().min(1, { message: 'Name the column' }).max(100);

/**
 * A provider's own column mapping, as JSON (for `pooled import statements --mapping FILE`):
 * the same shape as the built-in ones. Its name is the provider: transactions are deduplicated
 * per provider, so keep one name for one provider's files.
 */
export const columnMappingSchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, {
        message: 'The name must be lower-case letters, numbers and hyphens',
      }),
    label: z.string().trim().min(1).max(100),
    transactionId: header,
    date: header,
    dateFormat: z.enum(DATE_FORMATS),
    description: header,
    amount: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('signed'), column: header }),
      z.object({ kind: z.literal('split'), debit: header, credit: header }),
    ]),
    mcc: header.nullable().default(null),
    account: header,
  })
  .strict();

/** Read a mapping from JSON text; the problems in words when it is not one. */
export function readMapping(
  json: string,
): { ok: true; mapping: ColumnMapping } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, message: `The mapping is not JSON: ${(error as Error).message}` };
  }
  const parsed = columnMappingSchema.safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      message: `The mapping is not right: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`)
        .join('; ')}`,
    };
  if (Object.hasOwn(BUILT_IN_MAPPINGS, parsed.data.name))
    return { ok: false, message: `The name "${parsed.data.name}" is a built-in format's` };
  return { ok: true, mapping: parsed.data };
}

export function mappingFor(format: string): ColumnMapping | undefined {
  return Object.hasOwn(BUILT_IN_MAPPINGS, format)
    ? BUILT_IN_MAPPINGS[format as BuiltInFormat]
    : undefined;
}

/** Where each mapped column is in the file. */
export interface ColumnPositions {
  readonly id: number;
  readonly date: number;
  readonly description: number;
  readonly amount: number;
  readonly debit: number;
  readonly credit: number;
  readonly mcc: number;
  readonly account: number;
  readonly width: number;
}

export type HeaderResult =
  | { readonly ok: true; readonly positions: ColumnPositions; readonly ignored: string[] }
  | { readonly ok: false; readonly missing: string[]; readonly message: string };

const norm = (h: string) => h.trim().toLowerCase();

/**
 * Match the header row to a mapping (case and surrounding spaces ignored). A missing column
 * refuses the whole file, naming every missing header and what the file has instead; columns
 * the mapping does not use are ignored and listed.
 */
export function checkHeader(header: readonly string[], mapping: ColumnMapping): HeaderResult {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(norm(h))) index.set(norm(h), i);
  });
  const wanted: string[] = [
    mapping.transactionId,
    mapping.date,
    mapping.description,
    ...(mapping.amount.kind === 'signed'
      ? [mapping.amount.column]
      : [mapping.amount.debit, mapping.amount.credit]),
    ...(mapping.mcc ? [mapping.mcc] : []),
    mapping.account,
  ];
  const missing = wanted.filter((w) => !index.has(norm(w)));
  if (missing.length) {
    const has = header.filter((h) => h.trim() !== '');
    return {
      ok: false,
      missing,
      message:
        `This is not a ${mapping.label.toLowerCase()} statement in the "${mapping.name}" format: ` +
        `the file has no ${missing.map((m) => `"${m}"`).join(', ')} column${missing.length > 1 ? 's' : ''}. ` +
        `Its columns are: ${has.length ? has.map((h) => `"${h}"`).join(', ') : 'none'}. ` +
        `Nothing was imported.`,
    };
  }
  const at = (h: string | null) => (h === null ? -1 : (index.get(norm(h)) ?? -1));
  const used = new Set(wanted.map(norm));
  return {
    ok: true,
    positions: {
      id: at(mapping.transactionId),
      date: at(mapping.date),
      description: at(mapping.description),
      amount: mapping.amount.kind === 'signed' ? at(mapping.amount.column) : -1,
      debit: mapping.amount.kind === 'split' ? at(mapping.amount.debit) : -1,
      credit: mapping.amount.kind === 'split' ? at(mapping.amount.credit) : -1,
      mcc: at(mapping.mcc),
      account: at(mapping.account),
      width: header.length,
    },
    ignored: header.filter((h) => h.trim() !== '' && !used.has(norm(h))),
  };
}

// ---------------------------------------------------------------------------------------------
// Rows

export interface StatementRow {
  readonly line: number;
  readonly providerTransactionId: string;
  readonly date: CivilDate;
  readonly description: string;
  /** Signed as the holding account sees it: negative is money out. Never zero. */
  readonly amountPence: number;
  /** Four digits, or null when the file has none. */
  readonly mcc: string | null;
  readonly accountReference: string;
}

export interface BadRow {
  readonly line: number;
  readonly problems: string[];
}

export type RowResult =
  { readonly ok: true; readonly row: StatementRow } | { readonly ok: false; readonly bad: BadRow };

export const MAX_ID_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
/** The largest single statement amount accepted: £1,000,000. */
export const MAX_AMOUNT_PENCE = 100_000_000;

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A statement date in the mapping's format, or null when it is not a real calendar day. */
export function parseStatementDate(text: string, format: DateFormat): CivilDate | null {
  const s = text.trim();
  let y: number, m: number, d: number;
  if (format === 'YYYY-MM-DD') {
    if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') return null;
    y = digits(s, 0, 4);
    m = digits(s, 5, 7);
    d = digits(s, 8, 10);
  } else {
    // DD/MM/YYYY, also D/M/YYYY
    const a = s.indexOf('/');
    const b = a < 0 ? -1 : s.indexOf('/', a + 1);
    if (a < 1 || a > 2 || b - a < 2 || b - a > 3 || s.length - b !== 5) return null;
    d = digits(s, 0, a);
    m = digits(s, a + 1, b);
    y = digits(s, b + 1, s.length);
  }
  if (y < 1900 || m < 1 || m > 12 || d < 1) return null;
  if (d > (m === 2 && leap(y) ? 29 : (DAYS[m] ?? 0))) return null;
  return `${String(y)}-${m < 10 ? '0' : ''}${String(m)}-${d < 10 ? '0' : ''}${String(d)}` as CivilDate;
}

/** parseStatementDate, remembered: a statement has a few hundred distinct days in a million rows. */
const seenDates: Record<DateFormat, Map<string, CivilDate | null>> = {
  'YYYY-MM-DD': new Map(),
  'DD/MM/YYYY': new Map(),
};
function cachedDate(text: string, format: DateFormat): CivilDate | null {
  const seen = seenDates[format];
  let date = seen.get(text);
  if (date === undefined) {
    date = parseStatementDate(text, format);
    if (seen.size >= 10_000) seen.clear();
    seen.set(text, date);
  }
  return date;
}

function amount(text: string, column: string, problems: string[]): number | null {
  const r = parsePounds(text);
  if (!r.ok) {
    problems.push(
      `${column}: ${r.problem === 'empty' ? 'no amount' : `"${text}" is not an amount (${r.message})`}`,
    );
    return null;
  }
  if (Math.abs(r.value) > MAX_AMOUNT_PENCE) {
    problems.push(`${column}: ${text} is more than £1,000,000 for one transaction`);
    return null;
  }
  return r.value;
}

/** Fast path for the common plain amount "-12.34" / "12.3" / "12"; null when not that shape. */
function plainAmount(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 12) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let whole = 0;
  let sawDigit = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    sawDigit = true;
  }
  if (!sawDigit) return null;
  let frac = 0;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return null;
    const left = n - i - 1;
    if (left < 1 || left > 2) return null;
    const a = s.charCodeAt(i + 1) - 48;
    const b = left === 2 ? s.charCodeAt(i + 2) - 48 : 0;
    if (a < 0 || a > 9 || b < 0 || b > 9) return null;
    frac = a * 10 + b;
  }
  const v = whole * 100 + frac;
  if (v > MAX_AMOUNT_PENCE) return null;
  return neg ? -v : v;
}

function readAmount(text: string, column: string, problems: string[]): number | null {
  const fast = plainAmount(text);
  if (fast !== null) return fast;
  return amount(text, column, problems);
}

/** Read one record (not the header) into a statement row, or every problem with it. */
export function readRow(
  record: CsvRecord,
  positions: ColumnPositions,
  mapping: ColumnMapping,
): RowResult {
  if (record.problem !== undefined)
    return { ok: false, bad: { line: record.line, problems: [record.problem] } };
  const f = record.fields;
  const problems: string[] = [];
  if (f.length !== positions.width)
    problems.push(
      `the row has ${String(f.length)} value${f.length === 1 ? '' : 's'} but the header has ${String(positions.width)} columns`,
    );
  // (No closure for this: made per row it costs a tenth of a large import's time.)
  const id = (f[positions.id] ?? '').trim();
  if (id === '') problems.push(`${mapping.transactionId}: no transaction id`);
  else if (id.length > MAX_ID_LENGTH)
    problems.push(`${mapping.transactionId}: longer than ${String(MAX_ID_LENGTH)} characters`);

  const dateText = f[positions.date] ?? '';
  const date = cachedDate(dateText, mapping.dateFormat);
  if (date === null)
    problems.push(
      dateText.trim() === ''
        ? `${mapping.date}: no date`
        : `${mapping.date}: "${dateText}" is not a date in the form ${mapping.dateFormat}`,
    );

  let description = (f[positions.description] ?? '').trim();
  if (description.length > MAX_DESCRIPTION_LENGTH)
    description = description.slice(0, MAX_DESCRIPTION_LENGTH);

  let amountPence: number | null = null;
  if (mapping.amount.kind === 'signed') {
    amountPence = readAmount(f[positions.amount] ?? '', mapping.amount.column, problems);
  } else {
    const out = (f[positions.debit] ?? '').trim();
    const inn = (f[positions.credit] ?? '').trim();
    if (out !== '' && inn !== '')
      problems.push(
        `${mapping.amount.debit} and ${mapping.amount.credit}: both have an amount; a row should have one`,
      );
    else if (out === '' && inn === '')
      problems.push(`${mapping.amount.debit} and ${mapping.amount.credit}: no amount in either`);
    else {
      const column = out !== '' ? mapping.amount.debit : mapping.amount.credit;
      const v = readAmount(out !== '' ? out : inn, column, problems);
      if (v !== null) {
        if (v < 0)
          problems.push(`${column}: "${out || inn}" is negative; give the amount without a sign`);
        else amountPence = out !== '' ? -v : v;
      }
    }
  }
  if (amountPence === 0) {
    problems.push('the amount is zero, so there is nothing to record');
    amountPence = null;
  }

  let mcc: string | null = null;
  if (positions.mcc >= 0) {
    const m = (f[positions.mcc] ?? '').trim();
    if (m !== '') {
      if (/^\d{3,4}$/.test(m)) mcc = m.padStart(4, '0');
      else problems.push(`${mapping.mcc ?? 'MCC'}: "${m}" is not a merchant category code`);
    }
  }

  const accountReference = (f[positions.account] ?? '').trim();
  if (accountReference === '') problems.push(`${mapping.account}: no card or account reference`);

  if (problems.length || date === null || amountPence === null)
    return { ok: false, bad: { line: record.line, problems } };
  return {
    ok: true,
    row: {
      line: record.line,
      providerTransactionId: id,
      date,
      description,
      amountPence,
      mcc,
      accountReference,
    },
  };
}

/** A bad row as one line of text: `Line 12: Date: "31/02/2026" is not a date …; …`. */
export function formatBadRow(bad: BadRow): string {
  return `Line ${String(bad.line)}: ${bad.problems.join('; ')}`;
}
