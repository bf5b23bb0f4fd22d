// Debian's Chromium driven by playwright-core, and the accessibility check every journey runs on
// every page it visits. If Chromium cannot start, launchBrowser throws and the journeys fail:
// browser tests never skip quietly.
import {
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    throw new Error(
      `Chromium could not be launched from ${CHROMIUM_PATH}. Install it with ` +
        `"apt-get install -y chromium". Browser journeys must run; they do not skip.\n${String(error)}`,
    );
  }
}

/** WCAG 2.2 levels A and AA, as axe tags them. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Every page that passed the check in this test file, in order: "label (path)". */
export const checkedPages: string[] = [];

/** Runs axe on the page as it is now and fails the journey on any WCAG 2.2 A/AA violation. */
export async function checkA11y(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const path = new URL(page.url()).pathname;
  const problems = results.violations.map(
    (v) =>
      `${v.id} [${v.impact ?? 'unknown'}] ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n'),
  );
  assert.deepEqual(problems, [], `Accessibility violations on "${label}" (${path})`);
  checkedPages.push(`${label} (${path})`);
}

const MARKER = '.cache/e2e-ran.json';
const LOCK = '.cache/e2e-ran.lock';

interface Marker {
  pages: number;
  files: { file: string; pages: string[] }[];
  at: string;
}

/**
 * Adds this file's checked pages to .cache/e2e-ran.json (scripts/test.mjs removes it before a
 * run and prints it after; .ci/run fails without it). Test files run in parallel processes, so
 * the read-add-write happens under a mkdir lock. (Two test runs at once in one working tree share
 * the file, so the count can then be off; CI runs alone.)
 */
export async function recordBrowserRun(file: string): Promise<void> {
  mkdirSync('.cache', { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Held by another test file for a moment; one older than 30 s was left by a killed run.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 30_000) rmdirSync(LOCK);
      } catch {
        // gone already
      }
      await sleep(25);
    }
  }
  try {
    let marker: Marker = { pages: 0, files: [], at: '' };
    try {
      marker = JSON.parse(readFileSync(MARKER, 'utf8')) as Marker;
    } catch {
      // first browser file of this run
    }
    marker.files = marker.files.filter((f) => f.file !== file);
    marker.files.push({ file, pages: [...checkedPages] });
    marker.pages = marker.files.reduce((n, f) => n + f.pages.length, 0);
    marker.at = new Date().toISOString();
    writeFileSync(`${MARKER}.${process.pid}`, JSON.stringify(marker, null, 2));
    renameSync(`${MARKER}.${process.pid}`, MARKER);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Clicks something that submits a form or follows a link, and waits for the next page to load. */
export async function clickAndLoad(page: Page, target: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('load'), target.click()]);
}
