// The partnership's monitoring thresholds (issue 5 point 7: "balance above N weeks of payments
// (default 8, configurable)", "no activity for N weeks"), read and changed by a finance officer
// or the partnership's administrator. A change is audited with the values before and after; it
// applies from the next check (after an import, or the daily job).
import { z } from 'zod';
import { inPartnership, type Db, type Tx } from '../../platform/db/database.js';
import { audit, type AuditContext } from '../../platform/audit/audit.js';
import { hasRole } from '../../platform/auth/principal.js';
import { Forbidden } from '../../platform/http/errors.js';
import { st } from '../statements/index.js';
import { DEFAULT_SETTINGS, type MonitoringSettings } from './rules.js';

/** The partnership's thresholds, or the defaults when none are set. */
export async function settingsOf(tx: Tx, partnershipId: string): Promise<MonitoringSettings> {
  const row = await st(tx)
    .selectFrom('monitoring_settings')
    .select(['balance_weeks', 'no_activity_weeks'])
    .where('partnership_id', '=', partnershipId)
    .executeTakeFirst();
  return row
    ? { balanceWeeks: row.balance_weeks, noActivityWeeks: row.no_activity_weeks }
    : DEFAULT_SETTINGS;
}

/** Stores the partnership's thresholds (from the next check on), by whom (null: the command line). */
export async function writeSettings(
  tx: Tx,
  partnershipId: string,
  next: MonitoringSettings,
  userId: string | null,
): Promise<void> {
  await st(tx)
    .insertInto('monitoring_settings')
    .values({
      partnership_id: partnershipId,
      balance_weeks: next.balanceWeeks,
      no_activity_weeks: next.noActivityWeeks,
      updated_by: userId,
    })
    .onConflict((oc) =>
      oc.column('partnership_id').doUpdateSet({
        balance_weeks: next.balanceWeeks,
        no_activity_weeks: next.noActivityWeeks,
        updated_by: userId,
        updated_at: new Date(),
      }),
    )
    .execute();
}

const weeks = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { message: `Enter the number of weeks for ${what}` })
    .regex(/^\d+$/, { message: `The weeks for ${what} must be a whole number, like 8` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 52, {
      message: `The weeks for ${what} must be between 1 and 52`,
    });

export const settingsFormSchema = z.object({
  balanceWeeks: weeks('money building up'),
  noActivityWeeks: weeks('no spending'),
});

function requireMayChange(ctx: AuditContext): void {
  if (!hasRole(ctx.principal, 'finance_officer') && !hasRole(ctx.principal, 'partnership_admin'))
    throw new Forbidden(
      'Only finance officers and administrators can change the monitoring checks',
    );
}

export function createSettingsService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async get(ctx: AuditContext): Promise<MonitoringSettings> {
      requireMayChange(ctx);
      return inPartnership(db, ctx.principal.partnershipId, (tx) =>
        settingsOf(tx, ctx.principal.partnershipId),
      );
    },

    async save(ctx: AuditContext, next: MonitoringSettings): Promise<void> {
      requireMayChange(ctx);
      const partnershipId = ctx.principal.partnershipId;
      const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
      await inPartnership(db, partnershipId, async (tx) => {
        const before = await settingsOf(tx, partnershipId);
        await writeSettings(tx, partnershipId, next, userId);
        await audit(tx, ctx, {
          action: 'update',
          recordType: 'monitoring_settings',
          detail: { before, after: next },
        });
      });
    },
  };
}
