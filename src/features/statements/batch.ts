// A batch of statement rows held column by column (typed arrays and one byte arena), not as an
// object and six strings a row: at a million rows a file, making and collecting those objects
// was most of an import's time (decision 0018). Rows arrive two ways:
//   * the fast lane: the CSV scanner offers each plain-ASCII record's bytes (rules.ts
//     CsvScanner.take) and FastLane reads the common, simple shape straight from them: trimmed
//     fields, a date in the mapping's format, a plain amount such as -12.34, an MCC of 3 or 4
//     digits. Anything else it declines, and the record goes the usual way;
//   * the usual way: readRow (rules.ts) makes the strings and reports every problem, and a good
//     row is added with pushRow.
// A property test (batch.test.ts) checks that every record the fast lane takes reads exactly as
// readRow reads it. Pure: no I/O.
import type { CivilDate } from '../../platform/dates.js';
import { civilOfPgDays, pgDays, PG_EPOCH_DAYS } from '../../platform/db/copy-binary.js';
import { categoryOfMcc, type SpendCategory } from './categories.js';
import {
  MAX_AMOUNT_PENCE,
  MAX_DESCRIPTION_LENGTH,
  MAX_ID_LENGTH,
  type ColumnMapping,
  type ColumnPositions,
  type StatementRow,
} from './rules.js';

const DAY_MS = 86_400_000;

/** Strings by number, for columns with few distinct values (account references, categories). */
export class Names {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

/** A day (days since 2000-01-01, as `days` holds them) as the civil date string. */
export const civilOfDays = (days: number): CivilDate => civilOfPgDays(days) as CivilDate;

export class RowBatch {
  count = 0;
  /** The file ended with this batch. */
  end = false;
  /** Rows were added in line order (false when a row read the usual way came after later ones). */
  ordered = true;
  private lastLine = 0;
  line: Int32Array;
  /** Days since 2000-01-01. */
  days: Int32Array;
  amount: Float64Array;
  /** The MCC as a number, -1 for none. */
  mcc: Int16Array;
  /** Index into `categories`, -1 for none. */
  cat: Int16Array;
  /** Index into `refs`. */
  ref: Int32Array;
  /** The transaction id's and the description's UTF-8 bytes in `arena`. */
  idAt: Int32Array;
  idLen: Int32Array;
  descAt: Int32Array;
  descLen: Int32Array;
  arena: Buffer;
  arenaUsed = 0;

  constructor(
    readonly refs: Names,
    readonly categories: Names,
    capacity = 1024,
  ) {
    const n = Math.max(16, capacity);
    this.line = new Int32Array(n);
    this.days = new Int32Array(n);
    this.amount = new Float64Array(n);
    this.mcc = new Int16Array(n);
    this.cat = new Int16Array(n);
    this.ref = new Int32Array(n);
    this.idAt = new Int32Array(n);
    this.idLen = new Int32Array(n);
    this.descAt = new Int32Array(n);
    this.descLen = new Int32Array(n);
    this.arena = Buffer.allocUnsafe(n * 32);
  }

  private grow(): void {
    const n = this.line.length * 2;
    const more = <T extends Int32Array | Int16Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.line = more(this.line, (k) => new Int32Array(k));
    this.days = more(this.days, (k) => new Int32Array(k));
    this.amount = more(this.amount, (k) => new Float64Array(k));
    this.mcc = more(this.mcc, (k) => new Int16Array(k));
    this.cat = more(this.cat, (k) => new Int16Array(k));
    this.ref = more(this.ref, (k) => new Int32Array(k));
    this.idAt = more(this.idAt, (k) => new Int32Array(k));
    this.idLen = more(this.idLen, (k) => new Int32Array(k));
    this.descAt = more(this.descAt, (k) => new Int32Array(k));
    this.descLen = more(this.descLen, (k) => new Int32Array(k));
  }

  private room(bytes: number): void {
    if (this.arenaUsed + bytes <= this.arena.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaUsed + bytes));
    this.arena.copy(bigger, 0, 0, this.arenaUsed);
    this.arena = bigger;
  }

  /** Starts a row: its number. */
  private start(line: number): number {
    if (this.count === this.line.length) this.grow();
    if (line < this.lastLine) this.ordered = false;
    this.lastLine = line;
    const i = this.count++;
    this.line[i] = line;
    return i;
  }

  /** Copies src[s, e) into the arena; returns where. */
  private put(src: Uint8Array, s: number, e: number): number {
    this.room(e - s);
    const at = this.arenaUsed;
    const a = this.arena;
    for (let k = s; k < e; k++) a[at + k - s] = src[k] ?? 0;
    this.arenaUsed = at + e - s;
    return at;
  }

  private putString(text: string): [number, number] {
    this.room(text.length * 3);
    const at = this.arenaUsed;
    const n = this.arena.write(text, at, 'utf8');
    this.arenaUsed = at + n;
    return [at, n];
  }

  /** A row read the usual way (readRow). */
  pushRow(row: StatementRow, category: SpendCategory | null): void {
    const i = this.start(row.line);
    this.days[i] = pgDays(row.date);
    this.amount[i] = row.amountPence;
    this.mcc[i] = row.mcc === null ? -1 : Number(row.mcc);
    this.cat[i] = category === null ? -1 : this.categories.id(category);
    this.ref[i] = this.refs.id(row.accountReference);
    const [idAt, idLen] = this.putString(row.providerTransactionId);
    this.idAt[i] = idAt;
    this.idLen[i] = idLen;
    const [descAt, descLen] = this.putString(row.description);
    this.descAt[i] = descAt;
    this.descLen[i] = descLen;
  }

  /** A row from the fast lane (bytes already checked). */
  pushFast(
    line: number,
    days: number,
    amount: number,
    mcc: number,
    cat: number,
    ref: number,
    bytes: Uint8Array,
    id: [number, number],
    desc: [number, number],
  ): void {
    const i = this.start(line);
    this.days[i] = days;
    this.amount[i] = amount;
    this.mcc[i] = mcc;
    this.cat[i] = cat;
    this.ref[i] = ref;
    this.idAt[i] = this.put(bytes, id[0], id[1]);
    this.idLen[i] = id[1] - id[0];
    this.descAt[i] = this.put(bytes, desc[0], desc[1]);
    this.descLen[i] = desc[1] - desc[0];
  }

  category(i: number): SpendCategory | null {
    const c = this.cat[i] ?? -1;
    return c < 0 ? null : (this.categories.list[c] as SpendCategory);
  }

  /** Row i as readRow would have returned it (for the slower ways of writing). */
  row(i: number): StatementRow {
    const mcc = this.mcc[i] ?? -1;
    const idAt = this.idAt[i] ?? 0;
    const descAt = this.descAt[i] ?? 0;
    return {
      line: this.line[i] ?? 0,
      providerTransactionId: this.arena.toString('utf8', idAt, idAt + (this.idLen[i] ?? 0)),
      date: civilOfDays(this.days[i] ?? 0),
      description: this.arena.toString('utf8', descAt, descAt + (this.descLen[i] ?? 0)),
      amountPence: this.amount[i] ?? 0,
      mcc: mcc < 0 ? null : String(mcc).padStart(4, '0'),
      accountReference: this.refs.list[this.ref[i] ?? 0] ?? '',
    };
  }
}

const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/** [s, e) is a field readRow would not trim, with no quote inside (a quoted "" stays slow). */
function clean(bytes: Uint8Array, s: number, e: number): boolean {
  if (e > s && (isSpace(bytes[s] ?? 0) || isSpace(bytes[e - 1] ?? 0))) return false;
  for (let k = s; k < e; k++) if (bytes[k] === 0x22) return false;
  return true;
}

function digitsAt(bytes: Uint8Array, s: number, e: number): number {
  let n = 0;
  for (let k = s; k < e; k++) {
    const c = (bytes[k] ?? 0) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return e > s ? n : -1;
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 2000-01-01 of a date field in the mapping's format, or null (let readRow say why). */
function dateAt(bytes: Uint8Array, s: number, e: number, format: string): number | null {
  let y: number, m: number, d: number;
  if (format === 'YYYY-MM-DD') {
    if (e - s !== 10 || bytes[s + 4] !== 0x2d || bytes[s + 7] !== 0x2d) return null;
    y = digitsAt(bytes, s, s + 4);
    m = digitsAt(bytes, s + 5, s + 7);
    d = digitsAt(bytes, s + 8, s + 10);
  } else {
    let a = -1;
    let b = -1;
    for (let k = s; k < e; k++)
      if (bytes[k] === 0x2f) {
        if (a < 0) a = k;
        else if (b < 0) b = k;
        else return null;
      }
    if (a - s < 1 || a - s > 2 || b - a < 2 || b - a > 3 || e - b !== 5) return null;
    d = digitsAt(bytes, s, a);
    m = digitsAt(bytes, a + 1, b);
    y = digitsAt(bytes, b + 1, e);
  }
  if (y < 1900 || m < 1 || m > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (m === 2 && leap ? 29 : (MONTH_DAYS[m] ?? 0))) return null;
  return Date.UTC(y, m - 1, d) / DAY_MS - PG_EPOCH_DAYS;
}

/** A plain amount in pence ("-12.34", "12.3", "12"), or null for anything else. */
function plainAmountAt(bytes: Uint8Array, s: number, e: number): number | null {
  if (e - s < 1 || e - s > 12) return null;
  let k = s;
  const neg = bytes[k] === 0x2d;
  if (neg) k++;
  let whole = 0;
  let sawDigit = false;
  for (; k < e; k++) {
    const c = (bytes[k] ?? 0) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    sawDigit = true;
  }
  if (!sawDigit) return null;
  let frac = 0;
  if (k < e) {
    if (bytes[k] !== 0x2e) return null;
    const left = e - k - 1;
    if (left < 1 || left > 2) return null;
    const a = (bytes[k + 1] ?? 0) - 48;
    const b = left === 2 ? (bytes[k + 2] ?? 0) - 48 : 0;
    if (a < 0 || a > 9 || b < 0 || b > 9) return null;
    frac = a * 10 + b;
  }
  const v = whole * 100 + frac;
  if (v > MAX_AMOUNT_PENCE) return null;
  return neg ? -v : v;
}

/**
 * The fast lane for one file: `take` reads a record into `target` if it has the simple shape,
 * else returns false. `categorise` is the import's (remembered) categoriser, for rows whose MCC
 * does not settle the category.
 */
export class FastLane {
  target: RowBatch | null = null;
  private readonly id = [0, 0] as [number, number];
  private readonly desc = [0, 0] as [number, number];

  constructor(
    private readonly mapping: ColumnMapping,
    private readonly positions: ColumnPositions,
    private readonly categorise: (mcc: string | null, description: string) => SpendCategory | null,
  ) {}

  /**
   * Reference numbers by a hash of the reference's bytes: a statement names a few thousand cards
   * a million times, and making a string of each to look it up was a tenth of the fast lane.
   */
  private readonly refByHash = new Map<number, number>();

  /** The reference number of bytes[s, e) (plain ASCII), without a string when it was met before. */
  private refAt(refs: Names, bytes: Buffer, s: number, e: number): number {
    let h = 0x811c9dc5; // FNV-1a
    for (let k = s; k < e; k++) h = Math.imul(h ^ (bytes[k] ?? 0), 0x01000193);
    const seen = this.refByHash.get(h);
    if (seen !== undefined) {
      const name = refs.list[seen] ?? '';
      let same = name.length === e - s;
      for (let k = 0; same && k < name.length; k++) same = name.charCodeAt(k) === bytes[s + k];
      if (same) return seen;
    }
    const id = refs.id(bytes.toString('latin1', s, e));
    if (seen === undefined) this.refByHash.set(h, id);
    return id;
  }

  readonly take = (bytes: Buffer, bounds: readonly number[], line: number): boolean => {
    const batch = this.target;
    const p = this.positions;
    if (!batch || bounds.length !== 3 * p.width) return false;
    // Field f is bytes[bounds[3f], bounds[3f + 1]). (No helper closures: made per record they
    // cost more than the rest of this.)
    const is = bounds[3 * p.id] ?? 0;
    const ie = bounds[3 * p.id + 1] ?? 0;
    if (ie <= is || ie - is > MAX_ID_LENGTH || !clean(bytes, is, ie)) return false;

    const days = dateAt(
      bytes,
      bounds[3 * p.date] ?? 0,
      bounds[3 * p.date + 1] ?? 0,
      this.mapping.dateFormat,
    );
    if (days === null) return false;

    const ds = bounds[3 * p.description] ?? 0;
    const de = bounds[3 * p.description + 1] ?? 0;
    if (de - ds > MAX_DESCRIPTION_LENGTH || !clean(bytes, ds, de)) return false;

    let amount: number | null;
    if (this.mapping.amount.kind === 'signed') {
      const as = bounds[3 * p.amount] ?? 0;
      const ae = bounds[3 * p.amount + 1] ?? 0;
      if (!clean(bytes, as, ae)) return false;
      amount = plainAmountAt(bytes, as, ae);
    } else {
      const out = (bounds[3 * p.debit + 1] ?? 0) > (bounds[3 * p.debit] ?? 0);
      const inn = (bounds[3 * p.credit + 1] ?? 0) > (bounds[3 * p.credit] ?? 0);
      if (out === inn) return false;
      const f = out ? p.debit : p.credit;
      const fs = bounds[3 * f] ?? 0;
      const fe = bounds[3 * f + 1] ?? 0;
      if (!clean(bytes, fs, fe)) return false;
      const v = plainAmountAt(bytes, fs, fe);
      amount = v === null || v < 0 ? null : out ? -v : v;
    }
    if (amount === null || amount === 0) return false;

    let mcc = -1;
    if (p.mcc >= 0) {
      const ms = bounds[3 * p.mcc] ?? 0;
      const me = bounds[3 * p.mcc + 1] ?? 0;
      if (me > ms) {
        if (me - ms < 3 || me - ms > 4) return false;
        mcc = digitsAt(bytes, ms, me);
        if (mcc < 0) return false;
      }
    }

    const rs = bounds[3 * p.account] ?? 0;
    const re = bounds[3 * p.account + 1] ?? 0;
    if (re <= rs || !clean(bytes, rs, re)) return false;
    const ref = this.refAt(batch.refs, bytes, rs, re);

    let category = mcc >= 0 ? categoryOfMcc(mcc) : null;
    if (category === null)
      category = this.categorise(
        mcc < 0 ? null : String(mcc).padStart(4, '0'),
        bytes.toString('latin1', ds, de),
      );
    const cat = category === null ? -1 : batch.categories.id(category);

    this.id[0] = is;
    this.id[1] = ie;
    this.desc[0] = ds;
    this.desc[1] = de;
    batch.pushFast(line, days, amount, mcc, cat, ref, bytes, this.id, this.desc);
    return true;
  };
}
