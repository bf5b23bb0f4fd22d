// The pooled command line. Each command opens the database from the validated config.
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, ConfigError, type Config } from './config.js';
import { buildServer, VERSION } from './compose.js';
import { openDatabase, type Db } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrations.js';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from '../features/demo/seed.js';
import { createUserCommand } from './cli-users.js';
import { generateCommand } from '../features/generator/cli.js';
import { importCommand } from '../features/imports/cli.js';
import { statementsImportCommand } from '../features/statements/index.js';
import {
  monitoringCommand,
  monitorImported,
  startDailyJobs,
} from '../features/monitoring/index.js';
import { allocationCommand } from '../features/allocation/cli.js';
import { budgetsCommand, paymentsCommand } from '../features/budgets/cli.js';

async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function printDemoSignIns(out: (line: string) => void = console.log): void {
  out('Demo sign-ins (password for all: ' + DEMO_PASSWORD + '):');
  for (const u of DEMO_USERS) out(`  ${u.roles.join(', ').padEnd(20)} ${u.email}`);
}

export function buildCli(config: Config): Command {
  const program = new Command('pooled')
    .description('Pooled: integrated personal budgets for mental health')
    .version(VERSION)
    // Program options only before a command, so `allocation preview --version V` is the
    // command's own option, not the program's version flag.
    .enablePositionalOptions();

  program
    .command('serve')
    .description('Run the web application (migrates the database first)')
    .option('--demo', 'load the demo partnership if the database has none')
    .option('-p, --port <port>', 'port to listen on', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new InvalidArgumentError('Not a port number');
      return n;
    })
    .action(async (opts: { demo?: boolean; port?: number }) => {
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      await migrate(db);
      if (opts.demo && (await seedDemo(db))) console.log('Loaded the demo partnership.');
      const app = await buildServer({ config, db, now: () => new Date() });
      const address = await app.listen({ port: opts.port ?? config.port, host: config.host });
      const url = address.replace('127.0.0.1', 'localhost');
      console.log(
        `\nPooled is running at ${url}  (database: ${db.kind === 'pglite' ? `embedded, in ${config.dataDir}` : 'PostgreSQL'})`,
      );
      if (opts.demo) printDemoSignIns();
      const daily = config.dailyJobs
        ? startDailyJobs({
            db,
            now: () => new Date(),
            log: (message, error) =>
              error === undefined ? app.log.info(message) : app.log.error({ err: error }, message),
          })
        : null;
      const stop = async () => {
        await daily?.stop();
        await app.close();
        await db.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  program
    .command('migrate')
    .description('Apply database migrations')
    .action(async () => {
      await withDb(config, async (db) => {
        const applied = await migrate(db);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      });
    });

  program
    .command('seed')
    .description('Load data')
    .option('--demo', 'the demo partnership')
    .action(async (opts: { demo?: boolean }) => {
      if (!opts.demo) throw new InvalidArgumentError('Say what to seed: --demo');
      await withDb(config, async (db) => {
        console.log(
          (await seedDemo(db))
            ? 'Loaded the demo partnership.'
            : 'The demo partnership is already there.',
        );
        printDemoSignIns();
      });
    });

  program.addCommand(createUserCommand(config, withDb));
  program.addCommand(generateCommand((fn) => withDb(config, fn)));
  program.addCommand(
    importCommand((fn) => withDb(config, fn)).addCommand(
      statementsImportCommand(
        (fn) => withDb(config, fn),
        (db, partnershipId, result) => monitorImported(db, () => new Date())(partnershipId, result),
      ),
    ),
  );
  program.addCommand(monitoringCommand((fn) => withDb(config, fn)));
  program.addCommand(allocationCommand((fn) => withDb(config, fn)));
  program.addCommand(paymentsCommand((fn) => withDb(config, fn)));
  program.addCommand(budgetsCommand((fn) => withDb(config, fn)));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  await buildCli(config).parseAsync(argv);
}
