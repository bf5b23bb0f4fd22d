// Page objects for the pages about people: search, the add/change form, the record, the
// refusal (403) page and emergency ("break glass") access. Each check runs axe.
import type { Page } from 'playwright-core';
import { checkA11y, clickAndLoad } from './browser.ts';

export class PeopleSearchPage {
  constructor(readonly page: Page) {}

  async open(): Promise<this> {
    await this.page.goto('/people');
    await checkA11y(this.page, 'Find a person');
    return this;
  }

  async searchByName(name: string): Promise<void> {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    await clickAndLoad(this.page, this.page.getByRole('button', { name: 'Search' }));
    await checkA11y(this.page, 'Find a person: results');
  }

  /** The rows of the results table as their visible text. */
  async resultRows(): Promise<string[]> {
    return this.page.locator('main table tbody tr').allInnerTexts();
  }

  async openResult(linkText: string): Promise<void> {
    await clickAndLoad(
      this.page,
      this.page.locator('main table').getByRole('link', { name: linkText }),
    );
  }
}

export interface PersonDetails {
  givenName: string;
  familyName: string;
  dateOfBirth: { day: string; month: string; year: string };
  nhsNumber?: string;
  postcode?: string;
  communicationNeeds?: string;
}

export class PersonFormPage {
  constructor(readonly page: Page) {}

  async check(label = 'Add a person'): Promise<void> {
    await checkA11y(this.page, label);
  }

  private dateOfBirth() {
    return this.page.getByRole('group', { name: 'Date of birth' });
  }

  async fill(details: PersonDetails): Promise<void> {
    const p = this.page;
    await p.getByLabel('First name', { exact: true }).fill(details.givenName);
    await p.getByLabel('Last name', { exact: true }).fill(details.familyName);
    await this.dateOfBirth().getByLabel('Day').fill(details.dateOfBirth.day);
    await this.dateOfBirth().getByLabel('Month').fill(details.dateOfBirth.month);
    await this.dateOfBirth().getByLabel('Year').fill(details.dateOfBirth.year);
    if (details.nhsNumber !== undefined) await this.setNhsNumber(details.nhsNumber);
    if (details.postcode !== undefined)
      await p.getByLabel('Postcode (optional)').fill(details.postcode);
    if (details.communicationNeeds !== undefined)
      await p.getByLabel('Communication needs (optional)').fill(details.communicationNeeds);
  }

  async setNhsNumber(value: string): Promise<void> {
    await this.page.getByLabel('NHS number (optional)').fill(value);
  }

  async submit(): Promise<void> {
    await clickAndLoad(this.page, this.page.getByRole('button', { name: 'Add person' }));
  }

  errorSummary() {
    return this.page.locator('.nhsuk-error-summary');
  }

  /** What the form shows now, to prove the answers were kept after an error. */
  async values(): Promise<Record<string, string>> {
    const p = this.page;
    return {
      givenName: await p.getByLabel('First name', { exact: true }).inputValue(),
      familyName: await p.getByLabel('Last name', { exact: true }).inputValue(),
      day: await this.dateOfBirth().getByLabel('Day').inputValue(),
      month: await this.dateOfBirth().getByLabel('Month').inputValue(),
      year: await this.dateOfBirth().getByLabel('Year').inputValue(),
      nhsNumber: await p.getByLabel('NHS number (optional)').inputValue(),
      postcode: await p.getByLabel('Postcode (optional)').inputValue(),
      communicationNeeds: await p.getByLabel('Communication needs (optional)').inputValue(),
    };
  }
}

export class PersonRecordPage {
  constructor(readonly page: Page) {}

  async check(label = 'Person’s record'): Promise<void> {
    await checkA11y(this.page, label);
  }

  /** The person's id, from the address /people/:id. */
  personId(): string {
    const match = /^\/people\/([^/]+)$/.exec(new URL(this.page.url()).pathname);
    if (!match?.[1]) throw new Error(`Not on a person's record: ${this.page.url()}`);
    return match[1];
  }

  /** The value shown for a row of the details list, like "NHS number". */
  async detail(key: string): Promise<string> {
    const row = this.page
      .locator('.nhsuk-summary-list__row')
      .filter({ has: this.page.locator('.nhsuk-summary-list__key', { hasText: key }) })
      .first();
    return (await row.locator('.nhsuk-summary-list__value').innerText()).trim();
  }

  async whyYouCanSeeThis(): Promise<string> {
    return (await this.page.getByText('Why you can see this:').innerText()).trim();
  }
}

/** The 403 page for a record the user has no part in, offering emergency access. */
export class RefusedPage {
  constructor(readonly page: Page) {}

  async check(): Promise<void> {
    await checkA11y(this.page, 'You do not have access (403)');
  }

  breakGlassLink() {
    return this.page.getByRole('link', { name: 'Get emergency access to this record' });
  }

  async followBreakGlassLink(): Promise<void> {
    await clickAndLoad(this.page, this.breakGlassLink());
  }
}

export class BreakGlassPage {
  constructor(readonly page: Page) {}

  async check(label = 'Get emergency access'): Promise<void> {
    await checkA11y(this.page, label);
  }

  async giveReason(reason: string): Promise<void> {
    await this.page.getByLabel('Why do you need to see this record now?').fill(reason);
    await clickAndLoad(this.page, this.page.getByRole('button', { name: 'Get emergency access' }));
  }

  errorSummary() {
    return this.page.locator('.nhsuk-error-summary');
  }
}
