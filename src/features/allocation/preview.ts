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

interface CurrentAllocationRow {
  id: string;
  answers: RasAnswers;
  section_117: boolean;
  annual_pence: number | string;
  team: string;
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
  return sql<CurrentAllocationRow>`
    select al.id, al.answers, al.section_117, al.annual_pence,
           coalesce(t.name, ${NO_TEAM}) as team, p.primary_support_reason as support_reason
      from allocations al
      join assessments a on a.id = al.assessment_id
      join people p on p.id = al.person_id
      left join teams t on t.id = p.team_id
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
  const batchSize = options.batchSize ?? DEFAULT_PREVIEW_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a whole number of at least 1');
  const acc = createImpactAccumulator();
  const reasons = new Set<string>();
  let notCalculable = 0;
  let after: string | null = null;
  for (;;) {
    const { rows } = await inPartnership(db, partnershipId, (tx) =>
      currentAllocationsAfter(partnershipId, after, batchSize).execute(tx),
    );
    for (const row of rows) {
      const r = calculateIndicativeBudget(candidate, row.answers, {
        section117: row.section_117,
      });
      if (!r.ok) {
        notCalculable += 1;
        for (const m of r.messages) if (reasons.size < MAX_REASONS) reasons.add(m);
        continue;
      }
      acc.add(row.team, row.support_reason, pence(Number(row.annual_pence)), r.budget.annual);
    }
    const last = rows.at(-1);
    if (rows.length < batchSize || !last) break;
    after = last.id;
  }
  return {
    ...acc.result(),
    candidate: { id: candidate.id, name: candidate.name },
    notCalculable,
    notCalculableReasons: [...reasons],
    elapsedMs: performance.now() - start,
  };
}
