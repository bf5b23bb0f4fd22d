// Page objects for the public RAS pages and calculator, which anyone can use without signing in.
// The journey runs with JavaScript off, so they check accessibility with checkA11yAsServed.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './browser.ts';

/**
 * Axe runs as a script, and a page with JavaScript off cannot run it (it hangs). So this takes
 * the page exactly as that browser built it, with its scripts taken out so nothing is enhanced,
 * serves it at the same address to a fresh page that may run scripts, and checks that.
 */
export async function checkA11yAsServed(page: Page, label: string): Promise<void> {
  const browser = page.context().browser();
  assert.ok(browser, 'the page belongs to a launched browser');
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const url = page.url();
  const context = await browser.newContext({ locale: 'en-GB' });
  try {
    const checker = await context.newPage();
    await checker.route(
      (u) => u.href === url,
      (route) =>
        route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await checker.goto(url);
    await checkA11y(checker, `${label} (JavaScript off)`);
  } finally {
    await context.close();
  }
}

export class PublicRasPage {
  constructor(readonly page: Page) {}

  async check(): Promise<void> {
    await checkA11yAsServed(this.page, 'How budgets are worked out');
  }

  async tryTheCalculator(): Promise<void> {
    await clickAndLoad(
      this.page,
      // The NHS.UK button macro makes a link that looks and acts as a button.
      this.page.locator('main').getByRole('button', { name: 'Try the calculator' }),
    );
  }
}

export class CalculatorPage {
  constructor(readonly page: Page) {}

  async check(label = 'Calculator'): Promise<void> {
    await checkA11yAsServed(this.page, label);
  }

  /** Chooses an answer to a question, both found by their text as shown. */
  async answer(question: string, answer: string): Promise<void> {
    await this.page
      .getByRole('group', { name: question })
      .getByRole('radio', { name: answer, exact: true })
      .check();
  }

  async tickSection117(): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'I get section 117 after-care' }).check();
  }

  async submit(): Promise<void> {
    await clickAndLoad(this.page, this.page.getByRole('button', { name: 'Work out the amount' }));
  }

  errorSummary() {
    return this.page.locator('.nhsuk-error-summary');
  }

  /** The links in the error summary: [text, href]. */
  async errors(): Promise<[string, string][]> {
    const links = this.errorSummary().locator('a');
    const out: [string, string][] = [];
    for (const link of await links.all()) {
      out.push([(await link.innerText()).trim(), (await link.getAttribute('href')) ?? '']);
    }
    return out;
  }

  async checkedAnswer(question: string): Promise<string | undefined> {
    const radios = this.page.getByRole('group', { name: question }).getByRole('radio');
    for (const radio of await radios.all()) {
      if (await radio.isChecked()) {
        const id = await radio.getAttribute('id');
        return (await this.page.locator(`label[for="${id ?? ''}"]`).innerText()).trim();
      }
    }
    return undefined;
  }
}

export class ResultPage {
  constructor(readonly page: Page) {}

  async check(): Promise<void> {
    await checkA11yAsServed(this.page, 'Your indicative budget');
  }

  async annual(): Promise<string> {
    return (await this.page.locator('#annual').innerText()).trim();
  }

  async changeYourAnswers(): Promise<void> {
    await clickAndLoad(
      this.page,
      this.page.locator('main').getByRole('link', { name: 'Change your answers' }).first(),
    );
  }
}
