// Issue 11, items 10 (HTTP part), 11 and 16: bounded bodies and documents, no schema suggestions in
// production, NUL characters refused as bad input, and one error shape with one status per code.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectWs, errorCodes } from './helpers/graphqlWs.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const MAX_JSON_BODY_BYTES = 1024 * 1024;
const LIVE_MAX_CHUNK_BYTES = 512 * 1024;

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ MAX_JSON_BODY_BYTES: String(MAX_JSON_BODY_BYTES), LIVE_MAX_CHUNK_BYTES: String(LIVE_MAX_CHUNK_BYTES) });
  base = await t.listen();
});
afterAll(async () => {
  await t.close();
});

/** The one error shape: `{"errors":[{"message","extensions":{"code"}}]}` with the code's status. */
async function expectError(response: Response, status: number, code: string) {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
  expect(Object.keys(body)).toEqual(['errors']);
  expect(body.errors[0]).toMatchObject({ message: expect.any(String), extensions: { code } });
  return body.errors[0];
}

/** A POST over HTTP whose body is sent in chunks without a Content-Length, until the server answers. */
function postChunkedUntilAnswered(url: string, totalBytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (body += piece));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', reject);
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      if (request.destroyed || request.writableEnded) return;
      if (sent === 0) request.write('{"query":"{ __typename }","variables":{"padding":"');
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      request.end('"}}');
    };
    request.on('error', () => {});
    pump();
  });
}

describe('JSON body limit (MAX_JSON_BODY_BYTES)', () => {
  it('refuses 20 MB of variables with 413 PAYLOAD_TOO_LARGE, by Content-Length, before reading them', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(20 * 1024 * 1024) } });
    const response = await t.app.yoga.fetch('http://parlance.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a chunked body without Content-Length once it passes the limit', async () => {
    const encoder = new TextEncoder();
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(encoder.encode('{"query":"{ __typename }","variables":{"padding":"'));
        sent += 64 * 1024;
        if (sent > 20 * 1024 * 1024) controller.close();
        else controller.enqueue(encoder.encode('a'.repeat(64 * 1024)));
      },
    });
    const response = await t.app.yoga.fetch('http://parlance.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(sent).toBeLessThan(4 * MAX_JSON_BODY_BYTES);

    const overHttp = await postChunkedUntilAnswered(`${base}/graphql`, 20 * 1024 * 1024);
    expect(overHttp.status).toBe(413);
    expect(JSON.parse(overHttp.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('lets the largest live audio chunk through (base64 of LIVE_MAX_CHUNK_BYTES)', async () => {
    const user = await registerUser(t);
    const chunk = randomBytes(LIVE_MAX_CHUNK_BYTES).toString('base64');
    const result = await t.gql(
      'mutation ($sessionId: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $sessionId, seq: $seq, chunk: $chunk) }',
      { sessionId: 'lse_missing', seq: 0, chunk },
      { token: user.accessToken },
    );
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses to start when the limit cannot hold a live chunk', async () => {
    const { loadEnv } = await import('../server/env.ts');
    expect(() => loadEnv({ MAX_JSON_BODY_BYTES: String(256 * 1024), LIVE_MAX_CHUNK_BYTES: String(512 * 1024) })).toThrow(
      /MAX_JSON_BODY_BYTES/,
    );
  });
});

describe('query document limit (MAX_QUERY_BYTES)', () => {
  // Under the JSON body limit and the 1 MiB graphql-ws frame limit, far over MAX_QUERY_BYTES (100 KiB).
  const hugeDocument = `# ${'c'.repeat(900 * 1024)}\n{ __typename }`;

  it('refuses a 900 KB document (mostly a comment) with 413 PAYLOAD_TOO_LARGE before parsing it', async () => {
    const response = await t.app.yoga.fetch('http://parlance.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: hugeDocument }),
    });
    const error = await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/102400 bytes/);
  });

  it('refuses it on graphql-ws too, and the socket goes on', async () => {
    const user = await registerUser(t);
    const client = connectWs(base, user.accessToken);
    const refused = await collect(client, hugeDocument).done;
    expect(errorCodes(refused.error)).toEqual(['PAYLOAD_TOO_LARGE']);
    const next = await collect<{ data: { me: { id: string } } }>(client, '{ me { id } }').done;
    expect(next.events[0].data.me.id).toBe(user.id);
    await client.dispose();
  });
});

describe('production: no suggestions anywhere', () => {
  let prod: TestApp;
  let prodBase: string;
  let token: string;
  beforeAll(async () => {
    prod = await createTestApp({ NODE_ENV: 'production', ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    prodBase = await prod.listen();
    token = (await registerUser(prod)).accessToken;
  });
  afterAll(async () => {
    await prod.close();
  });

  // Each typo, and the name a suggestion would reveal.
  const typos: [string, string, Record<string, unknown>, RegExp][] = [
    ['an enum literal', '{ jobs(status: COMPLETE) { totalCount } }', {}, /COMPLETED/],
    ['an enum variable', 'query ($s: JobStatus) { jobs(status: $s) { totalCount } }', { s: 'COMPLETE' }, /COMPLETED/],
    ['a field', '{ mee { id } }', {}, /\\"me\\"/],
    ['an argument', '{ jobs(serch: "x") { totalCount } }', {}, /search/],
    ['a type', 'query ($s: JobStatu) { jobs(status: $s) { totalCount } }', {}, /JobStatus\b/],
  ];

  it.each(typos)('answers %s typo over HTTP without "Did you mean"', async (_what, query, variables, revealed) => {
    const result = await prod.gql(query, variables, { token });
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.raw).not.toMatch(/did you mean/i);
    expect(result.raw).not.toMatch(revealed);
  });

  it('answers the same typos over graphql-ws without "Did you mean"', async () => {
    const client = connectWs(prodBase, token);
    for (const [what, query, variables, revealed] of typos) {
      const ended = await collect(client, query, variables).done;
      const answer = JSON.stringify(ended.error ?? ended.events);
      expect(answer, what).not.toMatch(/did you mean/i);
      expect(answer, what).not.toMatch(revealed);
    }
    await client.dispose();
  });
});

describe('NUL characters are bad input, never an internal error', () => {
  let user: Awaited<ReturnType<typeof registerUser>>;
  let admin: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    user = await registerUser(t);
    admin = await registerUser(t);
    await makeAdmin(t, admin.id);
  });

  const expectBadInput = (result: Awaited<ReturnType<TestApp['gql']>>) => {
    expect(result.errors?.[0].extensions?.code, result.raw).toBe('BAD_USER_INPUT');
    expect(result.raw).not.toMatch(/Unexpected error/);
    expect(result.status).toBe(400);
  };

  it('refuses a NUL in a search, as a literal or a variable', async () => {
    expectBadInput(await t.gql('{ jobs(search: "a\\u0000b") { totalCount } }', {}, { token: user.accessToken }));
    expectBadInput(
      await t.gql('query ($q: String) { jobs(search: $q) { totalCount } }', { q: '\u0000' }, { token: user.accessToken }),
    );
  });

  it("refuses a NUL in an admin's audit log filter", async () => {
    expectBadInput(
      await t.gql('query ($a: ID) { auditLog(actorId: $a) { totalCount } }', { a: '\u0000' }, { token: admin.accessToken }),
    );
  });

  it('refuses a NUL in a prompt, nested in a list', async () => {
    const project = await t.gql<{ createProject: { id: string } }>(
      'mutation ($input: CreateProjectInput!) { createProject(input: $input) { id } }',
      { input: { name: `nul ${randomBytes(3).toString('hex')}` } },
      { token: user.accessToken },
    );
    expectBadInput(
      await t.gql(
        'mutation ($projectId: ID!, $texts: [String!]!) { addPrompts(projectId: $projectId, texts: $texts) { id } }',
        { projectId: project.data!.createProject.id, texts: ['fine', 'not\u0000fine'] },
        { token: user.accessToken },
      ),
    );
  });

  it('refuses it on graphql-ws too', async () => {
    const client = connectWs(base, user.accessToken);
    const ended = await collect(client, 'query ($q: String) { jobs(search: $q) { totalCount } }', { q: '\u0000' }).done;
    const answer = JSON.stringify(ended);
    expect(answer).toContain('BAD_USER_INPUT');
    expect(answer).not.toContain('Unexpected error');
    await client.dispose();
  });

  it("answers null for an admin's node(id) of a just-deleted project", async () => {
    const name = `doomed ${randomBytes(3).toString('hex')}`;
    const created = await t.gql<{ createProject: { id: string } }>(
      'mutation ($input: CreateProjectInput!) { createProject(input: $input) { id } }',
      { input: { name } },
      { token: admin.accessToken },
    );
    const id = created.data!.createProject.id;
    const deleted = await t.gql('mutation ($id: ID!, $name: String) { deleteProject(id: $id, confirmName: $name) }', { id, name }, {
      token: admin.accessToken,
    });
    expect(deleted.data, deleted.raw).toEqual({ deleteProject: true });
    const node = await t.gql('query ($id: ID!) { node(id: $id) { id } }', { id }, { token: admin.accessToken });
    expect(node.errors, node.raw).toBeUndefined();
    expect(node.data).toEqual({ node: null });
  });
});

describe('one error shape, one status per code', () => {
  it('answers a malformed Authorization header like any bad credential: 401 UNAUTHENTICATED', async () => {
    for (const authorization of ['Token xyz', 'Bearer not-a-token']) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      await expectError(response, 401, 'UNAUTHENTICATED');
    }
    await expectError(await fetch(`${base}/jobs/job_x/transcript.txt`, { headers: { authorization: 'Token xyz' } }), 401, 'UNAUTHENTICATED');
  });

  it('answers GET /graphql without the CSRF header with 403 FORBIDDEN', async () => {
    await expectError(await fetch(`${base}/graphql?query=${encodeURIComponent('{ __typename }')}`), 403, 'FORBIDDEN');
  });

  it('answers unknown paths with 404 NOT_FOUND in the GraphQL shape', async () => {
    for (const path of ['/jobs/job_x/transcript.xlsx', '/nothing/here']) {
      await expectError(await fetch(`${base}${path}`), 404, 'NOT_FOUND');
    }
  });

  it('sends / to the web app', async () => {
    const response = await fetch(`${base}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin/');
    await expectError(await fetch(`${base}/`, { method: 'POST' }), 404, 'NOT_FOUND');
  });

  it('answers download and upload refusals in the same shape', async () => {
    await expectError(await fetch(`${base}/jobs/job_x/transcript.txt`), 401, 'UNAUTHENTICATED');
    await expectError(await fetch(`${base}/jobs/job_x/transcript.txt`, { method: 'POST' }), 405, 'METHOD_NOT_ALLOWED');
    await expectError(await fetch(`${base}/sessions/lse_x/subtitles.vtt?signature=forged&expires=1`), 403, 'FORBIDDEN');
    const user = await registerUser(t);
    await expectError(
      await fetch(`${base}/jobs/job_missing/transcript.txt`, { headers: { authorization: `Bearer ${user.accessToken}` } }),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await fetch(`${base}/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } }),
      401,
      'UNAUTHENTICATED',
    );
  });
});
