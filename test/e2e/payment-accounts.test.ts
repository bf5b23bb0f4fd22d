// Browser journey: a finance officer goes from a person's Budget panel to the payee and account
// details, records a bank account (a bad sort code is refused on the page first), and sees it
// masked to its last 4 digits on a payment run. axe checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { SignInPage } from './support/sign-in-page.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
} from '../../src/features/budgets/fixtures.int-support.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/payment-accounts.test.ts');
});
after(() => journey.close());

test('a finance officer records a bank account; the run shows it masked', async () => {
  const p = journey.partnership;
  const fran = await journey.user(['finance_officer'], { name: 'Fran Finance' });
  const x = await personWithApprovedPlan(
    journey.app.db,
    { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId },
    {
      familyName: 'Adeyemi',
      document: doc({
        startsOn: '2025-04-01',
        streams: [
          {
            id: 'social-care',
            name: 'Council social care',
            body: 'council',
            holding: 'direct_payment',
          },
        ],
        items: [paItem('pa', 'social-care', 7_000)],
      }),
    },
  );
  await makeBudgets(journey.app.db, p.id, x);

  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(fran.email, fran.password);
  await page.goto(`/people/${x.person.id}`);
  await clickAndLoad(page, page.getByRole('link', { name: 'Payee and account details' }));
  assert.match(await page.locator('main').innerText(), /No bank or card details recorded/);
  await checkA11y(page, 'Payee and account details');
  await clickAndLoad(page, page.getByRole('link', { name: /Record the payee and account/ }));
  await checkA11y(page, 'Record the payee and account');

  await page.getByLabel('UK bank account').check();
  await page.getByLabel('Sort code').fill('30-94-5');
  await page.getByLabel('Account number').fill('00733445');
  await clickAndLoad(page, page.getByRole('button', { name: 'Save the payee and account' }));
  assert.match(await page.title(), /^Error: /);
  assert.equal(await page.getByLabel('Account number').inputValue(), '00733445');
  await checkA11y(page, 'Record the payee and account with an error');
  await page.getByLabel('Sort code').fill('30-94-57');
  await clickAndLoad(page, page.getByRole('button', { name: 'Save the payee and account' }));
  const saved = await page.locator('main').innerText();
  assert.match(saved, /sort code 30-94-57, account number 00733445/);
  await checkA11y(page, 'Payee and account details recorded');

  await page.goto('/payments');
  await page.getByLabel('Day').fill('30');
  await page.getByLabel('Month').fill('4');
  await page.getByLabel('Year').fill('2025');
  await clickAndLoad(page, page.getByRole('button', { name: 'Prepare the payment run' }));
  const run = await page.locator('main').innerText();
  assert.match(run, /\*\*-\*\*-\*\* \*\*\*\*3445/);
  assert.doesNotMatch(run, /00733445/);
  await checkA11y(page, 'Payment run with a masked bank account');
});
