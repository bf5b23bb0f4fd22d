// Browser journey: the public calculator with JavaScript switched off, without signing in. From
// /allocation to the partnership's RAS, answer every question, see the amount, change the answers
// and come back to them; then leave one out and see the error summary. Axe checks every page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { publishRas } from '../support/factories.ts';
import {
  DEMO_RAS,
  calculateIndicativeBudget,
  rasVersionSchema,
} from '../../src/features/allocation/index.ts';
import { formatPounds } from '../../src/platform/money.ts';
import { startJourney, type Journey } from './support/journey.ts';
import { headingOf } from './support/sign-in-page.ts';
import { CalculatorPage, PublicRasPage, ResultPage } from './support/public-pages.ts';

let journey: Journey;
let context: BrowserContext;
before(async () => {
  journey = await startJourney('test/e2e/public-calculator.test.ts');
  await publishRas(journey.app.db, journey.partnership.id, DEMO_RAS);
  context = await journey.browser.newContext({
    baseURL: journey.baseUrl,
    locale: 'en-GB',
    javaScriptEnabled: false,
  });
});
after(async () => {
  await context.close();
  await journey.close();
});

const demo = rasVersionSchema.parse(DEMO_RAS);
const path = (url: string) => new URL(url).pathname;

/** The second answer to every question, and the last to the last question. */
const answers = Object.fromEntries(
  demo.questions.map((q, i) => [
    q.id,
    (i === demo.questions.length - 1 ? q.answers.at(-1) : q.answers[1])?.id ?? '',
  ]),
);
const answerText = (questionId: string) => {
  const q = demo.questions.find((x) => x.id === questionId);
  return q?.answers.find((a) => a.id === answers[questionId])?.text ?? '';
};

test('with JavaScript off, anyone can work out an indicative budget and is told what is missing', async () => {
  const page = await context.newPage();
  await page.goto('/allocation');
  // Proof that scripts really are off: the layout's inline script would mark the body.
  assert.doesNotMatch((await page.locator('body').getAttribute('class')) ?? '', /js-enabled/);

  assert.equal(path(page.url()), `/allocation/${journey.partnership.code}`);
  assert.equal(await headingOf(page), 'How budgets are worked out');
  const ras = new PublicRasPage(page);
  await ras.check();
  const text = await page.locator('main').innerText();
  assert.match(text, /starting point, never a cap/);
  for (const q of demo.questions) assert.ok(text.includes(q.text), q.text);

  await ras.tryTheCalculator();
  const calculator = new CalculatorPage(page);
  assert.equal(path(page.url()), `/allocation/${journey.partnership.code}/calculator`);
  await calculator.check();
  for (const q of demo.questions) await calculator.answer(q.text, answerText(q.id));
  await calculator.tickSection117();
  await calculator.submit();

  const expected = calculateIndicativeBudget(demo, answers, { section117: true });
  assert.ok(expected.ok);
  const result = new ResultPage(page);
  assert.equal(path(page.url()), `/allocation/${journey.partnership.code}/calculator/result`);
  assert.equal(await headingOf(page), 'Your indicative budget');
  assert.equal(await result.annual(), `${formatPounds(expected.budget.annual)} a year`);
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(formatPounds(expected.budget.weekly)));
  assert.match(main, /Section 117 after-care: NHS share/);
  await result.check();

  await result.changeYourAnswers();
  assert.equal(path(page.url()), `/allocation/${journey.partnership.code}/calculator`);
  for (const q of demo.questions) {
    assert.equal(await calculator.checkedAnswer(q.text), answerText(q.id), q.text);
  }
  await calculator.check('Calculator with the answers kept');

  // Start again and leave one question out.
  await page.goto(`/allocation/${journey.partnership.code}/calculator`);
  const [first, ...rest] = demo.questions;
  assert.ok(first);
  for (const q of rest) await calculator.answer(q.text, answerText(q.id));
  const response = page.waitForResponse((r) => r.url().includes('/calculator/result'));
  await calculator.submit();
  assert.equal((await response).status(), 400);
  assert.deepEqual(await calculator.errors(), [
    [`Select an answer for ‘${first.text}’`, `#q-${first.id}`],
  ]);
  assert.match(await page.title(), /^Error: /);
  for (const q of rest) assert.equal(await calculator.checkedAnswer(q.text), answerText(q.id));
  assert.equal(await calculator.checkedAnswer(first.text), undefined);
  await calculator.check('Calculator with a missing answer');
});
