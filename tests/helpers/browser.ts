// Headless Chromium (Debian's, through playwright-core) for the web app's browser tests: one browser
// per test file, a fresh context and page per test with uncaught page errors collected, and
// screenshots at desktop and phone width.
//
//   const web = webAppBrowser();            // at the top of the suite: registers nothing by itself
//   beforeAll(() => web.launch());           afterAll(() => web.close());
//   beforeEach(() => web.open());            afterEach(() => web.finish());   // finish() asserts no page error
//   await web.page.goto(...); await web.shots('jobs-list', 'tests/output/jobs');
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_DIST_DIR } from '../../server/http/adminRoute.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** `describe(title, suite)` in Chromium; without Chromium, one skipped test says what to install. */
export function describeInChromium(title: string, suite: () => void): void {
  if (haveChromium) describe(title, suite);
  else {
    describe(title, () => {
      it.skip(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`, () => {});
    });
  }
}
/** Every wait in the browser: generous, as these run beside other suites on 2 busy cores. */
export const UI_TIMEOUT_MS = 60_000;
export const DESKTOP = { width: 1360, height: 880 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Throws when the web app's build is missing (the server would serve nothing). */
export function assertWebAppBuilt(): void {
  if (!existsSync(path.join(ADMIN_DIST_DIR, 'index.html'))) {
    throw new Error(`${ADMIN_DIST_DIR} has no build: run \`npm run admin:build\` (with PARLANCE_ADMIN_DIST set as for the tests).`);
  }
}

export interface WebAppBrowser {
  readonly browser: Browser;
  /** The current test's context and page (made by open()). */
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught errors of the current test's pages (every page of the context). */
  readonly pageErrors: string[];
  /** Starts Chromium; extra command-line switches (e.g. fake media devices) are added to the defaults. */
  launch(extraArgs?: string[]): Promise<Browser>;
  /** A fresh context and page for one test (desktop size unless told). */
  open(options?: BrowserContextOptions): Promise<Page>;
  /** Closes the test's context; fails the test if a page threw an uncaught error. */
  finish(): Promise<void>;
  close(): Promise<void>;
  /** A full-page screenshot of the current page into dir/name.png, at the current size. */
  shot(name: string, dir: string): Promise<string>;
  /** The current page at desktop and at phone width: dir/name-desktop.png and dir/name-phone.png. */
  shots(name: string, dir: string): Promise<string[]>;
}

/** Two animation frames: the page has re-rendered for a new size (media queries, layout). */
export const settled = (page: Page) =>
  page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));

export function webAppBrowser(): WebAppBrowser {
  let browser: Browser | null = null;
  let context: BrowserContext | null = null;
  let page: Page | null = null;
  let pageErrors: string[] = [];

  const shot = async (name: string, dir: string) => {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await page!.screenshot({ path: file, fullPage: true });
    return file;
  };

  return {
    get browser() {
      if (!browser) throw new Error('launch() first');
      return browser;
    },
    get context() {
      if (!context) throw new Error('open() first');
      return context;
    },
    get page() {
      if (!page) throw new Error('open() first');
      return page;
    },
    get pageErrors() {
      return pageErrors;
    },

    async launch(extraArgs: string[] = []) {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        timeout: UI_TIMEOUT_MS,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-quic',
          '--no-first-run',
          ...extraArgs,
        ],
      });
      return browser;
    },

    async open(options: BrowserContextOptions = {}) {
      if (!browser) throw new Error('launch() first');
      context = await browser.newContext({ viewport: { ...DESKTOP }, acceptDownloads: true, ...options });
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
      pageErrors = [];
      const errors = pageErrors;
      context.on('page', (opened) => opened.on('pageerror', (error) => errors.push(error.message)));
      page = await context.newPage();
      page.on('console', (message) => {
        if (process.env.CONSOLE_DEBUG) console.log('[browser]', message.type(), message.text());
      });
      return page;
    },

    async finish() {
      const errors = pageErrors;
      await context?.close();
      context = null;
      page = null;
      // No uncaught error in the app's pages during the test.
      expect(errors).toEqual([]);
    },

    async close() {
      await browser?.close();
      browser = null;
    },

    shot,

    async shots(name: string, dir: string) {
      const current = page!.viewportSize() ?? DESKTOP;
      const files: string[] = [];
      try {
        await page!.setViewportSize({ ...DESKTOP });
        await settled(page!);
        files.push(await shot(`${name}-desktop`, dir));
        await page!.setViewportSize({ ...PHONE });
        await settled(page!);
        files.push(await shot(`${name}-phone`, dir));
      } finally {
        await page!.setViewportSize(current);
      }
      return files;
    },
  };
}

/**
 * Signs in through the web app's login page with a password and waits until the page has left it.
 * Accounts with a second factor stop at the second step: pass `{ waitForApp: false }` and continue there.
 */
export async function signIn(
  page: Page,
  base: string,
  credentials: { login: string; password: string },
  options: { waitForApp?: boolean } = {},
): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.locator('input[name="username"]').fill(credentials.login);
  await page.locator('input[name="password"]').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (options.waitForApp ?? true) await page.waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: UI_TIMEOUT_MS });
}
