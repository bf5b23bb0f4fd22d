// Browser journey for issue 4: a care coordinator writes a support plan with an item over the
// indicative budget; the plan check asks why; once justified it is routed to a team manager,
// who approves it from the sign-off queue; the person's agreement is recorded; and the care
// plan's first review appears on the team's list, due eight weeks after sign-off. Axe checks
// every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createPerson, publishRas } from '../support/factories.ts';
import { createCompletedAssessment } from '../support/assessments.ts';
import { DEMO_RAS, rasVersionSchema } from '../../src/features/allocation/index.ts';
import { formatCivilDate, todayInLondon } from '../../src/platform/dates.ts';
import { addDays } from '../../src/features/reviews/rules.ts';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { SignInPage } from './support/sign-in-page.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/support-plan.test.ts');
});
after(() => journey.close());

const path = (url: string) => new URL(url).pathname;
const save = (page: Page) =>
  clickAndLoad(page, page.getByRole('button', { name: 'Save', exact: true }));

test('a plan over budget goes to a team manager, is approved, agreed, and its first review is on the team’s list', async () => {
  const db = journey.app.db;
  const p = journey.partnership;
  const rasId = await publishRas(db, p.id);
  const coordinator = await journey.user(['care_coordinator'], { name: 'Cass Coordinator' });
  const manager = await journey.user(['team_manager'], { name: 'Mo Manager' });
  const person = await createPerson(db, p, {
    givenName: 'Ines',
    familyName: 'Okonkwo-Hart',
    coordinatorId: coordinator.id,
  });
  const ras = rasVersionSchema.parse(DEMO_RAS);
  const answers = Object.fromEntries(ras.questions.map((q) => [q.id, q.answers[1]?.id ?? '']));
  const { budget } = await createCompletedAssessment(db, {
    partnershipId: p.id,
    personId: person.id,
    rasVersionId: rasId,
    rasAnswers: answers,
  });

  // The coordinator starts the plan from the person's record.
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn(coordinator.email, coordinator.password);
  await page.goto(`/people/${person.id}`);
  await clickAndLoad(page, page.getByRole('button', { name: 'Start a support plan' }));
  assert.match(path(page.url()), /^\/plans\/[0-9a-f-]{36}$/);
  const planPath = path(page.url());
  await checkA11y(page, 'Support plan, new');

  // An outcome in the person's own words.
  await clickAndLoad(page, page.getByRole('link', { name: 'Add an outcome' }));
  await checkA11y(page, 'Add an outcome');
  await page
    .getByLabel("The outcome, in the person's own words")
    .fill('I want to sing in a choir again');
  await save(page);
  assert.equal(path(page.url()), planPath);

  // An item costing more than the whole weekly budget.
  await clickAndLoad(page, page.getByRole('link', { name: 'Add an item' }));
  await checkA11y(page, 'Add an item');
  await page.getByLabel('What the money is for').fill('Personal assistant for choir and travel');
  await page.getByLabel('Category').selectOption({ label: 'Personal assistant' });
  await page
    .getByRole('group', { name: 'Who provides it?' })
    .getByLabel('A personal assistant the person employs')
    .check();
  await page.getByLabel('Name of the provider or personal assistant').fill('Robin Ashby');
  await page
    .getByRole('group', { name: /close relative living in the same household/ })
    .getByLabel('No')
    .check();
  const weeklyPounds = ((budget.weekly + 5_000) / 100).toFixed(2);
  await page.getByLabel('Cost of one unit, in pounds').fill(weeklyPounds);
  await page.getByLabel('How many units each time').fill('1');
  await page.getByLabel('How often').fill('weekly');
  const firstStream = budget.streams[0];
  assert.ok(firstStream);
  await page
    .getByRole('group', { name: 'Which funding stream pays for it?' })
    .getByLabel(firstStream.name)
    .check();
  await page
    .getByRole('group', { name: 'Which outcomes does it help with?' })
    .getByLabel('I want to sing in a choir again')
    .check();
  await save(page);
  assert.equal(path(page.url()), planPath);

  // The plan check: over budget, and the NHS direct payment needs its procedure.
  const check = await page.locator('main').innerText();
  assert.match(check, /over/i);
  assert.match(check, /say why the extra is needed/);
  await checkA11y(page, 'Support plan with problems');
  await clickAndLoad(page, page.getByRole('link', { name: /say why the extra is needed/ }).first());
  await page
    .getByLabel('Why the plan costs more than the indicative budget')
    .fill('Choir is in the evening, when PA rates are higher.');
  await checkA11y(page, 'Budget and start');
  await save(page);
  if (await page.getByRole('link', { name: /Add the risk-management procedure/ }).count()) {
    await clickAndLoad(
      page,
      page.getByRole('link', { name: /Add the risk-management procedure/ }).first(),
    );
    await checkA11y(page, 'Risk-management procedure');
    await page
      .getByLabel('The procedure')
      .fill('If Robin cannot come, Ines calls the agency on the number in her crisis plan.');
    await page.getByRole('group', { name: 'Explaining the risks' }).getByRole('checkbox').check();
    await page.getByLabel('Who it was agreed with').fill('Ines, Cass Coordinator');
    await page.getByLabel('Date agreed').fill(todayInLondon());
    await save(page);
  }
  assert.equal(path(page.url()), planPath);

  // Submit: routed to a team manager.
  await clickAndLoad(page, page.getByRole('button', { name: 'Submit for sign-off' }));
  const submitted = await page.locator('main').innerText();
  assert.match(submitted, /team manager/i);
  await checkA11y(page, 'Support plan submitted');

  // The team manager approves it from the sign-off queue.
  const mpage = await journey.newPage();
  await (await new SignInPage(mpage).open()).signIn(manager.email, manager.password);
  await mpage.goto('/sign-off');
  await checkA11y(mpage, 'Sign-off queue');
  assert.match(await mpage.locator('main').innerText(), /Ines Okonkwo-Hart/);
  await clickAndLoad(mpage, mpage.getByRole('link', { name: /Ines Okonkwo-Hart/ }).first());
  if (!path(mpage.url()).endsWith('/decision')) await mpage.goto(`${planPath}/decision`);
  await checkA11y(mpage, 'Sign-off decision');
  await mpage.getByRole('radio', { name: 'Approve the plan' }).check();
  await clickAndLoad(mpage, mpage.getByRole('button', { name: 'Record the decision' }));
  assert.equal(path(mpage.url()), planPath);
  assert.match(await mpage.locator('main').innerText(), /approved/i);

  // The coordinator records the person's agreement.
  await page.goto(planPath);
  await page.getByLabel('How did they agree?').fill('Ines said yes at home, with her sister there');
  await page.getByLabel('Recorded by').fill('Cass Coordinator');
  await clickAndLoad(page, page.getByRole('button', { name: 'Record their agreement' }));
  assert.match(
    await page.locator('#agreement').locator('..').innerText(),
    /Ines agreed to this plan/,
  );
  await checkA11y(page, 'Support plan approved and agreed');

  // The first review is on the team's list, eight weeks after sign-off.
  await mpage.goto('/reviews?show=90');
  await checkA11y(mpage, 'Reviews due');
  const due = formatCivilDate(addDays(todayInLondon(), 56));
  const list = await mpage.locator('main').innerText();
  assert.match(list, /Ines Okonkwo-Hart/);
  assert.ok(list.includes(due), `the review is due on ${due}`);
});
