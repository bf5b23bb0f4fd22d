import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boundaryOf, MultipartError, readUpload } from './multipart.ts';

function form(
  boundary: string,
  parts: { name: string; filename?: string; body: string | Buffer }[],
): Buffer {
  const out: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const p of parts) {
    out.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n` +
          (p.filename !== undefined ? 'Content-Type: text/csv\r\n' : '') +
          '\r\n',
      ),
      Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body),
      Buffer.from('\r\n'),
    );
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

async function* chunked(b: Buffer, cuts: number[]) {
  let prev = 0;
  for (const c of [...cuts, b.length]) {
    await Promise.resolve();
    yield b.subarray(prev, c);
    prev = c;
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

test('boundary from the content type', () => {
  assert.equal(boundaryOf('multipart/form-data; boundary=----abc'), '----abc');
  assert.equal(boundaryOf('multipart/form-data; charset=utf-8; boundary="x y"'), 'x y');
  assert.equal(boundaryOf('application/x-www-form-urlencoded'), null);
  assert.equal(boundaryOf(undefined), null);
});

test('property: fields and the file read back exactly, however the body is split', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      async (file, format, cutsRaw) => {
        const boundary = '----pooledBoundary7MA4YWxk';
        const body = form(boundary, [
          { name: '_csrf', body: 'token' },
          { name: 'format', body: format },
          { name: 'file', filename: 'statement.csv', body: Buffer.from(file) },
          { name: 'after', body: 'ignored' },
        ]);
        const cuts = [...new Set(cutsRaw.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
        const upload = await readUpload(chunked(body, cuts), boundary, 'file');
        assert.deepEqual(upload.fields, { _csrf: 'token', format });
        assert.equal(upload.file?.filename, 'statement.csv');
        assert.deepEqual(await collect(upload.file.data), Buffer.from(file));
        await upload.finish();
      },
    ),
  );
});

test('a body cut short is an error; a form without a file has none', async () => {
  const boundary = 'b';
  const full = form(boundary, [{ name: 'file', filename: 'a.csv', body: 'x,y\n1,2\n' }]);
  const upload = await readUpload(
    chunked(full.subarray(0, full.length - 10), []),
    boundary,
    'file',
  );
  await assert.rejects(collect(upload.file?.data ?? chunked(Buffer.alloc(0), [])), MultipartError);
  const none = await readUpload(
    chunked(form(boundary, [{ name: 'format', body: 'bank' }]), []),
    boundary,
    'file',
  );
  assert.equal(none.file, null);
  assert.deepEqual(none.fields, { format: 'bank' });
});
