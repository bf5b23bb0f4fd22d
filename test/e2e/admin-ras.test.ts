// Browser journey: an administrator makes a new RAS version, meets a refusal with everything
// kept, saves the draft, reads its impact preview on current budgets and publishes it. Axe on
// every page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { SignInPage } from './support/sign-in-page.ts';
import { createPerson, publishRas } from '../support/factories.ts';
import { createCompletedAssessment } from '../support/assessments.ts';
import { DEMO_RAS, rasVersionSchema } from '../../src/features/allocation/index.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/admin-ras.test.ts');
});
after(() => journey.close());

test('an administrator makes, previews and publishes a new RAS version', async () => {
  const p = journey.partnership;
  const db = journey.app.db;
  const demo = rasVersionSchema.parse(DEMO_RAS);
  const demoId = await publishRas(db, p.id);
  for (const level of ['some', 'lots']) {
    const person = await createPerson(db, p);
    await createCompletedAssessment(db, {
      partnershipId: p.id,
      personId: person.id,
      rasVersionId: demoId,
      rasAnswers: Object.fromEntries(
        demo.questions.map((q) => [
          q.id,
          q.answers.find((a) => a.id === level)?.id ??
            q.answers.find((a) => a.points === 0)?.id ??
            '',
        ]),
      ),
    });
  }

  const admin = await journey.user(['partnership_admin']);
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(admin.email, admin.password);
  await clickAndLoad(page, page.getByRole('link', { name: 'Resource allocation (RAS)' }));
  assert.equal(await page.locator('h1').innerText(), 'Resource allocation (RAS)');
  await checkA11y(page, 'RAS versions');

  await clickAndLoad(page, page.getByRole('button', { name: 'Make a new version' }));
  await checkA11y(page, 'New RAS version');
  await page.getByLabel('Name', { exact: true }).fill('Adult mental health RAS 2027');
  await page.getByRole('textbox', { name: 'Price per point' }).fill('400');
  await page.getByLabel('Funding stream 1 share').fill('70');
  await clickAndLoad(page, page.getByRole('button', { name: 'Save draft' }));
  assert.match(await page.title(), /^Error: /);
  assert.match(
    await page.locator('.nhsuk-error-summary').innerText(),
    /must add up to exactly 100%, but they add up to 110%/,
  );
  assert.equal(
    await page.getByLabel('Name', { exact: true }).inputValue(),
    'Adult mental health RAS 2027',
  );
  assert.equal(await page.getByRole('textbox', { name: 'Price per point' }).inputValue(), '400');
  await checkA11y(page, 'New RAS version with an error');

  await page.getByLabel('Funding stream 1 share').fill('60');
  await clickAndLoad(page, page.getByRole('button', { name: 'Save draft' }));
  assert.equal(await page.locator('h1').innerText(), 'Adult mental health RAS 2027');
  const main = await page.locator('main').innerText();
  assert.match(main, /Impact on current budgets/);
  assert.match(main, /Everyone compared \(2 people\)/);
  assert.match(main, /Go up\s+2/);
  await checkA11y(page, 'RAS draft with its impact preview');

  await clickAndLoad(page, page.getByRole('link', { name: 'Change this draft' }));
  await checkA11y(page, 'Change a RAS draft');
  assert.equal(await page.getByLabel('Version ID').inputValue(), 'demo-adult-mental-health-v2');
  await page.goBack();

  await clickAndLoad(page, page.getByRole('button', { name: 'Publish this version' }));
  await checkA11y(page, 'Publish a RAS version');
  await clickAndLoad(page, page.getByRole('button', { name: 'Publish this version' }));
  assert.match(await page.locator('main').innerText(), /has been published/);
  await checkA11y(page, 'A published RAS version');
  const refused = await page.goto(`${new URL(page.url()).pathname}/edit`);
  assert.equal(refused?.status(), 409);
  assert.match(await page.locator('main').innerText(), /Make a new version instead/);
  await checkA11y(page, 'A published RAS version cannot be changed');
  await page.goBack();

  await clickAndLoad(page, page.getByRole('link', { name: 'Back' }));
  assert.match(
    await page.locator('main').innerText(),
    /The version in use today is Adult mental health RAS 2027/,
  );
});
