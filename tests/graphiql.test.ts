// GraphiQL at /graphql works with no network: its files come from @graphql-yoga/render-graphiql,
// served by the server under /graphiql/assets/ (server/http/graphiqlAssets.ts), and its page
// (server/http/graphiqlPage.ts) keeps a strict content security policy.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHROMIUM, haveChromium, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { createTestApp, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/graphiql');
const ASSET = /\/graphiql\/assets\/[\w.-]+/g;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const TEST_TIMEOUT_MS = 180_000;

/** GraphiQL's page as a browser asks for it. */
const fetchPage = (base: string) => fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });

/** A request sent as written (fetch would resolve `..` before sending). */
function rawGet(base: string, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: rawPath }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('GraphiQL assets over HTTP', () => {
  let t: TestApp;
  let base: string;
  let assets: string[];

  beforeAll(async () => {
    t = await createTestApp();
    base = await t.listen();
    const html = await (await fetchPage(base)).text();
    assets = [...html.matchAll(ASSET)].map(([url]) => url);
  });
  afterAll(() => t.close());

  it('serves a small page pointing at the package files, under a strict policy', async () => {
    const page = await fetchPage(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/worker-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|blob:|https?:/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html.length).toBeLessThan(5_000);
    expect(html).not.toMatch(/https?:\/\//);
    // No inline script: only the JSON options block and scripts by address.
    for (const [tag] of html.matchAll(/<script[^>]*>/g)) expect(tag).toMatch(/type="application\/json"|src="/);
    expect(assets.map((url) => url.replace(/\.[0-9a-f]{16}\./, '.*.'))).toEqual(
      expect.arrayContaining([
        '/graphiql/assets/graphiql.*.css',
        '/graphiql/assets/graphiql.*.js',
        '/graphiql/assets/start.*.js',
        '/graphiql/assets/favicon.*.ico',
        '/graphiql/assets/editor.worker.*.js',
        '/graphiql/assets/json.worker.*.js',
        '/graphiql/assets/graphql.worker.*.js',
      ]),
    );
  });

  it('serves each file with its type, cached for a year, compressed when asked, 304 when unchanged', async () => {
    const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.ico': 'image/x-icon' };
    for (const url of assets) {
      const response = await fetch(`${base}${url}`, { headers: { 'accept-encoding': 'identity' } });
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe(types[path.extname(url)]);
      expect(response.headers.get('cache-control'), url).toBe(IMMUTABLE);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
      const again = await fetch(`${base}${url}`, { headers: { 'if-none-match': response.headers.get('etag')! } });
      expect(again.status, url).toBe(304);
    }
    const js = assets.find((url) => /\/graphiql\.[0-9a-f]+\.js$/.test(url))!;
    const gzipped = await new Promise<http.IncomingMessage>((resolve) =>
      http.get(`${base}${js}`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
        response.resume();
        resolve(response);
      }),
    );
    const head = await fetch(`${base}${js}`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    const size = Number(head.headers.get('content-length'));
    expect(size).toBeGreaterThan(4_000_000);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBeLessThan(size / 2);
  });

  it('answers 404 for unknown names and refuses paths that leave the folder', async () => {
    const [js] = assets;
    expect((await fetch(`${base}/graphiql/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/assets/${path.basename(js).replace(/[0-9a-f]{16}/, '0'.repeat(16))}`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/assets/`)).status).toBe(404);
    expect(await rawGet(base, '/graphiql/assets/../../package.json')).toBe(400);
    expect(await rawGet(base, '/graphiql/assets/..%2f..%2fpackage.json')).toBe(400);
    expect(await rawGet(base, '/graphiql/assets/%2e%2e')).toBe(400);
    expect(await rawGet(base, `/graphiql/assets/sub/${path.basename(js)}`)).toBe(400);
    expect((await fetch(`${base}${js}`, { method: 'POST' })).status).toBe(405);
  });

  it('serves neither the page nor its files when GraphiQL is off (production)', async () => {
    const prod = await createTestApp({ NODE_ENV: 'production', ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    try {
      const prodBase = await prod.listen();
      expect(await (await fetchPage(prodBase)).text()).not.toMatch(/graphiql/i);
      for (const url of assets) expect((await fetch(`${prodBase}${url}`)).status, url).toBe(404);
    } finally {
      await prod.close();
    }
  });
});

if (!haveChromium) {
  describe('GraphiQL in Chromium', () => {
    it.skip(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`, () => {});
  });
} else {
  describe('GraphiQL in Chromium, offline', () => {
    let t: TestApp;
    let base: string;
    const web = webAppBrowser();

    beforeAll(async () => {
      t = await createTestApp();
      base = await t.listen();
      await web.launch();
    });
    afterAll(async () => {
      await web.close();
      await t?.close();
    });
    beforeEach(() => web.open());
    afterEach(() => web.finish());

    it('renders from the server alone and runs a query through its UI', async () => {
      const { page, context } = web;
      const offHost: string[] = [];
      await context.route('**/*', (route) => {
        const { hostname } = new URL(route.request().url());
        if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
        offHost.push(route.request().url());
        return route.abort('internetdisconnected');
      });
      const assetResponses = new Map<string, Record<string, string>>();
      context.on('response', (response) => {
        const { pathname } = new URL(response.url());
        if (pathname.startsWith('/graphiql/assets/')) assetResponses.set(pathname, response.headers());
      });
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/content security policy/i.test(message.text())) violations.push(message.text());
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) =>
          console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
        );
      });

      await page.goto(`${base}/graphql`);
      await page.locator('#root > .graphiql-container').waitFor({ timeout: UI_TIMEOUT_MS });
      const queryEditor = page.locator('.graphiql-query-editor .monaco-editor');
      await queryEditor.waitFor({ timeout: UI_TIMEOUT_MS });

      // Replace the default query by typing into the editor, then run it with the run button.
      await queryEditor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.type('{ __typename');
      await expect.poll(() => queryEditor.locator('.view-lines').innerText(), { timeout: UI_TIMEOUT_MS }).toMatch(
        /^\{\s*__typename\s*\}$/,
      );
      // The editor's suggestions (from its GraphQL worker, shown a moment after typing) may cover the run
      // button: close them and click again until the click lands.
      await vi.waitFor(
        async () => {
          await page.keyboard.press('Escape');
          await page.locator('.graphiql-execute-button').click({ timeout: 2_000 });
        },
        { timeout: UI_TIMEOUT_MS, interval: 100 },
      );
      const result = page.locator('.graphiql-response .view-lines');
      await expect
        .poll(() => result.innerText(), { timeout: UI_TIMEOUT_MS })
        .toMatch(/"data":\s*\{\s*"__typename":\s*"Query"\s*\}/);

      await web.shots('graphiql', SHOTS);
      expect(offHost).toEqual([]);
      expect(violations).toEqual([]);
      const names = [...assetResponses.keys()].map((pathname) => path.basename(pathname).replace(/\.[0-9a-f]{16}\./, '.'));
      expect(names).toEqual(expect.arrayContaining(['graphiql.js', 'graphiql.css', 'start.js', 'editor.worker.js', 'graphql.worker.js']));
      for (const headers of assetResponses.values()) expect(headers['cache-control']).toBe(IMMUTABLE);
    }, TEST_TIMEOUT_MS);
  });
}
