// bench cold-start: a fresh clone, `npm ci` (timed, but not part of the figure), ./data deleted,
// then the time from spawning `npm start` to the first 200 from /sign-in. Embedded database
// (PGlite), so DATABASE_URL is ignored here. Target: under 10 s.
//   npm run bench -- cold-start [--runs 3] [--keep]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, numberArg, percentile } from './support.ts';

const TARGET_S = 10;
const runs = numberArg('runs', 3);
const repo = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pooled-cold-'));
const clone = join(dir, 'pooled');

const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env))
  if (v !== undefined && k !== 'DATABASE_URL' && k !== 'DATA_DIR' && !k.startsWith('npm_'))
    env[k] = v;

function timedSync(label: string, cmd: string, args: string[], cwd: string): number {
  const start = performance.now();
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'], env });
  const s = (performance.now() - start) / 1000;
  console.log(
    `  ${label.padEnd(40)} ${fmt(s, 1).padStart(6)} s  (not part of the start-up figure)`,
  );
  return s;
}

/** Spawn `npm start` and time until /sign-in answers 200. Stops the server afterwards. */
async function startOnce(port: number): Promise<number> {
  const start = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('npm start exited before serving a page');
      try {
        const res = await fetch(`http://127.0.0.1:${String(port)}/sign-in`);
        if (res.status === 200) return (performance.now() - start) / 1000;
      } catch {
        // not listening yet
      }
      if (performance.now() - start > 120_000) throw new Error('no page after 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    if (child.pid && !exited) process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => (exited ? r(null) : child.once('exit', r)));
  }
}

try {
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo })
    .toString()
    .trim();
  console.log(`Fresh clone of ${repo} at ${head} in ${clone}`);
  timedSync('git clone', 'git', ['clone', '--quiet', repo, clone], dir);
  timedSync('npm ci', 'npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], clone);
  const port = 3800 + (process.pid % 90);
  const cold: number[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(clone, 'data'), { recursive: true, force: true });
    const s = await startOnce(port);
    cold.push(s);
    console.log(
      `  cold start ${String(i + 1)}: ./data deleted, spawn → 200 /sign-in  ${fmt(s, 2).padStart(6)} s`,
    );
  }
  const warm = await startOnce(port);
  console.log(
    `  warm start: ./data kept,       spawn → 200 /sign-in  ${fmt(warm, 2).padStart(6)} s`,
  );
  cold.sort((a, b) => a - b);
  const median = percentile(cold, 50);
  console.log(
    `\n  cold start, median of ${String(runs)}: ${fmt(median, 2)} s (min ${fmt(cold[0]!, 2)} s, max ${fmt(cold.at(-1)!, 2)} s); ` +
      `target < ${String(TARGET_S)} s: ${median < TARGET_S ? 'met' : 'MISSED'}`,
  );
} finally {
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
