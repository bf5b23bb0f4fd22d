// pooled generate --people N --seed S [--partnership CODE]
import { Command, InvalidArgumentError } from 'commander';
import type { Db } from '../../platform/db/database.js';
import { GenerateError, generatePartnership, seedNumber } from './generate.js';
import { writeStatementFile } from './statement-file.js';

type WithDb = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

const wholeNumber = (v: string) => {
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Not a whole number');
  return n;
};

const percent = (v: string) => {
  const n = Number(v.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('Give a percentage from 0 to 100');
  return n / 100;
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

export function generateCommand(withDb: WithDb): Command {
  return new Command('generate')
    .description('Create a large synthetic partnership fast (bulk COPY), for benchmarks')
    .requiredOption('--people <n>', 'how many people', wholeNumber)
    .option('--seed <seed>', 'seed: the same seed gives the same people', '1')
    .option('--partnership <code>', 'code for the new partnership (default synthetic-SEED)')
    .option(
      '--assessed <percent>',
      'percentage of people with a completed assessment and allocation (default 100)',
      percent,
    )
    .option(
      '--reassessed <percent>',
      'percentage of those assessed who were reassessed once (default 5)',
      percent,
    )
    .option(
      '--no-money',
      'leave out budgets, payment schedules, the ledger and card transactions (issue 5)',
    )
    .option(
      '--statement-file <file>',
      'also write a prepaid-card statement (CSV, the built-in prepaid-card format) of the four weeks after the generated day, for `pooled import statements`',
    )
    .option('--statement-rows <n>', 'rows in the statement file (default 100,000)', wholeNumber)
    .option('--json', 'print the figures as JSON')
    .action(
      async (opts: {
        people: number;
        seed: string;
        partnership?: string;
        assessed?: number;
        reassessed?: number;
        money: boolean;
        statementFile?: string;
        statementRows?: number;
        json?: boolean;
      }) => {
        try {
          const result = await withDb((db) =>
            generatePartnership(db, {
              people: opts.people,
              seed: opts.seed,
              partnershipCode: opts.partnership,
              assessed: opts.assessed,
              reassessed: opts.reassessed,
              money: opts.money,
            }),
          );
          const file = opts.statementFile;
          const statement = file
            ? await withDb((db) =>
                writeStatementFile(db, {
                  partnershipId: result.partnershipId,
                  seed: seedNumber(opts.seed),
                  asOf: result.asOf,
                  path: file,
                  rows: opts.statementRows ?? 100_000,
                }),
              )
            : null;
          if (opts.json) {
            console.log(JSON.stringify({ ...result, statement }));
            return;
          }
          console.log(
            `Created partnership "${result.partnershipCode}" with ${fmt(result.people)} people and ${fmt(result.assessments)} completed assessments in ${result.seconds.toFixed(1)} s.`,
          );
          for (const t of result.tables)
            console.log(
              `  ${t.table.padEnd(22)} ${fmt(t.rows).padStart(10)} rows  ${t.seconds.toFixed(2).padStart(7)} s  ${fmt(t.rows / t.seconds).padStart(9)} rows/s`,
            );
          console.log(
            `  ${'all tables'.padEnd(22)} ${fmt(result.rows).padStart(10)} rows  ${result.seconds.toFixed(2).padStart(7)} s  ${fmt(result.rows / result.seconds).padStart(9)} rows/s`,
          );
          if (statement && file)
            console.log(
              `Wrote ${fmt(statement.rows)} prepaid-card transactions on ${fmt(statement.cards)} cards to ${file} (import with: pooled import statements ${file} --format prepaid-card --partnership ${result.partnershipCode}).`,
            );
        } catch (error) {
          if (error instanceof GenerateError) {
            console.error(error.message);
            process.exitCode = 2;
            return;
          }
          throw error;
        }
      },
    );
}
