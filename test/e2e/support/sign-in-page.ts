// Page object: the sign-in page.
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './browser.ts';

export class SignInPage {
  constructor(readonly page: Page) {}

  async open(): Promise<this> {
    await this.page.goto('/sign-in');
    await checkA11y(this.page, 'Sign in');
    return this;
  }

  /** Fills in the form and submits it; the next page (or this one with errors) is loaded. */
  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email address').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await clickAndLoad(this.page, this.page.getByRole('button', { name: 'Sign in' }));
  }

  errorSummary() {
    return this.page.locator('.nhsuk-error-summary');
  }

  emailField() {
    return this.page.getByLabel('Email address');
  }
}

/** The h1 of whatever page is showing. */
export async function headingOf(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}
