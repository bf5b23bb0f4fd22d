// For the ledger's tests: a small world of accounts (two funding streams, each with a pot, a
// person's budget, a holding account, spending and recoveries) and posting shorthands. Not used
// by the app itself.
import { randomUUID } from 'node:crypto';
import type { AccountSpec, PostingInput, PostingLine } from './rules.js';

/** The accounts of one small world: two streams (council, NHS), each with a budget and holding. */
export function worldSpecs(person: string): AccountSpec[] {
  const budgets = [randomUUID(), randomUUID()];
  return [
    { key: 'pot:council', kind: 'stream_pot', name: 'Council pot', fundingBody: 'council' },
    { key: 'pot:nhs', kind: 'stream_pot', name: 'NHS pot', fundingBody: 'nhs' },
    ...budgets.map((id, i): AccountSpec => ({
      key: `budget:${id}`,
      kind: 'person_budget',
      name: `Budget ${String(i)}`,
      fundingBody: i === 0 ? 'council' : 'nhs',
      personId: person,
      budgetId: id,
    })),
    ...[0, 1].map((i): AccountSpec => ({
      key: `holding:${person}:stream-${String(i)}`,
      kind: 'holding_account',
      name: `Prepaid card ${String(i)}`,
      personId: person,
      reference: `CARD-${String(i)}`,
    })),
    { key: 'spending:council', kind: 'spending', name: 'Spent', fundingBody: 'council' },
    { key: 'spending:nhs', kind: 'spending', name: 'Spent', fundingBody: 'nhs' },
    { key: 'recoveries:council', kind: 'recoveries', name: 'Recovered', fundingBody: 'council' },
    { key: 'recoveries:nhs', kind: 'recoveries', name: 'Recovered', fundingBody: 'nhs' },
  ];
}

export interface Stream {
  pot: string;
  budget: string;
  holding: string;
  spending: string;
  recoveries: string;
}
export function streamsOf(specs: AccountSpec[], ids: Map<string, string>): [Stream, Stream] {
  const id = (key: string | undefined) => {
    const v = key === undefined ? undefined : ids.get(key);
    if (!v) throw new Error(`no account ${String(key)}`);
    return v;
  };
  const stream = (i: 0 | 1, body: 'council' | 'nhs'): Stream => ({
    pot: id(`pot:${body}`),
    budget: id(specs[2 + i]?.key),
    holding: id(specs[4 + i]?.key),
    spending: id(`spending:${body}`),
    recoveries: id(`recoveries:${body}`),
  });
  return [stream(0, 'council'), stream(1, 'nhs')];
}

export const lines = (...pairs: [string, number][]): PostingLine[] =>
  pairs.map(([accountId, amountPence]) => ({ accountId, amountPence }));
export const posting = (
  key: string,
  l: PostingLine[],
  kind: PostingInput['kind'] = 'allocation',
): PostingInput => ({
  idempotencyKey: key,
  kind,
  occurredOn: '2027-04-01',
  description: `Posting ${key}`,
  lines: l,
});
