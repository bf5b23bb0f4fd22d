// Browser journey for issue 3: a care coordinator completes an integrated assessment for a demo
// person, page by page, meets the check page's list of what is missing, completes it, and reads
// the eligibility decision with its reasons and the indicative budget with its explanation.
// Axe checks every page visited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { seedDemo, DEMO_PASSWORD } from '../../src/features/demo/seed.ts';
import {
  calculateIndicativeBudget,
  DEMO_RAS,
  rasVersionSchema,
} from '../../src/features/allocation/index.ts';
import { formatPounds } from '../../src/platform/money.ts';
import { checkA11y, clickAndLoad } from './support/browser.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { headingOf, SignInPage } from './support/sign-in-page.ts';

let journey: Journey;
before(async () => {
  journey = await startJourney('test/e2e/assessment.test.ts');
  await seedDemo(journey.app.db);
});
after(() => journey.close());

const path = (url: string) => new URL(url).pathname;

async function chooseIn(
  page: Page,
  group: string | RegExp,
  option: string | RegExp,
): Promise<void> {
  await page
    .getByRole('group', { name: group })
    .getByLabel(option, { exact: typeof option === 'string' })
    .check();
}

async function saveAndContinue(page: Page): Promise<void> {
  await clickAndLoad(page, page.getByRole('button', { name: 'Save and continue' }));
}

test('a coordinator completes an assessment for a demo person and sees the decision, the budget and how it was worked out', async () => {
  const page = await journey.newPage();
  await (await new SignInPage(page).open()).signIn('coordinator@demo.pooled.test', DEMO_PASSWORD);
  assert.equal(path(page.url()), '/caseload');
  await checkA11y(page, 'Demo caseload');

  // Open someone on the caseload who has not been assessed yet (the demo assesses about half).
  const db = journey.app.db.system;
  const waiting = await db
    .selectFrom('people as p')
    .innerJoin('users as u', 'u.id', 'p.care_coordinator_id')
    .select(['p.given_name', 'p.family_name'])
    .where('u.email', '=', 'coordinator@demo.pooled.test')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('assessments as a').select('a.id').whereRef('a.person_id', '=', 'p.id'),
        ),
      ),
    )
    .orderBy('p.family_name')
    .executeTakeFirstOrThrow();
  const name = `${waiting.family_name}, ${waiting.given_name}`;
  await clickAndLoad(page, page.getByRole('link', { name, exact: true }));
  assert.match(path(page.url()), /^\/people\/[0-9a-f-]{36}$/);
  const personPath = path(page.url());
  await checkA11y(page, 'Demo person’s record');
  assert.match(await page.locator('main').innerText(), /Not assessed yet/);

  await clickAndLoad(page, page.getByRole('button', { name: 'Start an assessment' }));
  assert.match(path(page.url()), /^\/assessments\/[0-9a-f-]{36}$/);
  const assessmentPath = path(page.url());
  await checkA11y(page, 'Assessment task list');
  assert.match(await page.locator('main').innerText(), /0 of 6 sections completed/);

  // Section 1: outcomes. Answer only some, then try to finish: the check page says what is missing.
  await clickAndLoad(page, page.getByRole('link', { name: 'Day-to-day outcomes' }));
  await checkA11y(page, 'Assessment: day-to-day outcomes');
  await chooseIn(page, 'Who answered this section?', 'The person, in a supported self-assessment');
  const unable = [
    'getting enough to eat and drink',
    'keeping yourself clean',
    'keeping up relationships with family and friends',
  ];
  const outcomes = [
    'getting enough to eat and drink',
    'keeping yourself clean',
    'using the toilet',
    'being dressed suitably',
    'using your home safely',
    'keeping your home fit to live in',
    'keeping up relationships with family and friends',
    'work, training, education or volunteering',
    'using local services and facilities, including public transport',
  ];
  for (const o of outcomes) {
    await chooseIn(
      page,
      `Can they achieve ${o}?`,
      unable.includes(o) ? 'No, they cannot' : 'Yes, they can',
    );
  }
  // The first "cannot" without a reason is refused, with the answers kept.
  await saveAndContinue(page);
  assert.match(await page.title(), /^Error: /);
  assert.match(
    await page.locator('.nhsuk-error-summary').innerText(),
    /Select why they cannot achieve getting enough to eat and drink/,
  );
  await checkA11y(page, 'Assessment: outcomes with an error');
  const reasons = page
    .locator('main .nhsuk-form-group')
    .filter({ has: page.getByText('If not, why not?') });
  for (const o of unable) {
    const index = outcomes.indexOf(o);
    await reasons.nth(index).getByLabel('You need help or prompting').check();
  }
  await saveAndContinue(page);
  assert.equal(path(page.url()), `${assessmentPath}/impairment`);

  // Jump to the check page: caring for a child is missing, with a link to it.
  await page.goto(`${assessmentPath}/check`);
  await checkA11y(page, 'Check answers, incomplete');
  const missing = page.locator('#missing');
  assert.match(await missing.innerText(), /Say whether they can achieve caring for a child/);
  await clickAndLoad(
    page,
    missing.getByRole('link', { name: 'Say whether they can achieve caring for a child' }),
  );
  assert.equal(path(page.url()), `${assessmentPath}/outcomes`);
  await chooseIn(page, 'Can they achieve caring for a child?', 'Yes, they can');
  await saveAndContinue(page);

  // Section 2: impairment.
  await checkA11y(page, 'Assessment: impairment');
  await chooseIn(
    page,
    'Who answered this section?',
    'The worker, from what they know and were told',
  );
  await chooseIn(page, /physical or mental impairment or illness/, 'Yes');
  await saveAndContinue(page);

  // Section 3: wellbeing.
  await checkA11y(page, 'Assessment: wellbeing');
  await chooseIn(page, 'Who answered this section?', 'The person, in a supported self-assessment');
  for (const label of [
    'Personal dignity, including being treated with respect',
    'Physical and mental health and emotional wellbeing',
    'Protection from abuse and neglect',
    'Control over day-to-day life, including care and support',
    'Work, education, training or recreation',
    'Social and economic wellbeing',
    'Family and personal relationships',
    'Suitability of where they live',
    'Their contribution to society',
  ]) {
    await chooseIn(
      page,
      label,
      label.startsWith('Physical') ? 'Significant impact' : 'Some impact',
    );
  }
  await chooseIn(page, /Overall, is there/, 'Yes');
  await saveAndContinue(page);

  // Section 4: NHS.
  await checkA11y(page, 'Assessment: health needs and NHS rights');
  await chooseIn(
    page,
    'Who answered this section?',
    'The worker, from what they know and were told',
  );
  const detained = page.getByRole('group', {
    name: 'Have they been detained under the Mental Health Act?',
  });
  if (!(await detained.getByLabel('Yes', { exact: true }).isChecked()))
    await detained.getByLabel('No', { exact: true }).check();
  await chooseIn(page, 'NHS continuing healthcare', 'Not assessed');
  await saveAndContinue(page);

  // Section 5: recovery.
  await checkA11y(page, 'Assessment: recovery');
  await chooseIn(page, 'Who answered this section?', 'The person, in a supported self-assessment');
  await page
    .getByLabel('Their goals, in their own words')
    .fill('I want to sing in a choir again and sleep better');
  await chooseIn(page, 'Does someone care for them without being paid?', 'No');
  await saveAndContinue(page);

  // Section 6: the RAS questions. The second answer of each.
  await checkA11y(page, 'Assessment: budget questions');
  await chooseIn(page, 'Who answered this section?', 'A representative, family member or advocate');
  const ras = rasVersionSchema.parse(DEMO_RAS);
  const answers: Record<string, string> = {};
  for (const [i, q] of ras.questions.entries()) {
    const a = q.answers[1];
    assert.ok(a);
    answers[q.id] = a.id;
    await page
      .getByRole('group', { name: `${String(i + 1)}. ${q.text}` })
      .getByLabel(a.text)
      .check();
  }
  await saveAndContinue(page);

  // Check your answers, then complete.
  assert.equal(path(page.url()), `${assessmentPath}/check`);
  await checkA11y(page, 'Check answers, complete');
  assert.equal(await page.locator('#missing').count(), 0);
  await clickAndLoad(page, page.getByRole('button', { name: 'Complete the assessment' }));
  assert.equal(path(page.url()), assessmentPath);
  await checkA11y(page, 'Assessment result');
  const main = await page.locator('main').innerText();
  assert.match(main, /Eligible/);
  assert.match(
    main,
    /You are eligible for care and support from the council because all three conditions/,
  );
  assert.match(
    main,
    /Getting enough to eat and drink is an outcome you cannot achieve, because you need help or prompting/,
  );
  const expected = calculateIndicativeBudget(ras, answers);
  assert.ok(expected.ok);
  assert.ok(
    main.includes(formatPounds(expected.budget.annual)),
    'shows the annual indicative budget',
  );
  assert.ok(main.includes(formatPounds(expected.budget.weekly)), 'shows the weekly amount');

  // How it was worked out.
  await clickAndLoad(page, page.getByRole('link', { name: 'How this budget was worked out' }));
  assert.match(path(page.url()), /^\/allocations\/[0-9a-f-]{36}\/explained$/);
  await checkA11y(page, 'How your budget was worked out');
  const explained = await page.locator('main').innerText();
  for (const q of ras.questions) assert.ok(explained.includes(q.text), `explains ${q.id}`);
  assert.ok(explained.includes(String(expected.budget.totalPoints)), 'shows the total points');
  for (const s of expected.budget.streams)
    assert.ok(explained.includes(formatPounds(s.annual)), `shows the ${s.name} part`);

  // Back on the person's page, the latest decision and budget.
  await page.goto(personPath);
  const record = await page.locator('main').innerText();
  assert.match(record, /Care Act: eligible/);
  assert.ok(record.includes(formatPounds(expected.budget.annual)));
  assert.equal(await headingOf(page), name.split(', ').reverse().join(' '));
  await checkA11y(page, 'Demo person’s record, assessed');
});
