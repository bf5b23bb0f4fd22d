// Browser journeys: signing in, a wrong password, signing out. Axe checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { headingOf, SignInPage } from './support/sign-in-page.ts';
import { CaseloadPage } from './support/caseload-page.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/sign-in.test.ts');
});
after(() => journey.close());

test('a care coordinator signs in and lands on their caseload', async () => {
  const coordinator = await journey.user(['care_coordinator'], { name: 'Casey Coordinator' });
  const page = await journey.newPage();
  const signIn = await new SignInPage(page).open();
  await signIn.signIn(coordinator.email, coordinator.password);

  assert.equal(new URL(page.url()).pathname, '/caseload');
  const caseload = new CaseloadPage(page);
  await caseload.check();
  assert.equal(await headingOf(page), 'Your caseload');
  assert.equal(await caseload.currentNavigationItem(), 'My caseload');
  assert.match(await page.locator('header').innerText(), /Casey Coordinator/);

  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'pooled_session');
  assert.ok(session, 'the session cookie is kept by the browser');
  assert.equal(session.secure, true);
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
});

test('a wrong password shows the error summary, keeps the email and links to the field', async () => {
  const coordinator = await journey.user(['care_coordinator']);
  const page = await journey.newPage();
  const signIn = await new SignInPage(page).open();
  await signIn.signIn(coordinator.email, 'not-the-password');

  assert.equal(new URL(page.url()).pathname, '/sign-in');
  assert.match(await page.title(), /^Error: /);
  const summary = signIn.errorSummary();
  assert.match(await summary.innerText(), /There is a problem/);
  assert.match(await summary.innerText(), /The email address or password is not right/);
  assert.equal(await signIn.emailField().inputValue(), coordinator.email);
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
  await checkA11y(page, 'Sign in with an error');

  // nhsuk-frontend moves focus to the summary so screen readers announce it first.
  await page.locator('.nhsuk-error-summary:focus').waitFor();
  // The summary's link takes you to the field to fix.
  await summary.getByRole('link', { name: 'The email address or password is not right' }).click();
  await page.locator('#email:focus').waitFor();

  // Then the right password works.
  await signIn.signIn(coordinator.email, coordinator.password);
  assert.equal(new URL(page.url()).pathname, '/caseload');
});

test('an empty form says what to enter', async () => {
  const page = await journey.newPage();
  const signIn = await new SignInPage(page).open();
  await signIn.signIn('', '');
  const text = await signIn.errorSummary().innerText();
  assert.match(text, /Enter your email address/);
  assert.match(text, /Enter your password/);
  await checkA11y(page, 'Sign in with empty fields');
});

test('signing out ends the session', async () => {
  const coordinator = await journey.user(['care_coordinator']);
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(coordinator.email, coordinator.password);
  await clickAndLoad(page, page.getByRole('button', { name: 'Sign out' }));
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await checkA11y(page, 'Signed out');
  await page.goto('/caseload');
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'the caseload now asks you to sign in');
});
