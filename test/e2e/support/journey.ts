// One browser journey's world: the real app on a real HTTP server over a fresh database, a
// partnership with users made by the factories, and Chromium. Each test gets a new browser
// context (no cookies shared between tests).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../support/app.ts';
import {
  createPartnership,
  createUser,
  type TestPartnership,
  type TestUser,
} from '../../support/factories.ts';
import type { Role } from '../../../src/platform/auth/roles.ts';
import { launchBrowser, recordBrowserRun } from './browser.ts';

export interface Journey {
  app: TestApp;
  browser: Browser;
  partnership: TestPartnership;
  /** The app's address on localhost, where Chromium keeps Secure cookies over plain HTTP. */
  baseUrl: string;
  user(roles: Role[], options?: Parameters<typeof createUser>[3]): Promise<TestUser>;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startJourney(testFile: string): Promise<Journey> {
  // Chromium first: if it cannot start, fail at once rather than after building a database.
  const browser = await launchBrowser();
  const app = await startTestApp();
  const partnership = await createPartnership(app.db, 'Journey Partnership');
  const baseUrl = app.url.replace('127.0.0.1', 'localhost');
  const contexts: BrowserContext[] = [];
  return {
    app,
    browser,
    partnership,
    baseUrl,
    user: (roles, options = {}) => createUser(app.db, partnership, roles, options),
    async newPage() {
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'en-GB' });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close();
      await browser.close();
      await app.close();
      await recordBrowserRun(testFile);
    },
  };
}
