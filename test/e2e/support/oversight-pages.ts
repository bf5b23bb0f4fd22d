// Page objects for what managers see: the break-glass log and a person's access history.
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './browser.ts';

export class BreakGlassLogPage {
  constructor(readonly page: Page) {}

  async open(): Promise<this> {
    await this.page.goto('/oversight/break-glass');
    await this.check();
    return this;
  }

  async check(label = 'Break-glass log'): Promise<void> {
    await checkA11y(this.page, label);
  }

  /** The card about one person's record being opened, found by the person's name. */
  entryFor(personName: string) {
    return this.page.locator('.nhsuk-card').filter({ hasText: personName });
  }

  async review(personName: string, note: string): Promise<void> {
    const card = this.entryFor(personName);
    await card.getByLabel('Review note').fill(note);
    await clickAndLoad(this.page, card.getByRole('button', { name: 'Mark as reviewed' }));
  }
}

export class AccessLogPage {
  constructor(readonly page: Page) {}

  async open(personId: string): Promise<this> {
    await this.page.goto(`/people/${personId}/access-log`);
    await checkA11y(this.page, 'Who has looked at this record');
    return this;
  }

  async entries(): Promise<string[]> {
    return (await this.page.locator('main ul li').allInnerTexts()).map((t) => t.trim());
  }
}
