// pooled import people FILE.csv --partnership CODE
// Bad rows go to stdout with their line numbers; a progress bar goes to stderr on a terminal only.
// Exit code: 0 all imported, 1 some rows rejected, 2 nothing could be imported (fatal).
import { Command, InvalidArgumentError } from 'commander';
import type { Db } from '../../platform/db/database.js';
import { ImportFatal, importPeople, type ImportProgress } from './people-import.js';
import { exitCodeFor, formatProblem, formatSummary } from './rules.js';

type WithDb = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

/** A one-line progress bar, redrawn at most ten times a second. */
export function progressBar(stream: NodeJS.WriteStream) {
  const started = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(p: ImportProgress, force = false) {
      const now = performance.now();
      if (!force && now - last < 100) return;
      last = now;
      const fraction = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 0;
      const width = 30;
      const filled = Math.round(fraction * width);
      const rate = p.rows / Math.max(0.001, (now - started) / 1000);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ` +
          `${p.rows.toLocaleString('en-GB')} rows  ${Math.round(rate).toLocaleString('en-GB')} rows/s `,
      );
      drawn = true;
    },
    /** Clear the bar so a message can be printed on a clean line. */
    clear() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

const wholeNumber = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Not a whole number');
  return n;
};

export function importCommand(withDb: WithDb): Command {
  const command = new Command('import').description('Import data from files');
  command
    .command('people')
    .description(
      'Import people from a CSV file (UTF-8, header row). Idempotent on external_id: a second import updates.',
    )
    .argument('<file>', 'the CSV file')
    .requiredOption('--partnership <code>', 'the partnership to import into')
    .option('--batch-size <n>', 'rows a transaction', wholeNumber, 1000)
    .action(async (file: string, opts: { partnership: string; batchSize: number }) => {
      const bar = process.stderr.isTTY ? progressBar(process.stderr) : undefined;
      const say = (line: string) => {
        bar?.clear();
        console.log(line);
      };
      try {
        const result = await withDb((db) =>
          importPeople(db, {
            partnershipCode: opts.partnership,
            file,
            batchSize: opts.batchSize,
            onProblem: (p) => say(formatProblem(p)),
            onWarning: (w) => say(`Warning: ${w}`),
            ...(bar ? { onProgress: (p: ImportProgress) => bar.update(p) } : {}),
          }),
        );
        bar?.clear();
        const rows = result.created + result.updated + result.unchanged + result.rejected;
        console.log(
          `Imported ${file} into ${opts.partnership}: ${formatSummary(result)} ` +
            `(${result.seconds.toFixed(1)} s, ${Math.round(rows / Math.max(result.seconds, 0.001)).toLocaleString('en-GB')} rows/s).`,
        );
        if (result.rejected)
          console.log(
            'Fix the rejected rows and import the file again: rows already imported will not be duplicated.',
          );
        process.exitCode = exitCodeFor(result);
      } catch (error) {
        bar?.clear();
        console.error(
          error instanceof ImportFatal
            ? error.message
            : `Import failed: ${(error as Error).message}`,
        );
        process.exitCode = 2;
      }
    });
  return command;
}
