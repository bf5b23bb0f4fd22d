// Small helpers shared by the benchmarks: arguments, a throwaway PostgreSQL database, figures.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

export function numberArg(name: string, fallback: number): number {
  const n = Number(arg(name, String(fallback)).replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a whole number`);
  return n;
}

/** The server to benchmark on, or a plain message and exit when DATABASE_URL is not set. */
export function requireDatabaseUrl(bench: string): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      `bench ${bench} runs on PostgreSQL and DATABASE_URL is not set.\n` +
        `Set it to a server where you may create databases, for example:\n` +
        `  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- ${bench}`,
    );
    process.exit(2);
  }
  return url;
}

export function databaseUrlFor(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin(base: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function createDatabase(base: string, name: string): Promise<string> {
  await admin(base, `drop database if exists ${name} with (force)`);
  await admin(base, `create database ${name}`);
  return databaseUrlFor(base, name);
}

export const dropDatabase = (base: string, name: string) =>
  admin(base, `drop database if exists ${name} with (force)`);

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface GenerateFigures {
  partnershipId: string;
  partnershipCode: string;
  people: number;
  rows: number;
  seconds: number;
  tables: { table: string; rows: number; seconds: number }[];
}

/**
 * Run `pooled generate --json` against a database. Resolves when the figures are printed (the
 * wall time runs from spawn to then: it includes Node start-up and migrations).
 */
export function runGenerate(
  databaseUrl: string,
  people: number,
  seed: string,
  code: string,
  options: { money?: boolean } = {},
): Promise<{ figures: GenerateFigures; wallSeconds: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [
        'bin/pooled.mjs',
        'generate',
        '--people',
        String(people),
        '--seed',
        seed,
        '--partnership',
        code,
        '--json',
        // Budgets, payments and a year of card transactions multiply the time by about 3.5;
        // benchmarks that only read people, assessments, plans and reviews leave them out.
        ...(options.money === false ? ['--no-money'] : []),
      ],
      {
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    let done = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && !done && out.includes('\n', out.indexOf(line))) {
        done = true;
        const wallSeconds = (performance.now() - start) / 1000;
        resolve({ figures: JSON.parse(line) as GenerateFigures, wallSeconds });
      }
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`pooled generate exited with ${String(code)}: ${out}`));
    });
  });
}

/**
 * CPU seconds used so far by this process and by the PostgreSQL server's processes on this
 * machine (read from /proc; null where there is none), to tell which side a bulk job waits on.
 * With `database`, only the server processes connected to it (a bench's own database), so other
 * work on the machine is not counted; they must still be connected when this is read.
 */
export function cpuSeconds(database?: string): { node: number; postgres: number | null } {
  const u = process.cpuUsage();
  const node = (u.user + u.system) / 1e6;
  let postgres: number | null = null;
  try {
    const tick = 100; // USER_HZ on Linux
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'postgres') continue;
      if (database !== undefined) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (!cmd.includes(` ${database} `)) continue;
      }
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      postgres = (postgres ?? 0) + (Number(f[11]) + Number(f[12])) / tick;
    }
  } catch {
    postgres = null;
  }
  return { node, postgres };
}

/** CPU-seconds used so far by one server process (a connection's backend), or null if unknown. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ on Linux
  } catch {
    return null;
  }
}
