// /admin/: the console's static files with the right types and caching, client-side routes
// answered with index.html, and nothing outside the build directory ever served.
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdminPath, serveAdmin } from '../server/http/adminRoute.ts';

let dir: string;
let dist: string;
let server: http.Server;
let base: string;
const INDEX = '<!doctype html><html><head><script type="module" src="/admin/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-admin-route-'));
  dist = path.join(dir, 'dist');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), INDEX);
  await writeFile(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(path.join(dist, 'assets', 'index-AbC123.js'), SCRIPT);
  await writeFile(path.join(dist, 'assets', 'index-AbC123.js.gz'), gzipSync(SCRIPT));
  await writeFile(path.join(dist, 'assets', 'style-9z.css'), 'body{margin:0}');
  await writeFile(path.join(dist, '.build-stamp'), 'secret-ish');
  await writeFile(path.join(dir, 'outside.txt'), 'must never be served');
  server = http.createServer((req, res) => {
    const target = (req.url ?? '/').split('?')[0];
    if (!isAdminPath(target)) {
      res.writeHead(404).end();
      return;
    }
    const distDir = req.headers['x-dist'] === 'missing' ? path.join(dir, 'nothing-here') : dist;
    void serveAdmin(req, res, distDir);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** A request with the path sent exactly as written (fetch would normalise `..`). */
function raw(requestPath: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = http.request(`${base}/`, { method, path: requestPath, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('/admin/', () => {
  it('recognises only /admin and what is under it', () => {
    expect(isAdminPath('/admin')).toBe(true);
    expect(isAdminPath('/admin/')).toBe(true);
    expect(isAdminPath('/admin/users/1/show')).toBe(true);
    expect(isAdminPath('/administrator')).toBe(false);
    expect(isAdminPath('/graphql')).toBe(false);
  });

  it('redirects /admin to /admin/, keeping the query', async () => {
    const response = await raw('/admin?x=1');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('/admin/?x=1');
  });

  it('serves index.html revalidated every time, with a content security policy', async () => {
    const response = await raw('/admin/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.toString()).toBe(INDEX);
    const again = await raw('/admin/', { 'if-none-match': String(response.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('answers client-side routes with index.html', async () => {
    for (const route of ['/admin/users', '/admin/users/usr_123/show', '/admin/login?next=%2Fjobs', '/admin/index.html', '/admin/usage/']) {
      const response = await raw(route);
      expect(response.status, route).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body.toString()).toBe(INDEX);
    }
  });

  it('caches hashed assets for a year, with their content type, compressed when the client accepts it', async () => {
    const plain = await raw('/admin/assets/index-AbC123.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);

    const gzipped = await raw('/admin/assets/index-AbC123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.headers['content-encoding']).toBe('gzip'); // no .br file in this build
    expect(gzipped.headers.vary).toBe('accept-encoding');
    expect(Number(gzipped.headers['content-length'])).toBeLessThan(SCRIPT.length);

    const css = await raw('/admin/assets/style-9z.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await raw('/admin/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');

    const head = await raw('/admin/assets/index-AbC123.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(SCRIPT.length);
  });

  it('answers a missing hashed asset with 404, not with the page', async () => {
    const response = await raw('/admin/assets/index-OLD999.js');
    expect(response.status).toBe(404);
  });

  it('never serves anything outside the build, nor hidden files', async () => {
    for (const attempt of [
      '/admin/../outside.txt',
      '/admin/..%2foutside.txt',
      '/admin/%2e%2e/outside.txt',
      '/admin/assets/..%2f..%2foutside.txt',
      '/admin/%2e%2e%2f%2e%2e%2fpackage.json',
      '/admin/..%5coutside.txt',
    ]) {
      const response = await raw(attempt);
      expect(response.body.toString(), attempt).not.toContain('must never be served');
      expect([200, 400, 404], attempt).toContain(response.status);
      if (response.status === 200) expect(response.body.toString()).toBe(INDEX);
    }
    const stamp = await raw('/admin/.build-stamp');
    expect(stamp.body.toString()).not.toContain('secret-ish');
    const nul = await raw('/admin/a%00b');
    expect(nul.status).toBe(400);
    const bad = await raw('/admin/%E0%A4%A');
    expect(bad.status).toBe(400);
  });

  it('refuses other methods', async () => {
    const response = await raw('/admin/', {}, 'POST');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('says the console is not built when there is no build', async () => {
    const response = await raw('/admin/users', { 'x-dist': 'missing' });
    expect(response.status).toBe(503);
    expect(response.body.toString()).toContain('npm run admin:build');
  });
});
