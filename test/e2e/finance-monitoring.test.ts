// Browser journey for issue 5 (statements and light-touch monitoring): a finance officer imports
// a prepaid card statement, sees the report and the monitoring flags it raised, dismisses one
// with a reason and proposes a recovery for another (refused first for asking more than the card
// holds), then confirms it; axe checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPerson } from '../support/factories.ts';
import { inPartnership } from '../../src/platform/db/database.ts';
import { balanceByKey, ensureAccounts, post } from '../../src/features/ledger/index.ts';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { SignInPage } from './support/sign-in-page.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/finance-monitoring.test.ts');
});
after(() => journey.close());

const isoDaysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const ukDaysAgo = (n: number) => {
  const d = isoDaysAgo(n);
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
};

test('a finance officer imports a card statement, dismisses one flag and recovers money for another', async () => {
  const db = journey.app.db;
  const p = journey.partnership;
  const finance = await journey.user(['finance_officer'], { name: 'Fran Finance' });
  const gambler = await createPerson(db, p, { givenName: 'Gale', familyName: 'Betts' });
  const patches = await createPerson(db, p, { givenName: 'Pat', familyName: 'Nicholls' });
  const keys = {
    gambler: `holding:${gambler.id}:social-care`,
    patches: `holding:${patches.id}:social-care`,
  };
  await inPartnership(db, p.id, async (tx) => {
    const ids = await ensureAccounts(tx, p.id, [
      { key: 'pot:council', kind: 'stream_pot', name: 'Council pot', fundingBody: 'council' },
      {
        key: keys.gambler,
        kind: 'holding_account',
        name: 'Card',
        fundingBody: 'council',
        personId: gambler.id,
        reference: '5354 **** **** 1111',
      },
      {
        key: keys.patches,
        kind: 'holding_account',
        name: 'Card',
        fundingBody: 'council',
        personId: patches.id,
        reference: '5354 **** **** 2222',
      },
    ]);
    for (const key of Object.values(keys))
      await post(tx, p.id, {
        idempotencyKey: `journey-payment:${key}`,
        kind: 'payment',
        occurredOn: isoDaysAgo(20),
        description: 'Direct payment',
        lines: [
          { accountId: ids.get(key) ?? '', amountPence: 30_000 },
          { accountId: ids.get('pot:council') ?? '', amountPence: -30_000 },
        ],
      });
  });
  const statement = [
    'Transaction ID,Date,Card Number,Merchant,MCC,Amount',
    `J1,${ukDaysAgo(5)},5354 **** **** 1111,Bet365,7995,-40.00`,
    `J2,${ukDaysAgo(4)},5354 **** **** 2222,City Tobacconist,5993,-12.50`,
    `J3,${ukDaysAgo(4)},5354 **** **** 2222,Bus,4131,(2.80)`,
    `J4,31/13/2026,5354 **** **** 2222,Bad date,4131,-1.00`,
  ].join('\r\n');

  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(finance.email, finance.password);

  // Import the statement.
  await page.goto('/finance/statements');
  await checkA11y(page, 'Import a statement');
  await page.getByLabel('Prepaid card').check();
  await page.getByLabel('The statement file (CSV)').setInputFiles({
    name: 'card-statement.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(statement),
  });
  await clickAndLoad(page, page.getByRole('button', { name: 'Import the statement' }));
  await page.getByRole('heading', { name: 'Statement import: card-statement.csv' }).waitFor();
  await checkA11y(page, 'Statement imported');
  assert.match(await page.locator('main').innerText(), /Statement imported\. Monitoring checked/);
  assert.match(await page.locator('main').innerText(), /New transactions imported\s+3/);
  assert.match(await page.locator('main').innerText(), /5\s+Date: "31\/13\/2026" is not a date/);

  // The queue: two flags (raised by the same check, so neither is older).
  await clickAndLoad(page, page.getByRole('link', { name: 'See the monitoring flags' }));
  await checkA11y(page, 'Monitoring flags');
  const rows = page.locator('tbody tr');
  assert.equal(await rows.count(), 2);

  // Pat bought nicotine patches: dismissed with the reason.
  await clickAndLoad(page, page.getByRole('link', { name: /flag: .* for Pat Nicholls/ }));
  await checkA11y(page, 'A flag: tobacco');
  await page.getByText('City Tobacconist').waitFor();
  await clickAndLoad(page, page.getByRole('button', { name: 'Dismiss the flag' }));
  await checkA11y(page, 'A flag: dismissing without a reason');
  await page.getByText('Give the reason for dismissing this flag').first().waitFor();
  await page
    .getByLabel('Why no action is needed')
    .fill('Nicotine patches to stop smoking, agreed with the coordinator');
  await clickAndLoad(page, page.getByRole('button', { name: 'Dismiss the flag' }));
  assert.equal(new URL(page.url()).pathname, '/finance/monitoring');
  assert.equal(await rows.count(), 1);

  // Gale: a recovery with the written-notice details; more than the card holds is refused.
  await clickAndLoad(page, page.getByRole('link', { name: /flag: .* for Gale Betts/ }));
  await checkA11y(page, 'A flag: gambling');
  await page.getByLabel('Amount to recover').fill('260.01');
  await clickAndLoad(page, page.getByRole('button', { name: 'Propose the recovery' }));
  await checkA11y(page, 'A flag: recovery too large');
  await page.getByText('must not be more than the £260.00 in the account').first().waitFor();
  await page.getByLabel('Amount to recover').fill('40.00');
  await clickAndLoad(page, page.getByRole('button', { name: 'Propose the recovery' }));
  await checkA11y(page, 'A flag: recovery proposed');
  await page.getByText('Recovery of £40.00: proposed').waitFor();
  const notice = await page.locator('.nhsuk-card').innerText();
  assert.match(notice, /Why: Money was used for something a direct payment may never be used for/);
  assert.match(notice, /Who must repay: Gale Betts/);
  assert.match(notice, /Repay by: /);
  assert.match(notice, /Asking us to reconsider: You can ask us to look at this decision again/);
  await clickAndLoad(page, page.getByRole('button', { name: 'Confirm the recovery' }));
  assert.equal(new URL(page.url()).pathname, '/finance/monitoring');
  await page.getByText('There are no flags to look at.').waitFor();
  await checkA11y(page, 'Monitoring flags, none left');

  const balances = await inPartnership(db, p.id, (tx) =>
    balanceByKey(tx, p.id, [keys.gambler, 'recoveries:council']),
  );
  assert.equal(balances.get(keys.gambler), 30_000 - 4_000 - 4_000);
  assert.equal(balances.get('recoveries:council'), 4_000);

  // The import's report again, from the list, with its bad row to download.
  await page.goto('/finance/statements');
  await clickAndLoad(page, page.getByRole('link', { name: 'card-statement.csv' }));
  await checkA11y(page, 'An earlier statement import');
  assert.match(await page.locator('main').innerText(), /Result\s+Imported/);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /Download the rows that could not be imported/ }).click();
  const csv = await (await download).createReadStream();
  let text = '';
  for await (const chunk of csv) text += String(chunk);
  assert.match(text, /^line,problem\r\n5,"?Date: ""?31\/13\/2026""? is not a date/);

  // The ledger, from the header: the trial balance agrees, and the recovery is on it.
  await clickAndLoad(page, page.getByRole('link', { name: 'Ledger', exact: true }));
  await checkA11y(page, 'Ledger');
  const ledger = await page.locator('main').innerText();
  assert.match(ledger, /Debits and credits agree/);
  assert.match(ledger, /Recoveries/);
  await page.getByText('Postings between two days').click();
  await page.getByRole('button', { name: 'Show the ledger' }).waitFor();
  await checkA11y(page, 'Ledger, postings between two days open');
  const postings = page.waitForEvent('download');
  await page.getByRole('link', { name: /Every posting from/ }).click();
  let posted = '';
  for await (const chunk of await (await postings).createReadStream()) posted += String(chunk);
  assert.match(posted, /^occurred_on,transaction_id,posting_key,transaction_kind,/);
  assert.match(posted, /,recovery,/);
});
