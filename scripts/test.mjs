#!/usr/bin/env node
// npm test: type check, lint, format check, then every test file (unit, database, routes,
// browser) on PGlite, or on PostgreSQL when DATABASE_URL is set. Migrates one template database
// first; each test file then works on its own copy.
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const args = process.argv.slice(2);
const quick = args.includes('--quick'); // skip type check, lint and format (for a fast loop)
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, cmdArgs, env = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${cmdArgs.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

if (!quick) {
  console.log('• Type check');
  run('npx', ['tsc', '--noEmit']);
  console.log('• Lint (zero warnings)');
  run('npx', ['eslint', '--max-warnings', '0', '.']);
  console.log('• Import rules (no cycles, one-way dependencies)');
  run('node', ['scripts/check-imports.mjs']);
  console.log('• Format check');
  run('npx', ['prettier', '--check', '--log-level', 'warn', '.']);
}

mkdirSync('.cache', { recursive: true });
rmSync('.cache/e2e-ran.json', { force: true });
const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent' };
let templateDb;
let templateFile;
if (process.env.DATABASE_URL) {
  templateDb = `pooled_t_template_${process.pid}`;
  console.log(`• PostgreSQL: migrating template database ${templateDb}`);
  run('npx', ['tsx', 'scripts/prepare-test-db.ts', 'postgres', templateDb]);
  env.POOLED_TEST_TEMPLATE_DB = templateDb;
} else {
  // One template per run, so that two runs at once (or runs on different migrations) never
  // read each other's half-written file.
  templateFile = `.cache/test-template-${process.pid}.tar.gz`;
  console.log('• PGlite: migrating the template database');
  run('npx', ['tsx', 'scripts/prepare-test-db.ts', 'pglite', templateFile]);
  env.POOLED_TEST_TEMPLATE_FILE = templateFile;
}

let files = [...findTests('src'), ...findTests('test')].sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
console.log(
  `• ${files.length} test files on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, ...env } },
);
if (templateFile) rmSync(templateFile, { force: true });
if (templateDb)
  spawnSync('npx', ['tsx', 'scripts/prepare-test-db.ts', 'drop', templateDb], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
if (existsSync('.cache/e2e-ran.json')) {
  const ran = JSON.parse(readFileSync('.cache/e2e-ran.json', 'utf8'));
  console.log(`• Browser journeys run: ${ran.pages} pages checked with axe`);
}
writeFileSync(
  '.cache/last-test-run.json',
  JSON.stringify({ at: new Date().toISOString(), files: files.length }),
);
