#!/usr/bin/env node
// npm run bench [-- NAME [options]]: runs one benchmark in bench/ (generate, search, cold-start,
// impact-preview, team-pages, payment-run, statement-import; profile-page is a profiling aid),
// or all of them in turn. Benchmarks print their figures; they are not tests.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const available = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && f !== 'support.ts')
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (name === '--help' || name === '-h') {
  console.log(`Usage: npm run bench [-- NAME [options]]\nBenchmarks: ${available.join(', ')}`);
  console.log(
    'generate and search need DATABASE_URL (a PostgreSQL server; they make and drop their own database).',
  );
  console.log('Options: --people N (default 1000000) to scale down for a quick run.');
  process.exit(0);
}
const names =
  name && !name.startsWith('--')
    ? [name]
    : [
        'cold-start',
        'generate',
        'search',
        'impact-preview',
        'team-pages',
        'payment-run',
        'statement-import',
      ];
const args = name && !name.startsWith('--') ? rest : process.argv.slice(2);
let failed = 0;
for (const n of names) {
  if (!available.includes(n)) {
    console.error(`No benchmark "${n}". Benchmarks: ${available.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== bench ${n} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${n}.ts`, ...args], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
