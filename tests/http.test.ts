import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { newId } from '../server/ids.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: 'https://console.example.com' });
  base = await t.listen();
});
afterAll(async () => {
  await t.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('HTTP endpoints', () => {
  it('answers /health, /ready and the JWKS', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: true, jobRunner: true });
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('reports not ready while the job runner does not answer', async () => {
    const { buildApp } = await import('../server/app.ts');
    const app = buildApp(t.deps, { jobRunnerReady: () => false });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const port = (app.server.address() as { port: number }).port;
    const response = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ database: true, jobRunner: false });
    await app.close();
  });

  it('tags every response with a request id and logs one line per request', async () => {
    const response = await fetch(`${base}/health`);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The line is written when the response finishes, which the client may see first.
    await expect
      .poll(() => t.logs.filter((line) => line.includes(requestId!) && line.includes('"msg":"request"')).length, { timeout: 10_000 })
      .toBe(1);
  });

  it('refuses queries deeper than 10, with more than 15 aliases, and batched requests', async () => {
    let deep = 'id';
    for (let i = 0; i < 12; i += 1) deep = `__typename me { ${deep} }`;
    const depth = await (await post({ query: `{ me { ${deep} } }` })).json();
    expect(JSON.stringify(depth)).toMatch(/depth/i);

    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ');
    const aliasResult = await (await post({ query: `{ ${aliases} }` })).json();
    expect(JSON.stringify(aliasResult)).toMatch(/alias/i);

    const batch = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(batch.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses multipart requests without a preflight header (CSRF)', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: '{ __typename }' }));
    form.set('map', '{}');
    const response = await fetch(`${base}/graphql`, { method: 'POST', body: form });
    expect(response.status).toBe(403);
  });

  it('allows only listed CORS origins', async () => {
    const allowed = await fetch(`${base}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://console.example.com', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    const other = await fetch(`${base}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('masks unexpected errors and logs them with the request id', async () => {
    const broken = await createTestApp();
    const user = await registerUser(broken);
    await broken.deps.db.$executeRawUnsafe('ALTER TABLE api_keys RENAME COLUMN name TO label');
    const result = await broken.gql('{ apiKeys { id name } }', {}, { token: user.accessToken });
    expect(result.errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(result.raw).not.toMatch(/label|column|prisma/i);
    const logged = broken.logs.find((line) => line.includes('unexpected error'));
    expect(logged).toMatch(/"requestId":"[0-9a-f-]{36}"/);
    await broken.close();
  });
});

describe('production mode', () => {
  it('turns off introspection and GraphiQL', async () => {
    const prod = await createTestApp({ NODE_ENV: 'production', ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    const result = await prod.gql('{ __schema { types { name } } }');
    expect(result.errors?.[0].message).toMatch(/introspection/i);
    const page = await prod.app.yoga.fetch('http://parlance.test/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
    await prod.close();
  });

  it('refuses to start without ENCRYPTION_KEY', async () => {
    await expect(createTestApp({ NODE_ENV: 'production' })).rejects.toThrow(/ENCRYPTION_KEY/);
  });
});

describe('graphql-ws on /graphql', () => {
  function connect(authorization?: string): Client {
    return createClient({
      url: base.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: 0,
      lazy: false,
    });
  }

  function once<T>(client: Client, query: string): Promise<T> {
    return new Promise((resolve, reject) => {
      let value: T;
      client.subscribe<T>(
        { query },
        { next: (result) => (value = result as T), error: reject, complete: () => resolve(value) },
      );
    });
  }

  it('runs queries with the credential from connectionParams', async () => {
    const user = await registerUser(t);
    const client = connect(`Bearer ${user.accessToken}`);
    const result = await once<{ data: { me: { id: string } } }>(client, '{ me { id } }');
    expect(result.data.me.id).toBe(user.id);
    await client.dispose();
  });

  it('closes a socket whose credential is invalid', async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = createClient({
        url: base.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer not-a-token' },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed).toBe(4403);
  });

  it('closes a socket that does not initialise within 3 s', async () => {
    const socket = new WebSocket(base.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
  });
});

describe('links in answers', () => {
  const LINKS = `query ($id: ID!) { job(id: $id) { downloadUrl(format: SRT) } }`;

  async function jobOfNewUser() {
    const user = await registerUser(t);
    const job = await t.deps.db.job.create({ data: { id: newId('Job'), ownerId: user.id, provider: 'LOCAL', filename: 'a.wav' } });
    return { user, jobId: job.id };
  }

  const linkOf = async (token: string, jobId: string, headers: Record<string, string>) => {
    const response = await post({ query: LINKS, variables: { id: jobId } }, { authorization: `Bearer ${token}`, ...headers });
    const body = (await response.json()) as { data: { job: { downloadUrl: string } } };
    return body.data.job.downloadUrl;
  };

  it('are absolute on PUBLIC_URL for API clients, and relative for a page of the host the request was sent to', async () => {
    const { user, jobId } = await jobOfNewUser();
    const path = `/jobs/${jobId}/transcript.srt`;
    const host = new URL(base).host;
    expect(await linkOf(user.accessToken, jobId, {})).toBe(`${t.deps.env.publicUrl}${path}`);
    // The web app opened on 127.0.0.1 while PUBLIC_URL names another host: links relative to its origin.
    expect(await linkOf(user.accessToken, jobId, { origin: `http://${host}` })).toBe(path);
    // Another site's page (a listed CORS origin) gets PUBLIC_URL's links.
    expect(await linkOf(user.accessToken, jobId, { origin: 'https://console.example.com' })).toBe(`${t.deps.env.publicUrl}${path}`);
  });

  it('are relative over a WebSocket opened by a page of the host it was sent to', async () => {
    const { user, jobId } = await jobOfNewUser();
    const host = new URL(base).host;
    const ask = (origin: string | undefined) =>
      new Promise<string>((resolve, reject) => {
        class PageSocket extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, origin ? { origin } : {});
          }
        }
        const client = createClient({
          url: base.replace('http', 'ws') + '/graphql',
          webSocketImpl: PageSocket,
          connectionParams: { authorization: `Bearer ${user.accessToken}` },
          retryAttempts: 0,
        });
        let link = '';
        client.subscribe<{ job: { downloadUrl: string } }>(
          { query: LINKS, variables: { id: jobId } },
          {
            next: (result) => (link = result.data!.job.downloadUrl),
            error: reject,
            complete: () => void Promise.resolve(client.dispose()).then(() => resolve(link)),
          },
        );
      });
    expect(await ask(`http://${host}`)).toBe(`/jobs/${jobId}/transcript.srt`);
    expect(await ask(undefined)).toBe(`${t.deps.env.publicUrl}/jobs/${jobId}/transcript.srt`);
  });
});
