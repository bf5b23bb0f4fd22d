// PostgreSQL's binary COPY format, written into buffers (the server's documentation, "COPY",
// "Binary Format"): an 11-byte signature, a flags word and a header-extension length, then per
// row a 16-bit field count and per field a 32-bit length (-1 for null) and the value in the
// type's binary form (network byte order), and a 16-bit -1 to end. The server reads it without
// parsing text: a UUID is 16 bytes, a date 4, a bigint 8. Used where bulk writes are measured
// (statement imports, decision 0018); CSV COPY stays everywhere else.

const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's date epoch. */
export const PG_EPOCH_DAYS = 10957;
const TWO_32 = 4294967296;

/** A UUID in its 16 bytes. Throws on anything that is not a UUID. */
export function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`"${uuid}" is not a UUID`);
  return Buffer.from(hex, 'hex');
}

/** A civil date (YYYY-MM-DD) as PostgreSQL's binary date: days since 2000-01-01. */
export function pgDays(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a date`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 - PG_EPOCH_DAYS;
}

/** The civil date (YYYY-MM-DD) of PostgreSQL's binary date: the inverse of pgDays. */
export function civilOfPgDays(days: number): string {
  return new Date((days + PG_EPOCH_DAYS) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Rows in binary COPY format, written into one buffer that grows as needed and is kept for the
 * next use: a batch of a hundred thousand rows is about 18 MB, and allocating that afresh for
 * each batch (as many small buffers) made the garbage collector the import's largest cost. Call
 * start(), then per row row(fieldCount) and one field method per column in the COPY's column
 * order, then finish() for the data. The caller checks that values fit their columns.
 */
export class BinaryCopyWriter {
  private buf: Buffer;
  private at = 0;

  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, 64));
  }

  /** Begins new data (the header), discarding what was written before. */
  start(): this {
    this.at = 0;
    this.room(19);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags: no OIDs
    this.buf.writeInt32BE(0, 15); // no header extension
    this.at = 19;
    return this;
  }

  /** Ends the data (the trailer) and returns it: a view, valid until the next start(). */
  finish(): Buffer {
    this.room(2);
    this.buf[this.at] = 0xff;
    this.buf[this.at + 1] = 0xff;
    this.at += 2;
    return this.buf.subarray(0, this.at);
  }

  /** The fields written since start(), without header or trailer, as a copy (a row's constant part). */
  fields(): Buffer {
    return Buffer.from(this.buf.subarray(19, this.at));
  }

  /**
   * Room for `bytes` more, for a caller that writes them itself (a hot loop): returns the buffer
   * and where to write; say how far was written with advance().
   */
  reserve(bytes: number): Buffer {
    this.room(bytes);
    return this.buf;
  }

  get offset(): number {
    return this.at;
  }

  advance(to: number): void {
    this.at = to;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  // Bytes are written by hand rather than with Buffer's write methods: a million rows of a dozen
  // fields is ten million calls, and each of those checks its arguments.
  private i32(n: number): void {
    const b = this.buf;
    const at = this.at;
    b[at] = n >>> 24;
    b[at + 1] = (n >>> 16) & 0xff;
    b[at + 2] = (n >>> 8) & 0xff;
    b[at + 3] = n & 0xff;
    this.at = at + 4;
  }

  /** Starts a row of n fields. Rows end where the next begins. */
  row(fields: number): void {
    this.room(2);
    this.buf[this.at] = fields >>> 8;
    this.buf[this.at + 1] = fields & 0xff;
    this.at += 2;
  }

  null(): void {
    this.room(4);
    this.i32(-1);
  }

  /** A uuid column from its 16 bytes (uuidBytes), or 16 bytes of src from offset. */
  uuid(src: Uint8Array, offset = 0): void {
    this.room(20);
    this.i32(16);
    const b = this.buf;
    const at = this.at;
    for (let i = 0; i < 16; i++) b[at + i] = src[offset + i] ?? 0;
    this.at = at + 16;
  }

  int4(n: number): void {
    this.room(8);
    this.i32(4);
    this.i32(n);
  }

  /** A bigint column from a safe integer. */
  int8(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`${String(n)} is not a safe integer`);
    this.room(12);
    const high = Math.floor(n / TWO_32);
    this.i32(8);
    this.i32(high);
    this.i32(n - high * TWO_32);
  }

  /** A date column from pgDays(). */
  date(days: number): void {
    this.int4(days);
  }

  /** A text column, UTF-8; null for null. */
  text(s: string | null): void {
    if (s === null) return this.null();
    const n = s.length;
    this.room(4 + n * 3);
    const b = this.buf;
    const at = this.at + 4;
    let i = 0;
    // ASCII by hand (most values); anything else through Buffer's UTF-8 encoder.
    for (; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch > 0x7f) break;
      b[at + i] = ch;
    }
    const len = i === n ? n : i + b.write(s.slice(i), at + i, 'utf8');
    this.i32(len);
    this.at = at + len;
  }

  /** A text (or bytea) column from bytes already UTF-8: src[at, at + length). */
  bytes(src: Uint8Array, at: number, length: number): void {
    this.room(4 + length);
    this.i32(length);
    const b = this.buf;
    const to = this.at;
    for (let i = 0; i < length; i++) b[to + i] = src[at + i] ?? 0;
    this.at = to + length;
  }

  /** Fields already in binary COPY form (e.g. a batch's constant columns, made once). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const b = this.buf;
    const to = this.at;
    // By hand: these are short (a few dozen bytes), where a native copy costs more than it saves.
    for (let i = 0; i < n; i++) b[to + i] = bytes[i] ?? 0;
    this.at = to + n;
  }
}
