// The set-up the monitoring page tests share: a person with a prepaid card holding account that
// was paid £100 ten days ago from the council pot, and a signed-in finance officer.
import assert from 'node:assert/strict';
import { inPartnership, type Db } from '../../platform/db/database.ts';
import { TestClient, type TestApp } from '../../../test/support/app.ts';
import { createPerson, createUser, type TestPartnership } from '../../../test/support/factories.ts';
import { ensureAccounts, post } from '../ledger/index.ts';

export async function paidCardHolder(
  db: Db,
  p: TestPartnership,
  names: { givenName: string; familyName: string },
  reference: string,
): Promise<{ personId: string; holdingKey: string; holdingId: string }> {
  const personId = (await createPerson(db, p, names)).id;
  const holdingKey = `holding:${personId}:social-care`;
  const holdingId = await inPartnership(db, p.id, async (tx) => {
    const ids = await ensureAccounts(tx, p.id, [
      { key: 'pot:council', kind: 'stream_pot', name: 'Council pot', fundingBody: 'council' },
      {
        key: holdingKey,
        kind: 'holding_account',
        name: 'Card',
        fundingBody: 'council',
        personId,
        reference,
      },
    ]);
    await post(tx, p.id, {
      idempotencyKey: 'test-payment',
      kind: 'payment',
      occurredOn: new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10),
      description: 'Payment',
      lines: [
        { accountId: ids.get(holdingKey) ?? '', amountPence: 10_000 },
        { accountId: ids.get('pot:council') ?? '', amountPence: -10_000 },
      ],
    });
    return ids.get(holdingKey) ?? '';
  });
  return { personId, holdingKey, holdingId };
}

export async function signedInFinanceOfficer(t: TestApp, p: TestPartnership): Promise<TestClient> {
  const user = await createUser(t.db, p, ['finance_officer']);
  const finance = new TestClient(t.url);
  assert.equal((await finance.signIn(user.email, user.password)).status, 303);
  return finance;
}
