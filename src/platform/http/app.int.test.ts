// The web shell: health, security headers, error pages, body limits, assets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TestClient, type TestApp } from '../../../test/support/app.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
});
after(() => t.close());

test('/health reports the database', async () => {
  const r = await fetch(`${t.url}/health`);
  assert.equal(r.status, 200);
  const body = (await r.json()) as {
    status: string;
    database: { status: string; migrations: number };
  };
  assert.equal(body.status, 'ok');
  assert.equal(body.database.status, 'ok');
  assert.ok(body.database.migrations >= 1);
});

test('pages carry a strict Content-Security-Policy with a nonce for the one inline script', async () => {
  const r = await fetch(`${t.url}/sign-in`);
  const csp = r.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'nonce-[a-f0-9]+'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const nonce = /'nonce-([a-f0-9]+)'/.exec(csp)?.[1];
  const html = await r.text();
  assert.ok(nonce && html.includes(`nonce="${nonce}"`));
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('referrer-policy'), 'same-origin');
});

test('an unknown page is the 404 page', async () => {
  const r = await fetch(`${t.url}/no/such/page`);
  assert.equal(r.status, 404);
  assert.match(await r.text(), /Page not found/);
});

test('an oversized form body gets 413, not a crash', async () => {
  const c = new TestClient(t.url);
  await c.get('/sign-in');
  const r = await c.post('/sign-in', { email: 'x@example.org', password: 'p'.repeat(10_000) });
  assert.equal(r.status, 413);
  assert.match(r.text, /too large/);
});

test('nhsuk-frontend assets are served by the app, source templates are not', async () => {
  assert.equal((await fetch(`${t.url}/assets/nhsuk/nhsuk-frontend.min.css`)).status, 200);
  assert.equal((await fetch(`${t.url}/assets/nhsuk/nhsuk-frontend.min.js`)).status, 200);
  assert.equal((await fetch(`${t.url}/assets/nhsuk/assets/images/favicon.svg`)).status, 200);
  assert.equal((await fetch(`${t.url}/assets/app/pooled.css`)).status, 200);
  assert.notEqual((await fetch(`${t.url}/assets/nhsuk/template.njk`)).status, 200);
});
