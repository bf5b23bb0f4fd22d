// Browser journey for issue 5 (payment runs): a finance officer prepares a payment run (a date
// with nothing due is refused on the page first), cannot approve her own run; a second finance
// officer checks the preview, approves and pays it and downloads the payment file; the person's
// page shows the Budget panel, where a provider invoice is recorded against a commitment. axe
// checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { SignInPage } from './support/sign-in-page.ts';
import {
  doc,
  makeBudgets,
  paItem,
  personWithApprovedPlan,
  providerItem,
} from '../../src/features/budgets/fixtures.int-support.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/payment-run.test.ts');
});
after(() => journey.close());

async function fillDate(page: Page, day: string, month: string, year: string): Promise<void> {
  await page.getByLabel('Day').fill(day);
  await page.getByLabel('Month').fill(month);
  await page.getByLabel('Year').fill(year);
}

test('a payment run is prepared by one finance officer and approved and paid by another', async () => {
  const p = journey.partnership;
  const fran = await journey.user(['finance_officer'], { name: 'Fran Finance' });
  const bo = await journey.user(['finance_officer'], { name: 'Bo Books' });
  const x = await personWithApprovedPlan(
    journey.app.db,
    { partnershipId: p.id, teamId: p.teamId, trustId: p.trustId },
    {
      familyName: 'Okafor',
      document: doc({
        startsOn: '2025-04-01',
        streams: [
          { id: 'social-care', name: 'Council social care', body: 'council', holding: 'mixed' },
        ],
        items: [
          paItem('pa', 'social-care', 7_000),
          providerItem('agency', 'social-care', 3_500, 'Good Care Ltd'),
        ],
      }),
    },
  );
  await makeBudgets(journey.app.db, p.id, x);

  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(fran.email, fran.password);
  await page.goto('/payments');
  await checkA11y(page, 'Payment runs');
  await fillDate(page, '1', '1', '2025');
  await clickAndLoad(page, page.getByRole('button', { name: 'Prepare the payment run' }));
  assert.match(await page.title(), /^Error: /);
  await checkA11y(page, 'Payment runs with nothing due');
  await fillDate(page, '30', '4', '2025');
  await clickAndLoad(page, page.getByRole('button', { name: 'Prepare the payment run' }));
  assert.match(page.url(), /\/payments\/[0-9a-f-]{36}$/);
  const runUrl = new URL(page.url()).pathname;
  assert.match(await page.locator('main').innerText(), /You prepared this run/);
  assert.equal(await page.getByRole('button', { name: 'Approve and pay' }).count(), 0);
  await checkA11y(page, 'Payment run preview (preparer)');

  const other = await journey.newPage();
  await (await new SignInPage(other).open()).signIn(bo.email, bo.password);
  await other.goto(runUrl);
  const preview = await other.locator('main').innerText();
  // Periods 1 and 2 (1 and 29 April): £280 each to the personal assistant.
  assert.match(preview, /2 payments, £560\.00/);
  assert.match(preview, /Sam Okafor/);
  await checkA11y(other, 'Payment run preview (approver)');
  await clickAndLoad(other, other.getByRole('button', { name: 'Approve and pay' }));
  assert.match(await other.locator('main').innerText(), /approved and 2 payments are posted/);
  await checkA11y(other, 'Payment run paid');
  const [download] = await Promise.all([
    other.waitForEvent('download'),
    other.getByRole('link', { name: /Download the payment file/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^payment-run-2025-04-30-[0-9a-f]{8}\.csv$/);

  await other.goto(`/people/${x.person.id}`);
  const person = await other.locator('main').innerText();
  assert.match(person, /Budget/);
  assert.match(person, /Good Care Ltd/);
  await checkA11y(other, "Person's page with the Budget panel");

  // A provider invoice against the agency's commitment, then the financial assessment page.
  await clickAndLoad(other, other.getByRole('link', { name: /Record an invoice/ }));
  await checkA11y(other, 'Record a provider invoice');
  await other.getByLabel('Invoice number').fill('GC-0425');
  await other.getByLabel('Day').fill('30');
  await other.getByLabel('Month').fill('4');
  await other.getByLabel('Year').fill('2025');
  await other.getByLabel('Amount').fill('9999');
  await clickAndLoad(other, other.getByRole('button', { name: 'Record the invoice' }));
  assert.match(await other.title(), /^Error: /);
  await checkA11y(other, 'Record a provider invoice with an error');
  await other.getByLabel('Amount').fill('140.00');
  await clickAndLoad(other, other.getByRole('button', { name: 'Record the invoice' }));
  assert.match(await other.locator('main').innerText(), /The invoice is recorded/);
  await clickAndLoad(
    other,
    other.getByRole('link', { name: 'Financial assessment (client contribution)' }),
  );
  await checkA11y(other, 'Financial assessment');
});
