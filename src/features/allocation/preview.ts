// The impact preview of a RAS version over a partnership's stored allocations: every person's
// current allocation (the one from their latest completed assessment) recalculated with the
// candidate version and compared with the amount the RAS gave them then. Built for a million
// allocations: keyset-paginated batches under row-level security, one running summary per
// group (createImpactAccumulator), never a list of every person.
import { sql } from 'kysely';
import { inPartnership, type Db } from '../../platform/db/database.js';
import { pence } from '../../platform/money.js';
import {
  calculateIndicativeBudget,
  createImpactAccumulator,
  type ImpactPreview,
  type RasAnswers,
  type RasVersion,
} from './rules.js';

export interface ImpactPreviewResult extends ImpactPreview {
  candidate: { id: string; name: string };
  /** Current allocations the candidate cannot score (e.g. it has a question they never answered). */
  notCalculable: number;
  /** Up to 5 distinct messages saying why. */
  notCalculableReasons: string[];
  elapsedMs: number;
}

/** The label for people who are in no team. */
export const NO_TEAM = 'No team';
export const DEFAULT_PREVIEW_BATCH_SIZE = 10_000;
const MAX_REASONS = 5;
/** Rows calculated between turns of the event loop (see previewImpact). */
const YIELD_EVERY = 500;

/** A person's current allocation: what the preview needs of it. */
export interface CurrentAllocation {
  id: string;
  answers: RasAnswers;
  section_117: boolean;
  annual_pence: number | string;
  team_id: string | null;
  support_reason: string;
}

/**
 * One batch of current allocations after the given allocation id, in id order. An allocation is
 * current when no later completed assessment of the same person exists (assessment sequence is
 * per person and increasing; every completed assessment has exactly one allocation).
 * Index use: allocations (partnership_id, id) for the range, the primary keys of assessments
 * and people, and assessments (person_id, sequence) for the later-assessment check.
 */
function currentAllocationsAfter(partnershipId: string, after: string | null, limit: number) {
  return sql<CurrentAllocation>`
    select al.id, al.answers, al.section_117, al.annual_pence,
           p.team_id, p.primary_support_reason as support_reason
      from allocations al
      join assessments a on a.id = al.assessment_id
      join people p on p.id = al.person_id
     where al.partnership_id = ${partnershipId}::uuid
       ${after === null ? sql`` : sql`and al.id > ${after}::uuid`}
       and not exists (
             select 1 from assessments later
              where later.person_id = a.person_id
                and later.sequence > a.sequence
                and later.status = 'completed')
     order by al.id
     limit ${limit}`;
}

/**
 * Every current allocation in the partnership, in batches of up to batchSize, each read in its
 * own short transaction under row-level security. The next batch is asked for while the caller
 * works on this one, so the database and the calculation overlap.
 */
export async function* currentAllocationBatches(
  db: Db,
  partnershipId: string,
  batchSize = DEFAULT_PREVIEW_BATCH_SIZE,
): AsyncGenerator<CurrentAllocation[]> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a whole number of at least 1');
  const read = (after: string | null) =>
    inPartnership(db, partnershipId, async (tx) => {
      const { rows } = await currentAllocationsAfter(partnershipId, after, batchSize).execute(tx);
      return rows;
    });
  let next: Promise<CurrentAllocation[]> | null = read(null);
  while (next) {
    const rows: CurrentAllocation[] = await next;
    const last = rows.at(-1);
    next = rows.length === batchSize && last ? read(last.id) : null;
    // Not left unhandled while the caller works: its error surfaces at the next await above.
    next?.catch(() => undefined);
    yield rows;
  }
}

/** Team names by id (a partnership has at most a few thousand teams). */
async function teamNames(db: Db, partnershipId: string): Promise<Map<string, string>> {
  const rows = await inPartnership(db, partnershipId, (tx) =>
    tx.selectFrom('teams').select(['id', 'name']).execute(),
  );
  return new Map(rows.map((t) => [t.id, t.name]));
}

/**
 * Recalculates every current allocation in the partnership with the candidate version and
 * summarises the change by team and by primary support reason. The old amount is the RAS figure
 * stored with the allocation (annual_pence), not any worker's override. Allocations the
 * candidate cannot score are counted in notCalculable (with up to five distinct reasons) and
 * left out of the totals; onlyInOld and onlyInNew stay empty.
 *
 * Each batch is its own short transaction, so a long preview never holds a connection (or, on
 * PGlite, the only connection) for its whole run. A person reassessed while the preview runs
 * may be counted with either allocation.
 */
export async function previewImpact(
  db: Db,
  partnershipId: string,
  candidate: RasVersion,
  options: { batchSize?: number } = {},
): Promise<ImpactPreviewResult> {
  const start = performance.now();
  const teams = await teamNames(db, partnershipId);
  const acc = createImpactAccumulator();
  const reasons = new Set<string>();
  let notCalculable = 0;
  let sinceBreak = 0;
  for await (const rows of currentAllocationBatches(db, partnershipId, options.batchSize)) {
    for (const row of rows) {
      // Let the next batch's statements go out and come back while this one is worked on.
      if (++sinceBreak === YIELD_EVERY) {
        sinceBreak = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const r = calculateIndicativeBudget(candidate, row.answers, {
        section117: row.section_117,
      });
      if (!r.ok) {
        notCalculable += 1;
        for (const m of r.messages) if (reasons.size < MAX_REASONS) reasons.add(m);
        continue;
      }
      const team = row.team_id === null ? NO_TEAM : (teams.get(row.team_id) ?? NO_TEAM);
      acc.add(team, row.support_reason, pence(Number(row.annual_pence)), r.budget.annual);
    }
  }
  return {
    ...acc.result(),
    candidate: { id: candidate.id, name: candidate.name },
    notCalculable,
    notCalculableReasons: [...reasons],
    elapsedMs: performance.now() - start,
  };
}
