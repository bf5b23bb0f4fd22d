// Payment runs: a finance officer prepares a run of the schedule lines due up to a date, sees a
// preview, a different finance officer approves it (four eyes: refused here and by a CHECK
// constraint), then it is posted to the ledger in batches, each in its own transaction, and
// gives a payment file. Each line's posting has the idempotency key payment-line:<line id> and
// a line is in at most one run (a unique constraint), so two runs at once, or a run re-run
// after it was killed half-way, never pay a line twice; a re-run finishes what is left.
import { inPartnership, type Db } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { hasRole } from '../../platform/auth/principal.js';
import { formatCivilDate, todayInLondon, type CivilDate } from '../../platform/dates.js';
import { Conflict, Forbidden, NotFound } from '../../platform/http/errors.js';
import { pence } from '../../platform/money.js';
import { postMany } from '../ledger/index.js';
import { lockPayees } from './accounts.js';
import { mayApproveRun, paymentFile, type RunSummary } from './rules.js';
import {
  cancelRun,
  fileRows,
  finishRun,
  insertRun,
  listRuns,
  markApproved,
  markPaid,
  nextBatch,
  postedWithoutFile,
  reserveLines,
  runById,
  runLines,
  runSummaryByBody,
  unfinishedRuns,
  type RunLineRecord,
  type RunRecord,
} from './store.js';

export const RUN_NOT_FOUND = 'There is no payment run with this ID in your partnership';
export const DEFAULT_BATCH_SIZE = 1_000;
export const NOTHING_DUE = 'No payments are due, or they are all in other runs, up to';

export interface RunPreview {
  run: RunRecord;
  summary: RunSummary;
  lines: RunLineRecord[];
}

export interface PaymentsServiceDeps {
  db: Db;
  now: () => Date;
  /** Called after each batch is committed (tests use it to be killed part-way). */
  onBatch?: (posted: number) => void;
}

function financeUser(ctx: AuditContext): string {
  const p = ctx.principal;
  if (p.kind !== 'user' || !hasRole(p, 'finance_officer'))
    throw new Forbidden('Only finance officers can work with payment runs.');
  return p.userId;
}

export function createPaymentsService(deps: PaymentsServiceDeps) {
  const { db, now } = deps;

  async function getRun(ctx: AuditContext, runId: string): Promise<RunRecord> {
    const run = await inPartnership(db, ctx.principal.partnershipId, (tx) => runById(tx, runId));
    if (!run) throw new NotFound(RUN_NOT_FOUND);
    return run;
  }

  return {
    async list(ctx: AuditContext): Promise<RunRecord[]> {
      financeUser(ctx);
      return inPartnership(db, ctx.principal.partnershipId, (tx) => listRuns(tx));
    },

    async get(ctx: AuditContext, runId: string): Promise<RunRecord> {
      financeUser(ctx);
      return getRun(ctx, runId);
    },

    /** Runs prepared or approved but not posted yet, oldest first. */
    async unfinished(ctx: AuditContext): Promise<RunRecord[]> {
      financeUser(ctx);
      return inPartnership(db, ctx.principal.partnershipId, (tx) => unfinishedRuns(tx));
    },

    /** Posted runs whose payment file was never produced, oldest first. */
    async withoutFile(ctx: AuditContext): Promise<RunRecord[]> {
      financeUser(ctx);
      return inPartnership(db, ctx.principal.partnershipId, (tx) => postedWithoutFile(tx));
    },

    /**
     * Prepares a run of every line due on or before the date that no other run has. Refused
     * (Conflict, nothing kept) when there is nothing to pay.
     */
    async prepare(ctx: AuditContext, dueUpTo: CivilDate): Promise<RunRecord> {
      const userId = financeUser(ctx);
      const partnershipId = ctx.principal.partnershipId;
      return inPartnership(db, partnershipId, async (tx) => {
        await lockPayees(tx, partnershipId, false);
        const id = await insertRun(tx, { partnershipId, dueUpTo, preparedBy: userId });
        const { count, total } = await reserveLines(tx, partnershipId, id, dueUpTo);
        if (count === 0) throw new Conflict(`${NOTHING_DUE} ${formatCivilDate(dueUpTo)}.`);
        await audit(tx, ctx, {
          action: 'create',
          recordType: 'payment_run',
          recordId: id,
          detail: { dueUpTo, lines: count, totalPence: total },
        });
        const run = await runById(tx, id);
        if (!run) throw new Error('the run just made is missing');
        return run;
      });
    },

    /** The run's figures (count, total, by funding body) and its lines, a page at a time. */
    async preview(
      ctx: AuditContext,
      runId: string,
      page: { limit: number; offset: number } | null = { limit: 500, offset: 0 },
    ): Promise<RunPreview> {
      financeUser(ctx);
      return inPartnership(db, ctx.principal.partnershipId, async (tx) => {
        const run = await runById(tx, runId);
        if (!run) throw new NotFound(RUN_NOT_FOUND);
        const byBody = await runSummaryByBody(tx, runId);
        const lines = await runLines(tx, runId, page);
        // One event for the run: the people in it are the run's lines, kept for good.
        await audit(tx, ctx, {
          action: 'list',
          recordType: 'payment_run',
          recordId: runId,
          detail: { shown: lines.length, offset: page?.offset ?? 0, lines: run.lineCount },
        });
        return {
          run,
          summary: {
            count: run.lineCount,
            total: pence(run.total),
            byBody: byBody.map((b) => ({ body: b.body, count: b.count, total: pence(b.total) })),
          },
          lines,
        };
      });
    },

    /** Approval by a second finance officer. The preparer is refused. */
    async approve(ctx: AuditContext, runId: string): Promise<RunRecord> {
      const userId = financeUser(ctx);
      const p = ctx.principal;
      // A refusal is audited, so it is returned from the transaction and thrown after it.
      const outcome = await inPartnership(
        db,
        p.partnershipId,
        async (tx): Promise<{ ok: true; run: RunRecord } | { ok: false; error: Error }> => {
          const run = await runById(tx, runId);
          if (!run) return { ok: false, error: new NotFound(RUN_NOT_FOUND) };
          const allowed = mayApproveRun(run, {
            userId,
            roles: p.kind === 'user' ? [...p.roles] : [],
          });
          if (!allowed.ok) {
            await audit(tx, ctx, {
              action: 'access_refused',
              recordType: 'payment_run',
              recordId: runId,
              detail: { approve: false, reason: allowed.message },
            });
            return {
              ok: false,
              error:
                run.status !== 'prepared'
                  ? new Conflict(allowed.message)
                  : new Forbidden(allowed.message),
            };
          }
          if (!(await markApproved(tx, runId, userId, now())))
            return {
              ok: false,
              error: new Conflict('This payment run is not waiting for approval.'),
            };
          await audit(tx, ctx, {
            action: 'update',
            recordType: 'payment_run',
            recordId: runId,
            detail: { approved: true },
          });
          return { ok: true, run: (await runById(tx, runId)) as RunRecord };
        },
      );
      if (!outcome.ok) throw outcome.error;
      return outcome.run;
    },

    /** Gives the lines back to the schedule: only a run not yet approved. */
    async cancel(ctx: AuditContext, runId: string): Promise<void> {
      financeUser(ctx);
      await inPartnership(db, ctx.principal.partnershipId, async (tx) => {
        if (!(await runById(tx, runId))) throw new NotFound(RUN_NOT_FOUND);
        if (!(await cancelRun(tx, runId)))
          throw new Conflict('Only a payment run that has not been approved can be cancelled.');
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'payment_run',
          recordId: runId,
          detail: { cancelled: true },
        });
      });
    },

    /**
     * Posts an approved run to the ledger, a batch of lines per transaction, and marks it posted
     * when no line is left. Safe to call again after a crash, and while another process posts
     * the same run: each line is posted once (its idempotency key) and lines locked by another
     * poster are skipped. Returns how many lines this call paid.
     */
    async post(
      ctx: AuditContext,
      runId: string,
      options: { batchSize?: number } = {},
    ): Promise<{ paid: number; run: RunRecord }> {
      const userId = financeUser(ctx);
      const partnershipId = ctx.principal.partnershipId;
      const run = await getRun(ctx, runId);
      if (run.status === 'posted') return { paid: 0, run };
      if (run.status !== 'approved')
        throw new Conflict(
          'A payment run must be approved by a second finance officer before it is paid.',
        );
      const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
      let paid = 0;
      for (;;) {
        const n = await inPartnership(db, partnershipId, async (tx) => {
          const batch = await nextBatch(tx, runId, size);
          if (batch.length === 0) return 0;
          const on = todayInLondon(now());
          const results = await postMany(
            tx,
            partnershipId,
            batch.map((l) => ({
              idempotencyKey: `payment-line:${l.id}`,
              kind: 'payment' as const,
              occurredOn: on,
              description: `Payment ${l.reference}: ${l.description}`,
              lines: [
                { accountId: l.budgetAccountId, amountPence: -l.amount, sourceRef: `line:${l.id}` },
                { accountId: l.holdingAccountId, amountPence: l.amount, sourceRef: `line:${l.id}` },
              ],
              postedBy: userId,
            })),
          );
          await markPaid(
            tx,
            batch.map((l, i) => ({ lineId: l.id, transactionId: results[i]?.transactionId ?? '' })),
            now(),
          );
          return batch.length;
        });
        if (n === 0) break;
        paid += n;
        deps.onBatch?.(paid);
      }
      const finished = await inPartnership(db, partnershipId, async (tx) => {
        const done = await finishRun(tx, runId, now());
        if (done)
          await audit(tx, ctx, {
            action: 'update',
            recordType: 'payment_run',
            recordId: runId,
            detail: { posted: true },
          });
        return (await runById(tx, runId)) as RunRecord;
      });
      return { paid, run: finished };
    },

    /** The payment file of a posted run (CSV), audited as an export. */
    async file(ctx: AuditContext, runId: string): Promise<{ run: RunRecord; csv: string }> {
      financeUser(ctx);
      return inPartnership(db, ctx.principal.partnershipId, async (tx) => {
        const run = await runById(tx, runId);
        if (!run) throw new NotFound(RUN_NOT_FOUND);
        if (run.status !== 'posted')
          throw new Conflict('The payment file is made once the run has been approved and posted.');
        const rows = await fileRows(tx, runId);
        await audit(tx, ctx, {
          action: 'export',
          recordType: 'payment_run',
          recordId: runId,
          detail: { lines: rows.length, file: 'payment-file.csv' },
        });
        return {
          run,
          csv: paymentFile(
            rows.map((r) => ({
              payee: r.payee,
              accountReference: r.account_reference,
              amount: pence(r.amount_pence),
              reference: r.reference,
              body: r.funding_body,
            })),
          ),
        };
      });
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
