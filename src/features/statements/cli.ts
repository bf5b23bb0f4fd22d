// pooled import statements FILE --format NAME --partnership CODE
// Bad rows go to stdout with their line numbers; a progress bar goes to stderr on a terminal.
// Exit code: 0 all rows imported (or already there), 1 some rows bad, 2 nothing could be
// imported (the file was refused or could not be read).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Db } from '../../platform/db/database.js';
import {
  DEFAULT_BATCH_SIZE,
  importStatement,
  StatementImportRefused,
  type ImportResult,
} from './import.js';
import { formatBadRow, readMapping, STATEMENT_FORMATS, type ColumnMapping } from './rules.js';

type WithDb = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

/** Called after a finished import with the holding accounts that received transactions. */
export type AfterImport = (db: Db, partnershipId: string, result: ImportResult) => Promise<string>;

const wholeNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Not a whole number');
  return n;
};

export function statementsImportCommand(withDb: WithDb, afterImport?: AfterImport): Command {
  return new Command('statements')
    .description(
      'Import a prepaid card or bank statement (CSV, UTF-8, header row). A transaction already imported is never imported again.',
    )
    .argument('<file>', 'the CSV file')
    .option('--format <name>', `a built-in statement format: ${STATEMENT_FORMATS.join(', ')}`)
    .option(
      '--mapping <file.json>',
      "a card or bank provider's own column mapping (JSON, the shape of the built-in ones), instead of --format",
    )
    .requiredOption('--partnership <code>', 'the partnership to import into')
    .option(
      '--batch-size <n>',
      'good rows a database transaction (one ledger transaction each)',
      wholeNumber,
      DEFAULT_BATCH_SIZE,
    )
    .action(
      async (
        file: string,
        opts: { format?: string; mapping?: string; partnership: string; batchSize: number },
      ) => {
        const started = performance.now();
        let format: string | ColumnMapping;
        if (opts.mapping && !opts.format) {
          let text: string;
          try {
            text = await readFile(opts.mapping, 'utf8');
          } catch (error) {
            console.error(`Cannot read ${opts.mapping}: ${(error as Error).message}`);
            process.exitCode = 2;
            return;
          }
          const read = readMapping(text);
          if (!read.ok) {
            console.error(read.message);
            process.exitCode = 2;
            return;
          }
          format = read.mapping;
        } else if (opts.format && !opts.mapping) format = opts.format;
        else {
          console.error('Give either --format NAME or --mapping FILE.json.');
          process.exitCode = 2;
          return;
        }
        const formatName = typeof format === 'string' ? format : format.name;
        const tty = process.stderr.isTTY;
        let total = 0;
        try {
          const s = await stat(file);
          if (!s.isFile()) throw new Error(`${file} is not a file`);
          total = s.size;
        } catch (error) {
          console.error(`Cannot read ${file}: ${(error as Error).message}`);
          process.exitCode = 2;
          return;
        }
        let lastDraw = 0;
        try {
          await withDb(async (db) => {
            const partnership = await db.system
              .selectFrom('partnerships')
              .select('id')
              .where('code', '=', opts.partnership)
              .executeTakeFirst();
            if (!partnership)
              throw new StatementImportRefused(
                `There is no partnership with code "${opts.partnership}".`,
              );
            const result = await importStatement(db, {
              partnershipId: partnership.id,
              format,
              fileName: basename(file),
              source: createReadStream(file, { highWaterMark: 256 * 1024 }),
              userId: null,
              actor: 'cli import',
              batchSize: opts.batchSize,
              onBadRow: (bad) => {
                if (tty) process.stderr.write('\r\x1b[2K');
                console.log(formatBadRow(bad));
              },
              onProgress: (p) => {
                if (!tty || performance.now() - lastDraw < 100) return;
                lastDraw = performance.now();
                const pct = total ? Math.round((100 * p.bytes) / total) : 0;
                process.stderr.write(
                  `\r${String(pct).padStart(3)}%  ${p.rows.toLocaleString('en-GB')} rows`,
                );
              },
            });
            if (tty) process.stderr.write('\r\x1b[2K');
            if (result.status === 'refused') {
              console.error(result.message);
              process.exitCode = 2;
              return;
            }
            const seconds = (performance.now() - started) / 1000;
            console.log(
              `Imported ${basename(file)} (${formatName}): ${result.imported.toLocaleString('en-GB')} new, ` +
                `${result.duplicates.toLocaleString('en-GB')} already imported, ${result.bad.toLocaleString('en-GB')} bad ` +
                `(${seconds.toFixed(1)} s, ${Math.round(result.rowsRead / Math.max(seconds, 0.001)).toLocaleString('en-GB')} rows/s).`,
            );
            if (result.ignoredColumns.length)
              console.log(`Columns not used: ${result.ignoredColumns.join(', ')}.`);
            if (afterImport && result.touchedAccounts.length)
              console.log(await afterImport(db, partnership.id, result));
            if (result.bad)
              console.log(
                'Fix the bad rows and import the file again: rows already imported will not be imported twice.',
              );
            process.exitCode = result.bad ? 1 : 0;
          });
        } catch (error) {
          if (tty) process.stderr.write('\r\x1b[2K');
          console.error(
            error instanceof StatementImportRefused
              ? error.message
              : `Import failed: ${(error as Error).message}`,
          );
          process.exitCode = 2;
        }
      },
    );
}
