// A small streaming reader of multipart/form-data (RFC 7578), enough for the statement upload
// form: a few text fields, then one file, streamed to the import without holding it in memory.
// No dependency is added for it. Pure: works on any async iterable of byte chunks.

export type MultipartEvent =
  | {
      readonly type: 'part';
      readonly name: string;
      readonly filename: string | null;
      readonly contentType: string | null;
    }
  | { readonly type: 'data'; readonly bytes: Uint8Array }
  | { readonly type: 'end-part' }
  | { readonly type: 'done' };

export class MultipartError extends Error {}

/** The boundary from a Content-Type header, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

function headerValue(headers: string, name: string): string | null {
  for (const line of headers.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name) return line.slice(i + 1).trim();
  }
  return null;
}

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(value);
  if (m) return (m[1] ?? '').replace(/\\(.)/g, '$1');
  const bare = new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(value);
  return bare ? (bare[1] ?? null) : null;
}

/** Push-based scanner: feed chunks, get events. */
export class MultipartScanner {
  private readonly delimiter: Buffer;
  private buf: Buffer = Buffer.from('\r\n'); // so the first boundary looks like the others
  private state: 'preamble' | 'after' | 'headers' | 'body' | 'done' = 'preamble';

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  push(chunk: Uint8Array): MultipartEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: MultipartEvent[] = [];
    for (;;) {
      if (this.state === 'done') {
        this.buf = Buffer.alloc(0);
        return out;
      }
      if (this.state === 'preamble') {
        const i = this.buf.indexOf(this.delimiter);
        if (i < 0) {
          this.buf = this.buf.subarray(Math.max(0, this.buf.length - this.delimiter.length));
          return out;
        }
        this.buf = this.buf.subarray(i + this.delimiter.length);
        this.state = 'after';
      }
      if (this.state === 'after') {
        if (this.buf.length < 2) return out;
        const two = this.buf.subarray(0, 2).toString('latin1');
        if (two === '--') {
          this.state = 'done';
          out.push({ type: 'done' });
          continue;
        }
        // Transport padding (spaces or tabs) may come before the line break.
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > 256) throw new MultipartError('A part boundary is malformed');
          return out;
        }
        this.buf = this.buf.subarray(eol + 2);
        this.state = 'headers';
      }
      if (this.state === 'headers') {
        const end = this.buf.indexOf(CRLFCRLF);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER_BYTES)
            throw new MultipartError('A part has too many headers');
          return out;
        }
        const headers = this.buf.subarray(0, end).toString('utf8');
        this.buf = this.buf.subarray(end + 4);
        const disposition = headerValue(headers, 'content-disposition') ?? '';
        const name = param(disposition, 'name');
        if (name === null) throw new MultipartError('A part has no name');
        out.push({
          type: 'part',
          name,
          filename: param(disposition, 'filename'),
          contentType: headerValue(headers, 'content-type'),
        });
        this.state = 'body';
      }
      if (this.state === 'body') {
        const i = this.buf.indexOf(this.delimiter);
        if (i < 0) {
          // Keep what could be the start of the delimiter.
          const keep = Math.min(this.buf.length, this.delimiter.length - 1);
          const emit = this.buf.length - keep;
          if (emit > 0) out.push({ type: 'data', bytes: this.buf.subarray(0, emit) });
          this.buf = this.buf.subarray(emit);
          return out;
        }
        if (i > 0) out.push({ type: 'data', bytes: this.buf.subarray(0, i) });
        out.push({ type: 'end-part' });
        this.buf = this.buf.subarray(i + this.delimiter.length);
        this.state = 'after';
      }
    }
  }

  /** The body ended: anything but a finished form is an error. */
  end(): void {
    if (this.state !== 'done') throw new MultipartError('The upload ended before it was complete');
  }
}

export interface Upload {
  /** Text fields before the file (their values, at most 10,000 characters each). */
  readonly fields: Readonly<Record<string, string>>;
  /** The file part, if any: its name and its bytes as a stream (read it once, to the end). */
  readonly file: { readonly filename: string; readonly data: AsyncIterable<Uint8Array> } | null;
  /** Read and discard what is left of the body (call after the file has been used). */
  finish(): Promise<void>;
}

/**
 * Read a form with text fields and then one file field named `fileField`. Text fields after the
 * file are ignored. The file's bytes are not buffered: the import reads them as they arrive.
 */
export async function readUpload(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  fileField: string,
): Promise<Upload> {
  const scanner = new MultipartScanner(boundary);
  const source = body[Symbol.asyncIterator]();
  const queue: MultipartEvent[] = [];
  let ended = false;
  const next = async (): Promise<MultipartEvent | null> => {
    while (queue.length === 0) {
      if (ended) return null;
      const r = await source.next();
      if (r.done) {
        scanner.end();
        ended = true;
        return null;
      }
      queue.push(...scanner.push(r.value));
    }
    return queue.shift() ?? null;
  };
  const fields: Record<string, string> = {};
  for (;;) {
    const e = await next();
    if (e === null || e.type === 'done') return { fields, file: null, finish: async () => {} };
    if (e.type !== 'part') continue;
    if (e.name === fileField && e.filename !== null) {
      const filename = e.filename;
      let used = false;
      const data = async function* (): AsyncGenerator<Uint8Array> {
        if (used) throw new Error('The uploaded file can be read once');
        used = true;
        for (;;) {
          const ev = await next();
          if (ev === null) throw new MultipartError('The upload ended before the file did');
          if (ev.type === 'data') yield ev.bytes;
          else return;
        }
      };
      return {
        fields,
        file: { filename, data: { [Symbol.asyncIterator]: data } },
        finish: async () => {
          while ((await next()) !== null) {
            // drain
          }
        },
      };
    }
    // A text field.
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const ev = await next();
      if (ev === null) throw new MultipartError('The upload ended inside a field');
      if (ev.type !== 'data') break;
      size += ev.bytes.length;
      if (size <= 40_000) parts.push(Buffer.from(ev.bytes));
    }
    fields[e.name] = Buffer.concat(parts).toString('utf8').slice(0, 10_000);
  }
}
