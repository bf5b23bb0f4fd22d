// pooled payments run --partnership CODE --prepared-by EMAIL [--due-by DATE]
//                    [--approve-as EMAIL] [--out FILE] [--batch-size N]
// Prepares a payment run of the lines due up to the date (today by default) and prints its
// preview. With --approve-as, a second finance officer approves it, it is posted to the ledger
// and the payment file is written to --out. A run left unfinished (prepared or approved but not
// posted, for example because the command was killed) is resumed instead of preparing a new
// one, so running the command again finishes it and pays nothing twice.
// Exit code: 0 done (or waiting for approval), 2 refused (unknown partnership or user, not a
// finance officer, four eyes).
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { sql } from 'kysely';
import { partnershipIdForCommand, type WithDb } from '../../platform/db/cli-support.js';
import type { Db } from '../../platform/db/database.js';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { UserPrincipal } from '../../platform/auth/principal.js';
import { RoleSchema, type Role } from '../../platform/auth/roles.js';
import { isCivilDate, todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Conflict, DomainError } from '../../platform/http/errors.js';
import { formatPounds, pence } from '../../platform/money.js';
import { createPaymentsService, DEFAULT_BATCH_SIZE } from './payments.js';
import type { RunRecord } from './store.js';
import { renewBudgetsForYear } from './renew.js';
import { financialYearLabel, financialYearOf } from './rules.js';

export class PaymentsRefused extends Error {}

/** The signed-in-like principal of a user, found by partnership code and email. */
export async function principalFor(
  db: Db,
  partnershipCode: string,
  email: string,
): Promise<UserPrincipal> {
  const row = await db.system
    .selectFrom('users as u')
    .innerJoin('partnerships as p', 'p.id', 'u.partnership_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id',
      'u.partnership_id',
      'u.full_name',
      'u.email',
      'u.disabled_at',
      'u.organisation_id',
      'o.kind as organisation_kind',
      'p.name as partnership_name',
      sql<string[]>`array(select g.role from role_grants g
                           where g.user_id = u.id and g.revoked_at is null)`.as('grants'),
      sql<string[]>`array(select m.team_id from team_members m where m.user_id = u.id)`.as('teams'),
    ])
    .where('p.code', '=', partnershipCode)
    .where(sql<boolean>`lower(u.email) = lower(${email})`)
    .executeTakeFirst();
  if (!row || row.disabled_at)
    throw new PaymentsRefused(`There is no user ${email} in partnership "${partnershipCode}".`);
  const roles = new Set<Role>();
  for (const g of row.grants) {
    const r = RoleSchema.safeParse(g);
    if (r.success) roles.add(r.data);
  }
  return {
    kind: 'user',
    userId: row.id,
    partnershipId: row.partnership_id,
    partnershipName: row.partnership_name,
    fullName: row.full_name,
    email: row.email,
    roles,
    teamIds: row.teams,
    organisationId: row.organisation_id,
    organisationKind: row.organisation_kind ?? null,
    mustChangePassword: false,
    sessionId: 'cli',
  };
}

const count = (n: number) => n.toLocaleString('en-GB');
const money = (n: number) => formatPounds(pence(n));

export interface PaymentRunOptions {
  partnership: string;
  preparedBy: string;
  dueBy?: CivilDate;
  approveAs?: string;
  out?: string;
  batchSize?: number;
  now?: () => Date;
  print?: (line: string) => void;
}

/** The command's work, callable from tests and the benchmark with an open database. */
export async function runPayments(db: Db, o: PaymentRunOptions): Promise<RunRecord | undefined> {
  const print = o.print ?? console.log;
  const now = o.now ?? (() => new Date());
  const preparer: AuditContext = { principal: await principalFor(db, o.partnership, o.preparedBy) };
  const approver: AuditContext | undefined = o.approveAs
    ? { principal: await principalFor(db, o.partnership, o.approveAs) }
    : undefined;
  const service = createPaymentsService({
    db,
    now,
    onBatch: (n) => print(`Posted ${count(n)} lines so far.`),
  });
  const unfinished = await service.unfinished(preparer);
  let run = unfinished[0];
  if (run) print(`Resuming payment run ${run.id} (${run.status}, due up to ${run.dueUpTo}).`);
  else {
    // A run posted but whose file was never written (the command stopped in between).
    const [orphan] = o.out ? await service.withoutFile(preparer) : [];
    if (orphan && o.out) {
      const { csv } = await service.file(approver ?? preparer, orphan.id);
      writeFileSync(o.out, csv);
      print(
        `Payment run ${orphan.id} was posted but its file was not written: wrote it to ${o.out}.`,
      );
      return orphan;
    }
    try {
      run = await service.prepare(preparer, o.dueBy ?? todayInLondon(now()));
    } catch (error) {
      if (error instanceof Conflict) {
        print(error.message);
        return undefined;
      }
      throw error;
    }
    print(`Prepared payment run ${run.id} for lines due up to ${run.dueUpTo}.`);
  }
  const preview = await service.preview(preparer, run.id, { limit: 0, offset: 0 });
  print(`${count(preview.summary.count)} payments, ${money(preview.summary.total)} in all.`);
  for (const b of preview.summary.byBody)
    print(
      `  ${b.body === 'nhs' ? 'NHS' : 'Council'}: ${count(b.count)} payments, ${money(b.total)}`,
    );
  if (run.status === 'prepared') {
    if (!approver) {
      print('Waiting for approval by a second finance officer (--approve-as EMAIL).');
      return run;
    }
    run = await service.approve(approver, run.id);
    print(`Approved by ${approver.principal.kind === 'user' ? approver.principal.email : ''}.`);
  }
  const poster = approver ?? preparer;
  const { paid, run: posted } = await service.post(poster, run.id, {
    batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
  });
  print(`Paid ${count(paid)} lines in this run of the command; run ${posted.status}.`);
  if (posted.status === 'posted' && o.out) {
    const { csv } = await service.file(poster, run.id);
    writeFileSync(o.out, csv);
    print(`Wrote the payment file to ${o.out}.`);
  }
  return posted;
}

export function paymentsCommand(withDb: WithDb): Command {
  const command = new Command('payments').description('Direct payments and payment runs');
  command
    .command('run')
    .description(
      'Prepare a payment run of the lines due (or resume an unfinished one); with --approve-as, approve it as a second finance officer, post it and write the payment file',
    )
    .requiredOption('--partnership <code>', 'the partnership code')
    .requiredOption('--prepared-by <email>', 'the finance officer preparing the run')
    .option(
      '--due-by <date>',
      'pay lines due on or before this date (YYYY-MM-DD); today by default',
      (v) => {
        if (!isCivilDate(v)) throw new InvalidArgumentError('Not a date like 2026-04-01');
        return v;
      },
    )
    .option('--approve-as <email>', 'a second finance officer who approves and posts the run')
    .option('--out <file>', 'write the payment file (CSV) here')
    .option('--batch-size <n>', 'lines posted in each database transaction', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Not a positive number');
      return n;
    })
    .action(
      async (opts: {
        partnership: string;
        preparedBy: string;
        dueBy?: CivilDate;
        approveAs?: string;
        out?: string;
        batchSize?: number;
      }) => {
        try {
          await withDb((db) =>
            runPayments(db, {
              partnership: opts.partnership,
              preparedBy: opts.preparedBy,
              ...(opts.dueBy ? { dueBy: opts.dueBy } : {}),
              ...(opts.approveAs ? { approveAs: opts.approveAs } : {}),
              ...(opts.out ? { out: opts.out } : {}),
              ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
            }),
          );
        } catch (error) {
          if (error instanceof PaymentsRefused || error instanceof DomainError) {
            console.error(error.message);
            process.exitCode = 2;
            return;
          }
          throw error;
        }
      },
    );
  return command;
}

// pooled budgets renew --partnership CODE [--year YYYY] [--batch-size N]
// Makes the budgets of a financial year (this one by default) for every person whose signed-off
// plan is still in force on its 1 April. Idempotent: run it daily from 1 April (or in March for
// the coming year, so the first payment run of the year finds the lines); a second run, or a run
// after one stopped half way, makes only what is missing.
export function budgetsCommand(withDb: WithDb): Command {
  const command = new Command('budgets').description('Budgets from signed-off plans');
  command
    .command('renew')
    .description(
      "Make a financial year's budgets for everyone whose signed-off plan carries on into it",
    )
    .requiredOption('--partnership <code>', 'the partnership code')
    .option(
      '--year <yyyy>',
      'the financial year by the year it starts in (2027 = 2027/28)',
      (v) => {
        const n = Number(v);
        if (!/^\d{4}$/.test(v) || n < 2000 || n > 2200)
          throw new InvalidArgumentError('Not a year like 2027');
        return n;
      },
    )
    .option('--batch-size <n>', 'people in each database transaction', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Not a positive number');
      return n;
    })
    .action(async (opts: { partnership: string; year?: number; batchSize?: number }) => {
      await withDb(async (db) => {
        const partnershipId = await partnershipIdForCommand(db, opts.partnership);
        if (partnershipId === null) return;
        const year = opts.year ?? financialYearOf(todayInLondon());
        const r = await renewBudgetsForYear(db, partnershipId, year, {
          ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
          onBatch: (so) => console.log(`${count(so.people)} people renewed so far.`),
        });
        console.log(
          `Made ${count(r.budgets)} budgets for ${count(r.people)} people for ${financialYearLabel(year)}.`,
        );
      });
    });
  return command;
}
