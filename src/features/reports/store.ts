// Aggregate SQL for the commissioner's first page: counts only, never a row about one person.
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { CivilDate } from '../../platform/dates.js';
import type { SummaryCounts } from './rules.js';

export async function summaryCounts(tx: Tx, today: CivilDate): Promise<SummaryCounts> {
  const total = await tx
    .selectFrom('people')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const bySupportReason = await tx
    .selectFrom('people')
    .select(['primary_support_reason as label', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('primary_support_reason')
    .orderBy('primary_support_reason')
    .execute();
  const byTeam = await tx
    .selectFrom('people as p')
    .leftJoin('teams as t', 't.id', 'p.team_id')
    .select([
      sql<string>`coalesce(t.name, 'No team')`.as('label'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .groupBy('t.name')
    .orderBy('t.name')
    .execute();
  const s117 = await tx
    .selectFrom('people')
    .select([
      sql<boolean>`s117_section is not null`.as('yes'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .groupBy(sql`s117_section is not null`)
    .execute();
  const consenting = await tx
    .selectFrom('people as p')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('consents as c')
          .select('c.id')
          .whereRef('c.person_id', '=', 'p.id')
          .where('c.given_on', '<=', today)
          .where((eb) =>
            eb.or([eb('c.withdrawn_on', 'is', null), eb('c.withdrawn_on', '>', today)]),
          ),
      ),
    )
    .executeTakeFirstOrThrow();
  const n = (v: string | number | bigint) => Number(v);
  const all = n(total.n);
  const s117Yes = n(s117.find((r) => r.yes)?.n ?? 0);
  const consentYes = n(consenting.n);
  return {
    total: all,
    bySupportReason: bySupportReason.map((r) => ({ label: r.label, count: n(r.n) })),
    byTeam: byTeam.map((r) => ({ label: r.label, count: n(r.n) })),
    section117: [
      { label: 'Entitled to section 117 after-care', count: s117Yes },
      { label: 'Not recorded as entitled', count: all - s117Yes },
    ],
    consent: [
      { label: 'Current consent recorded', count: consentYes },
      { label: 'No current consent recorded', count: all - consentYes },
    ],
  };
}
