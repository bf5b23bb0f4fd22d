import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults give a working development configuration', () => {
  const c = loadConfig({});
  assert.equal(c.env, 'development');
  assert.equal(c.port, 3000);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.dataDir, './data');
  assert.equal(c.secureCookies, true);
});

test('values are parsed and typed', () => {
  const c = loadConfig({
    PORT: '8080',
    DATABASE_URL: 'postgres://u@localhost:5432/db',
    SESSION_HOURS: '4',
    SECURE_COOKIES: 'false',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, 'postgres://u@localhost:5432/db');
  assert.equal(c.sessionHours, 4);
  assert.equal(c.secureCookies, false);
});

test('every bad key is listed at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', LOG_LEVEL: 'loud' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const keys = e.problems.map((p) => p.split(':')[0]);
      assert.deepEqual(keys.sort(), ['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
      return true;
    },
  );
});

test('production refuses to start without a session secret', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SESSION_SECRET/);
  assert.equal(
    loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).env,
    'production',
  );
});

test('empty values count as unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '' }).databaseUrl, undefined);
});
