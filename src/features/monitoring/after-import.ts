// Monitoring straight after a statement import: the accounts it touched, and a sentence for the
// import's report (the page and the command).
import type { Db } from '../../platform/db/database.js';
import { todayInLondon } from '../../platform/dates.js';
import { runMonitoring, type MonitoringRun } from './service.js';

/** A sentence for an import's report: what monitoring found in the accounts it touched. */
export function describeRun(run: MonitoringRun): string {
  if (run.raised === 0 && run.updated === 0)
    return `Monitoring checked ${String(run.accounts)} account${run.accounts === 1 ? '' : 's'}: nothing new to look at.`;
  const parts = [
    run.raised ? `${String(run.raised)} new flag${run.raised === 1 ? '' : 's'}` : '',
    run.updated
      ? `${String(run.updated)} open flag${run.updated === 1 ? '' : 's'} with new transactions`
      : '',
  ].filter(Boolean);
  return `Monitoring checked ${String(run.accounts)} account${run.accounts === 1 ? '' : 's'}: ${parts.join(' and ')}.`;
}

/** Monitoring of the accounts a statement import touched, for the import page and command. */
export function monitorImported(db: Db, now: () => Date) {
  return async (partnershipId: string, result: { touchedAccounts: string[] }): Promise<string> =>
    describeRun(
      await runMonitoring(db, partnershipId, todayInLondon(now()), result.touchedAccounts),
    );
}
