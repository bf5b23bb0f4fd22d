// Browser journey through administration, the audit and reports, with axe on every page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { SignInPage } from './support/sign-in-page.ts';
import { createPerson } from '../support/factories.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/admin-oversight.test.ts');
});
after(() => journey.close());

const path = (page: Page) => new URL(page.url()).pathname;

async function visit(page: Page, to: string, label: string): Promise<void> {
  const response = await page.goto(to);
  assert.equal(response?.status(), 200, to);
  await checkA11y(page, label);
}

test('an administrator adds a user, gives roles, adds a team and an API client', async () => {
  const admin = await journey.user(['partnership_admin'], { name: 'Ada Admin' });
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(admin.email, admin.password);
  assert.equal(path(page), '/admin');
  await checkA11y(page, 'Administration');

  await visit(page, '/admin/users', 'Users');
  await visit(page, '/admin/users/new', 'Add a user');
  await page.getByLabel('Full name').fill('Bryn Browser');
  await clickAndLoad(page, page.getByRole('button', { name: 'Add user' }));
  assert.match(await page.title(), /^Error: /);
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Bryn Browser');
  await checkA11y(page, 'Add a user with an error');
  await page.getByLabel('Email address').fill('bryn@example.org');
  await page.getByLabel('Care coordinator').check();
  await clickAndLoad(page, page.getByRole('button', { name: 'Add user' }));
  assert.match(await page.locator('h1').innerText(), /Bryn Browser has been added/);
  await checkA11y(page, 'User added, temporary password shown');
  await clickAndLoad(page, page.getByRole('link', { name: 'Go to their account' }));
  await checkA11y(page, 'A user');
  await clickAndLoad(page, page.getByRole('link', { name: /Change name, organisation/ }));
  await checkA11y(page, 'Change a user');
  await page.getByLabel('Team manager').check();
  await clickAndLoad(page, page.getByRole('button', { name: 'Save changes' }));
  assert.match(await page.locator('main').innerText(), /Care coordinator, Team manager/);
  await clickAndLoad(page, page.getByRole('link', { name: 'Set a new temporary password' }));
  await checkA11y(page, 'Set a new password');

  await visit(page, '/admin/teams', 'Teams');
  await visit(page, '/admin/teams/new', 'Add a team');
  await page.getByLabel('Team name').fill('Early Intervention');
  await page.getByLabel('Organisation').selectOption({ index: 1 });
  await clickAndLoad(page, page.getByRole('button', { name: 'Add team' }));
  assert.equal(await page.locator('h1').innerText(), 'Early Intervention');
  await checkA11y(page, 'A team');

  await visit(page, '/admin/organisations', 'Organisations');
  await visit(page, '/admin/organisations/new', 'Add an organisation');

  await visit(page, '/admin/api-clients/new', 'Add an API client');
  await page.getByLabel('Name').fill('Trust EPR');
  await page.getByLabel(/Read people/).check();
  await clickAndLoad(page, page.getByRole('button', { name: 'Add API client' }));
  assert.match(await page.locator('[data-api-token]').innerText(), /^pooled_/);
  await checkA11y(page, 'API client token shown');
  await visit(page, '/admin/api-clients', 'API clients');
});

test('a manager reads the audit; a commissioner reads the reports', async () => {
  const person = await createPerson(journey.app.db, journey.partnership, {
    givenName: 'Wren',
    familyName: 'Audited',
  });
  const manager = await journey.user(['team_manager']);
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(manager.email, manager.password);
  await visit(page, '/audit', 'Audit');
  const bad = await page.goto('/audit?from=2026-02-30');
  assert.equal(bad?.status(), 400);
  await checkA11y(page, 'Audit with a bad filter');
  await visit(page, `/people/${person.id}/access-log`, 'Who has looked at this record');

  const commissioner = await journey.user(['commissioner']);
  const other = await journey.newPage();
  await (await new SignInPage(other).open()).signIn(commissioner.email, commissioner.password);
  assert.equal(path(other), '/reports');
  await checkA11y(other, 'Reports');
  assert.doesNotMatch(await other.locator('main').innerText(), /Wren|Audited/);
});
