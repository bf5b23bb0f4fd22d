// pooled allocation preview --version V [--partnership CODE] [--json]
// Prints the impact of RAS version V (usually a draft) on every current allocation: how many
// people go up, down or stay the same, by how much, in all, by team and by support reason.
// Exit code: 0 printed, 2 no such version (or several partnerships have it: say which).
import { Command } from 'commander';
import type { Db } from '../../platform/db/database.js';
import { formatCivilDate } from '../../platform/dates.js';
import { formatPounds, type Pence } from '../../platform/money.js';
import { previewImpact, type ImpactPreviewResult } from './preview.js';
import { rasVersionSchema, type ImpactSummary, type RasVersion } from './rules.js';

type WithDb = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

export class PreviewRefused extends Error {}

export interface FoundVersion {
  partnershipId: string;
  partnershipCode: string;
  partnershipName: string;
  status: 'draft' | 'published';
  version: RasVersion;
}

/** The version with this id (code), in the named partnership or the only one that has it. */
export async function findVersion(
  db: Db,
  code: string,
  partnershipCode: string | undefined,
): Promise<FoundVersion> {
  let q = db.system
    .selectFrom('ras_versions as v')
    .innerJoin('partnerships as p', 'p.id', 'v.partnership_id')
    .select(['v.partnership_id', 'p.code', 'p.name', 'v.status', 'v.definition'])
    .where('v.code', '=', code);
  if (partnershipCode !== undefined) q = q.where('p.code', '=', partnershipCode);
  const rows = await q.orderBy('p.code').execute();
  const row = rows[0];
  if (!row) {
    if (partnershipCode === undefined)
      throw new PreviewRefused(`There is no RAS version "${code}".`);
    const p = await db.system
      .selectFrom('partnerships')
      .select('id')
      .where('code', '=', partnershipCode)
      .executeTakeFirst();
    throw new PreviewRefused(
      p
        ? `There is no RAS version "${code}" in partnership "${partnershipCode}".`
        : `There is no partnership with code "${partnershipCode}".`,
    );
  }
  if (rows.length > 1)
    throw new PreviewRefused(
      `Several partnerships have a RAS version "${code}" (${rows.map((r) => r.code).join(', ')}). Say which with --partnership CODE.`,
    );
  return {
    partnershipId: row.partnership_id,
    partnershipCode: row.code,
    partnershipName: row.name,
    status: row.status,
    version: rasVersionSchema.parse(row.definition),
  };
}

const count = (n: number) => n.toLocaleString('en-GB');
const money = (p: Pence) => formatPounds(p);
const change = (p: Pence) => `${p > 0 ? '+' : ''}${formatPounds(p)}`;

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned. */
export function textTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const HEADER = [
  '',
  'People',
  'Up',
  'Down',
  'Same',
  'Total now',
  'Total new',
  'Change',
  'Average change',
] as const;
const cells = (label: string, s: ImpactSummary) => [
  label,
  count(s.people),
  count(s.up),
  count(s.down),
  count(s.same),
  money(s.oldTotal),
  money(s.newTotal),
  change(s.totalChange),
  change(s.averageChange),
];

/** The preview as lines of text: a summary, then a table with everyone, by team, by reason. */
export function formatPreview(found: FoundVersion, result: ImpactPreviewResult): string[] {
  const v = found.version;
  const lines = [
    `Impact of RAS version ${v.id} ("${v.name}", ${found.status}, takes effect ${formatCivilDate(v.effectiveFrom)})`,
    `on current allocations in ${found.partnershipName} (${found.partnershipCode}).`,
    '',
  ];
  if (result.people === 0)
    lines.push('There are no current allocations this version could work out.');
  else {
    lines.push(
      `${count(result.people)} people compared: ${count(result.up)} go up, ${count(result.down)} go down, ${count(result.same)} stay the same.`,
      `Total a year: ${money(result.oldTotal)} now, ${money(result.newTotal)} with this version (${change(result.totalChange)}; ${change(result.averageChange)} a person on average).`,
      '',
    );
    const rows: string[][] = [[...HEADER], cells('Everyone', result)];
    rows.push(['By team']);
    for (const t of result.byTeam) rows.push(cells(`  ${t.team}`, t));
    rows.push(['By support reason']);
    for (const r of result.bySupportReason) rows.push(cells(`  ${r.supportReason}`, r));
    lines.push(...textTable(rows));
  }
  if (result.notCalculable > 0) {
    lines.push(
      '',
      `${count(result.notCalculable)} could not be calculated with this version (not counted above):`,
      ...result.notCalculableReasons.map((r) => `  - ${r}`),
    );
  }
  lines.push('', `Worked out in ${(result.elapsedMs / 1000).toFixed(1)} s.`);
  return lines;
}

export function allocationCommand(withDb: WithDb): Command {
  const command = new Command('allocation').description('Resource allocation (RAS)');
  command
    .command('preview')
    .description(
      'Print the impact of a RAS version (usually a draft) on current allocations: up, down, same, by team and support reason',
    )
    .requiredOption('--version <id>', 'the version id, like demo-adult-mental-health-v2')
    .option('--partnership <code>', 'the partnership, when more than one has this version id')
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { version: string; partnership?: string; json?: boolean }) => {
      try {
        const { found, result } = await withDb(async (db) => {
          const f = await findVersion(db, opts.version, opts.partnership);
          return { found: f, result: await previewImpact(db, f.partnershipId, f.version) };
        });
        if (opts.json)
          console.log(JSON.stringify({ partnership: found.partnershipCode, ...result }));
        else for (const line of formatPreview(found, result)) console.log(line);
      } catch (error) {
        if (error instanceof PreviewRefused) {
          console.error(error.message);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
    });
  return command;
}
