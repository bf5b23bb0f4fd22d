// Page object: "My caseload", a care coordinator's first page.
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

  /** Links to the people on the caseload, by their text. */
  async people(): Promise<string[]> {
    return (await this.page.locator('main a[href^="/people/"]').allInnerTexts()).map((t) =>
      t.trim(),
    );
  }

  async openPerson(name: string): Promise<void> {
    await clickAndLoad(this.page, this.page.locator('main').getByRole('link', { name }));
  }
}
