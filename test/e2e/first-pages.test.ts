// Browser journeys: each role's first page after signing in, what a commissioner is refused,
// and the pages anyone can reach (404, accessibility statement). Axe checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Role } from '../../src/platform/auth/roles.ts';
import { createPerson } from '../support/factories.ts';
import { checkA11y } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { headingOf, SignInPage } from './support/sign-in-page.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/first-pages.test.ts');
});
after(() => journey.close());

const path = (url: string) => new URL(url).pathname;

const FIRST_PAGES: { role: Role; path: string; heading: RegExp }[] = [
  { role: 'care_coordinator', path: '/caseload', heading: /^Your caseload$/ },
  { role: 'team_manager', path: '/team', heading: /^Team caseload$/ },
  { role: 'partnership_admin', path: '/admin', heading: /^Administration$/ },
  { role: 'commissioner', path: '/reports', heading: /^Reports$/ },
  { role: 'finance_officer', path: '/finance/monitoring', heading: /^Monitoring flags$/ },
  { role: 'budget_holder', path: '/', heading: /^Welcome, / },
];

for (const first of FIRST_PAGES) {
  test(`a ${first.role.replace('_', ' ')} signs in and lands on ${first.path}`, async () => {
    const user = await journey.user([first.role]);
    const page = await journey.newPage();
    await (await new SignInPage(page).open()).signIn(user.email, user.password);
    assert.equal(path(page.url()), first.path);
    assert.match(await headingOf(page), first.heading);
    await checkA11y(page, `First page for ${first.role}`);
  });
}

test('a commissioner is refused a person’s record, with no emergency access offered', async () => {
  const person = await createPerson(journey.app.db, journey.partnership, {
    givenName: 'Idris',
    familyName: 'Vantongeren',
  });
  const commissioner = await journey.user(['commissioner']);
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(commissioner.email, commissioner.password);
  const response = await page.goto(`/people/${person.id}`);
  assert.equal(response?.status(), 403);
  const main = await page.locator('main').innerText();
  assert.doesNotMatch(main, /Vantongeren/);
  assert.equal(
    await page.getByRole('link', { name: 'Get emergency access to this record' }).count(),
    0,
  );
  await checkA11y(page, 'Refused (403) for a commissioner');
});

test('an unknown page shows the 404 page, and the accessibility statement is open to all', async () => {
  const page = await journey.newPage();
  const response = await page.goto('/no-such-page');
  assert.equal(response?.status(), 404);
  assert.equal(await headingOf(page), 'Page not found');
  await checkA11y(page, 'Page not found (404)');

  await page.goto('/accessibility');
  assert.equal(await headingOf(page), 'Accessibility statement');
  await checkA11y(page, 'Accessibility statement');
});
