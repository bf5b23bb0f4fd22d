// Browser journey for issue 4's sign-off and reviews: a team manager finds a plan in the sign-off
// queue, is told what is missing when refusing without reasons, approves it, then finds its first
// review in the team's list, records it, and asks for an unplanned review. Axe checks every page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { publishRas, TEST_PASSWORD, type TestUser } from '../support/factories.ts';
import { ctxFor, submittedPlan } from '../support/submitted-plans.ts';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { headingOf, SignInPage } from './support/sign-in-page.ts';

let journey: Journey;
let coordinator: TestUser;
let manager: TestUser;
let plan: { planId: string; personId: string };
before(async () => {
  journey = await startJourney('test/e2e/sign-off-reviews.test.ts');
  const p = journey.partnership;
  const rasId = await publishRas(journey.app.db, p.id);
  coordinator = await journey.user(['care_coordinator'], { name: 'Casey Coordinator' });
  manager = await journey.user(['team_manager'], { name: 'Morgan Manager' });
  plan = await submittedPlan(journey.app.db, p, {
    rasId,
    coordinatorId: coordinator.id,
    author: ctxFor(p, coordinator, ['care_coordinator']),
    overWeeklyPence: 3_000,
    givenName: 'Rowan',
  });
});
after(() => journey.close());

const path = (url: string) => new URL(url).pathname;

test('a team manager signs off a plan from the queue, then records its first review', async () => {
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(manager.email, TEST_PASSWORD);

  await clickAndLoad(page, page.locator('header').getByRole('link', { name: 'Sign-off' }));
  assert.equal(path(page.url()), '/sign-off');
  await checkA11y(page, 'Sign-off queue');
  await clickAndLoad(page, page.getByRole('link', { name: /Decide on the plan for Rowan/ }));
  assert.equal(await headingOf(page), 'Sign off the support plan');
  await checkA11y(page, 'Decision');

  await page.getByLabel('Refuse the plan').check();
  await clickAndLoad(page, page.getByRole('button', { name: 'Record the decision' }));
  assert.match(
    await page.locator('.nhsuk-error-summary').innerText(),
    /Give the reasons for refusing/,
  );
  await checkA11y(page, 'Decision with errors');

  await page.getByLabel('Approve the plan').check();
  await clickAndLoad(page, page.getByRole('button', { name: 'Record the decision' }));
  assert.equal(path(page.url()), `/plans/${plan.planId}`);

  await page.goto('/reviews?show=90');
  await checkA11y(page, 'Reviews due');
  await clickAndLoad(page, page.getByRole('link', { name: /Record the review for Rowan/ }));
  assert.equal(await headingOf(page), 'Record a review');
  await checkA11y(page, 'Record a review');
  await clickAndLoad(page, page.getByRole('button', { name: 'Complete the review' }));
  await checkA11y(page, 'Record a review with errors');

  await page
    .getByRole('group', { name: 'I want to sing in a choir again' })
    .getByLabel('Fully achieved')
    .check();
  await page
    .getByLabel('What does the person say about their support?')
    .fill('Choir every week now.');
  await page
    .getByRole('group', { name: /still enough/ })
    .getByLabel('Yes')
    .check();
  await page
    .getByRole('group', { name: /used as agreed/ })
    .getByLabel('Yes')
    .check();
  await page
    .getByRole('group', { name: /need to change/ })
    .getByLabel('No')
    .check();
  await clickAndLoad(page, page.getByRole('button', { name: 'Complete the review' }));
  assert.equal(await headingOf(page), 'Review');
  assert.match(await page.locator('main').innerText(), /The review is recorded/);
  await checkA11y(page, 'Completed review');

  await page.goto(`/people/${plan.personId}/reviews/new`);
  await checkA11y(page, 'Unplanned review');
  await page.getByLabel('A safeguarding concern').check();
  await page.getByLabel('What has happened?').fill('A neighbour raised a concern.');
  await clickAndLoad(page, page.getByRole('button', { name: 'Add the review' }));
  assert.match(await page.locator('main').innerText(), /Unplanned review added/);
  await checkA11y(page, 'Unplanned review added');
});
