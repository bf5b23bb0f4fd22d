// Page object: the caseload, a care coordinator's first page ("My caseload" in the navigation).
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './browser.ts';

export class CaseloadPage {
  constructor(readonly page: Page) {}

  async open(): Promise<this> {
    await this.page.goto('/caseload');
    await this.check();
    return this;
  }

  async check(): Promise<void> {
    await checkA11y(this.page, 'My caseload');
  }

  /** The navigation link marked as the current page. */
  async currentNavigationItem(): Promise<string> {
    return (await this.page.locator('header nav [aria-current="page"]').innerText()).trim();
  }

  /** The people on the caseload, by the text of their links ("Family, Given"). */
  async people(): Promise<string[]> {
    return (await this.page.locator('main table a[href^="/people/"]').allInnerTexts()).map((t) =>
      t.trim(),
    );
  }

  async addAPerson(): Promise<void> {
    await clickAndLoad(
      this.page,
      this.page.locator('main').getByRole('link', { name: 'Add a person' }).first(),
    );
  }

  async findAPerson(): Promise<void> {
    await clickAndLoad(
      this.page,
      this.page.locator('main').getByRole('link', { name: 'Find a person' }).first(),
    );
  }
}
