// Passkeys through the API, made and used by real Chromium's virtual authenticator (CDP WebAuthn):
// registering several, signing in with one alone, renaming and deleting (password required), and
// every refusal: a used or expired challenge, an assertion replayed or older than one already used
// (counter, audited), another origin, another relying-party id, a deleted credential, an API key
// trying to add one, another user's passkey; throttling; and no challenge or signature in the logs.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeInChromium, webAppBrowser } from './helpers/browser.ts';
import { addVirtualAuthenticator, createInPage, getInPage, type VirtualAuthenticator } from './helpers/passkeys.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const TEST_TIMEOUT_MS = 120_000;
/** Shared with a second deployment on the same database (it unseals the same JWT signing key). */
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

describeInChromium('passkeys', passkeySuite);

const PASSKEY_FIELDS = 'id name createdAt lastUsedAt deviceType backedUp transports';
const AUTH_FIELDS = 'accessToken refreshToken user { id username }';

function passkeySuite() {
  const web = webAppBrowser();
  let t: TestApp;
  /** The app as the browser reaches it: http://localhost:<port> (rp id "localhost"). */
  let local: string;
  let port: string;
  let authenticator: VirtualAuthenticator;
  const seen: string[] = [];

  const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;
  const challengeIn = (optionsJson: string) => JSON.parse(optionsJson).challenge as string;
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

  async function registrationOptions(app: TestApp, token: string): Promise<string> {
    const result = await app.gql<{ passkeyRegistrationOptions: string }>(`mutation { passkeyRegistrationOptions }`, {}, { token });
    expect(result.errors).toBeUndefined();
    seen.push(challengeIn(result.data!.passkeyRegistrationOptions));
    return result.data!.passkeyRegistrationOptions;
  }
  const register = (app: TestApp, token: string, name: string, response: string) =>
    app.gql<{ registerPasskey: Record<string, any> }>(
      `mutation ($name: String!, $response: String!) { registerPasskey(name: $name, response: $response) { ${PASSKEY_FIELDS} } }`,
      { name, response },
      { token },
    );
  async function loginOptions(app: TestApp): Promise<string> {
    const result = await app.gql<{ passkeyLoginOptions: string }>(`mutation { passkeyLoginOptions }`);
    expect(result.errors).toBeUndefined();
    seen.push(challengeIn(result.data!.passkeyLoginOptions));
    return result.data!.passkeyLoginOptions;
  }
  const login = (app: TestApp, response: string) =>
    app.gql<{ loginWithPasskey: Record<string, any> }>(
      `mutation ($response: String!) { loginWithPasskey(response: $response) { ${AUTH_FIELDS} } }`,
      { response },
    );
  const remember = (response: string) => {
    const parsed = JSON.parse(response);
    seen.push(parsed.response.signature ?? parsed.response.attestationObject);
    return response;
  };
  /** A new user with one passkey made in this test's authenticator. */
  async function userWithPasskey(name = 'Laptop') {
    const user = await registerUser(t);
    const created = remember(await createInPage(web.page, await registrationOptions(t, user.accessToken)));
    const result = await register(t, user.accessToken, name, created);
    expect(result.errors).toBeUndefined();
    return { user, passkey: result.data!.registerPasskey };
  }
  /** One assertion made by the authenticator for a fresh sign-in challenge (not sent). */
  const assertion = async () => remember(await getInPage(web.page, await loginOptions(t)));
  const audit = (action: string, actorId: string) =>
    t.deps.db.auditEntry.findMany({ where: { action, actorId }, orderBy: { seq: 'asc' } });

  beforeAll(async () => {
    t = await createTestApp({ ENCRYPTION_KEY });
    const base = await t.listen();
    port = new URL(base).port;
    local = `http://localhost:${port}`;
    t.deps.env.publicUrl = local;
    await web.launch();
  }, 120_000);

  beforeEach(async () => {
    await web.open();
    await web.page.goto(`${local}/health`);
    authenticator = await addVirtualAuthenticator(web.page);
  });

  afterEach(async () => {
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    await t?.close();
  });

  it('registers several passkeys, lists them, and signs in with one alone', async () => {
    const { user, passkey } = await userWithPasskey('Laptop');
    expect(passkey).toMatchObject({ name: 'Laptop', lastUsedAt: null, deviceType: 'SINGLE_DEVICE', backedUp: false });
    expect(passkey.transports).toContain('internal');
    const listed = await t.gql<{ myPasskeys: { name: string }[] }>(`{ myPasskeys { ${PASSKEY_FIELDS} } }`, {}, { token: user.accessToken });
    expect(listed.data!.myPasskeys.map((key) => key.name)).toEqual(['Laptop']);

    // The options carry no username: the authenticator offers its discoverable credential.
    const options = await loginOptions(t);
    expect(JSON.parse(options)).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(JSON.parse(options).allowCredentials ?? []).toEqual([]);
    const signedIn = await login(t, remember(await getInPage(web.page, options)));
    expect(signedIn.errors).toBeUndefined();
    expect(signedIn.data!.loginWithPasskey.user).toMatchObject({ id: user.id, username: user.username });
    const me = await t.gql(`{ me { id } }`, {}, { token: signedIn.data!.loginWithPasskey.accessToken });
    expect(me.data!.me).toEqual({ id: user.id });

    const after = await t.gql<{ myPasskeys: { lastUsedAt: string | null }[] }>(`{ myPasskeys { lastUsedAt } }`, {}, { token: user.accessToken });
    expect(after.data!.myPasskeys[0].lastUsedAt).not.toBeNull();
    const row = await t.deps.db.passkey.findUniqueOrThrow({ where: { id: passkey.id } });
    const [held] = await authenticator.credentials();
    expect(Number(row.counter)).toBe(held.signCount);
    expect(held.signCount).toBeGreaterThan(0);
    expect((await audit('passkey.registered', user.id)).map((entry) => entry.targetId)).toEqual([passkey.id]);
    expect((await audit('passkey.signedIn', user.id)).map((entry) => entry.targetId)).toEqual([passkey.id]);
  }, TEST_TIMEOUT_MS);

  it('holds several passkeys per account, one per authenticator', async () => {
    const { user } = await userWithPasskey('First');
    // The same authenticator is excluded: the browser refuses to make a second passkey on it.
    const again = await registrationOptions(t, user.accessToken);
    expect(JSON.parse(again).excludeCredentials).toHaveLength(1);
    await expect(createInPage(web.page, again)).rejects.toThrow(/InvalidStateError|excluded|already/i);
    // A second device (another authenticator, the first one removed from this tab) adds a second passkey.
    await authenticator.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator.id });
    authenticator = await addVirtualAuthenticator(web.page);
    const created = await createInPage(web.page, await registrationOptions(t, user.accessToken));
    expect((await register(t, user.accessToken, 'Second', created)).errors).toBeUndefined();
    const listed = await t.gql<{ myPasskeys: { name: string }[] }>(`{ myPasskeys { name } }`, {}, { token: user.accessToken });
    expect(listed.data!.myPasskeys.map((key) => key.name)).toEqual(['First', 'Second']);
  }, TEST_TIMEOUT_MS);

  it('refuses a registration challenge used twice or expired, leaving nothing stored', async () => {
    const user = await registerUser(t);
    const created = await createInPage(web.page, await registrationOptions(t, user.accessToken));
    expect((await register(t, user.accessToken, 'Once', created)).errors).toBeUndefined();
    const twice = await register(t, user.accessToken, 'Twice', created);
    expect(codeOf(twice)).toBe('UNAUTHENTICATED');

    await authenticator.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator.id });
    authenticator = await addVirtualAuthenticator(web.page);
    const options = await registrationOptions(t, user.accessToken);
    await t.deps.db.passkeyChallenge.update({
      where: { challengeHash: sha256(challengeIn(options)) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const late = await register(t, user.accessToken, 'Late', await createInPage(web.page, options));
    expect(codeOf(late)).toBe('UNAUTHENTICATED');
    expect(late.errors![0].message).toMatch(/expired/);
    expect((await t.deps.db.passkey.findMany({ where: { userId: user.id } })).map((key) => key.name)).toEqual(['Once']);
  }, TEST_TIMEOUT_MS);

  it("refuses another user's registration options and any API key", async () => {
    const owner = await registerUser(t);
    const other = await registerUser(t);
    const created = await createInPage(web.page, await registrationOptions(t, owner.accessToken));
    expect(codeOf(await register(t, other.accessToken, 'Stolen', created))).toBe('UNAUTHENTICATED');
    const key = await t.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: { name: "k", scopes: [READ, WRITE] }) { secret } }`,
      {},
      { token: owner.accessToken },
    );
    const withKey = await t.gql(`mutation { passkeyRegistrationOptions }`, {}, { token: key.data!.createApiKey.secret });
    expect(codeOf(withKey)).toBe('FORBIDDEN');
    expect(await t.deps.db.passkey.count({ where: { userId: { in: [owner.id, other.id] } } })).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('refuses a sign-in challenge used twice or expired', async () => {
    await userWithPasskey();
    const first = await assertion();
    expect((await login(t, first)).errors).toBeUndefined();
    const replayed = await login(t, first);
    expect(codeOf(replayed)).toBe('UNAUTHENTICATED');
    expect(replayed.data).toBeNull();

    const options = await loginOptions(t);
    await t.deps.db.passkeyChallenge.update({
      where: { challengeHash: sha256(challengeIn(options)) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const late = await login(t, remember(await getInPage(web.page, options)));
    expect(codeOf(late)).toBe('UNAUTHENTICATED');
  }, TEST_TIMEOUT_MS);

  it('refuses an assertion whose counter does not rise (a copied authenticator) and audits it', async () => {
    const { user, passkey } = await userWithPasskey();
    const older = await assertion();
    const newer = await assertion();
    expect((await login(t, newer)).errors).toBeUndefined();
    const counterAfter = (await t.deps.db.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).counter;
    // The older one is genuine and its challenge is still live, but its counter is behind.
    const refused = await login(t, older);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors![0].message).toMatch(/counter/);
    expect((await t.deps.db.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).counter).toBe(counterAfter);
    const [entry] = await audit('passkey.replayRefused', user.id);
    expect(entry).toMatchObject({ targetType: 'Passkey', targetId: passkey.id });
    expect(entry.details).toMatchObject({ storedCounter: Number(counterAfter) });
    expect((entry.details as { presentedCounter: number }).presentedCounter).toBeLessThan(Number(counterAfter));
    // A genuine new assertion still works.
    expect((await login(t, await assertion())).errors).toBeUndefined();
  }, TEST_TIMEOUT_MS);

  it('refuses a passkey made for another origin and relying-party id', async () => {
    // A second deployment at http://other.localhost:<port> (Chromium treats *.localhost as a secure
    // context), sharing the database: its passkeys are made for rp id "other.localhost".
    const sibling = await createTestApp({ ENCRYPTION_KEY }, { databaseUrl: t.databaseUrl });
    try {
      sibling.deps.env.publicUrl = `http://other.localhost:${port}`;
      await web.page.goto(`http://other.localhost:${port}/health`);
      const user = await registerUser(t);
      const options = await registrationOptions(sibling, user.accessToken);
      expect(JSON.parse(options).rp.id).toBe('other.localhost');
      expect((await register(sibling, user.accessToken, 'Elsewhere', remember(await createInPage(web.page, options)))).errors).toBeUndefined();

      // Made on the other origin for the other rp id, presented here: refused.
      const foreign = remember(await getInPage(web.page, await loginOptions(t), { rpId: 'other.localhost' }));
      const clientData = JSON.parse(Buffer.from(JSON.parse(foreign).response.clientDataJSON, 'base64url').toString());
      expect(clientData.origin).toBe(`http://other.localhost:${port}`);
      expect(codeOf(await login(t, foreign))).toBe('UNAUTHENTICATED');
      expect(t.logs.join('')).toMatch(/passkey assertion refused/);

      // The same passkey where it belongs signs in: the refusal was the origin and rp id.
      const siblingOptions = await sibling.gql<{ passkeyLoginOptions: string }>(`mutation { passkeyLoginOptions }`);
      seen.push(challengeIn(siblingOptions.data!.passkeyLoginOptions));
      const home = await login(sibling, remember(await getInPage(web.page, siblingOptions.data!.passkeyLoginOptions)));
      expect(home.errors).toBeUndefined();
      expect(home.data!.loginWithPasskey.user.id).toBe(user.id);
    } finally {
      await sibling.close();
    }
  }, TEST_TIMEOUT_MS);

  it('renames, and deletes only with the password; a deleted passkey signs in no more', async () => {
    const { user, passkey } = await userWithPasskey('Old name');
    const other = await registerUser(t);
    const rename = (token: string, name: string) =>
      t.gql<{ renamePasskey: { name: string } }>(`mutation ($id: ID!, $name: String!) { renamePasskey(id: $id, name: $name) { name } }`, { id: passkey.id, name }, { token });
    expect((await rename(user.accessToken, '  Work laptop ')).data!.renamePasskey.name).toBe('Work laptop');
    expect(codeOf(await rename(user.accessToken, '  '))).toBe('BAD_USER_INPUT');
    expect(codeOf(await rename(other.accessToken, 'Mine now'))).toBe('NOT_FOUND');
    expect((await audit('passkey.renamed', user.id))[0].details).toEqual({ from: 'Old name', to: 'Work laptop' });

    const unused = await assertion();
    const remove = (token: string, password?: string) =>
      t.gql(`mutation ($id: ID!, $password: String) { deletePasskey(id: $id, password: $password) { id } }`, { id: passkey.id, password }, { token });
    expect(codeOf(await remove(other.accessToken, other.password))).toBe('NOT_FOUND');
    const without = await remove(user.accessToken);
    expect(without.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'password' } });
    expect(codeOf(await remove(user.accessToken, 'not the password'))).toBe('BAD_USER_INPUT');
    expect(await t.deps.db.passkey.count({ where: { id: passkey.id } })).toBe(1);
    expect((await remove(user.accessToken, user.password)).errors).toBeUndefined();
    expect(await t.deps.db.passkey.count({ where: { id: passkey.id } })).toBe(0);
    expect((await audit('passkey.deleted', user.id)).map((entry) => entry.targetId)).toEqual([passkey.id]);

    // The authenticator still holds the credential; the server no longer knows it.
    expect(codeOf(await login(t, unused))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(t, await assertion()))).toBe('UNAUTHENTICATED');
  }, TEST_TIMEOUT_MS);

  it('throttles passkey sign-in per account and address like password logins', async () => {
    const { user } = await userWithPasskey();
    // Five refused assertions (challenges expired) for this account from this address...
    for (let i = 0; i < 5; i += 1) {
      const options = await loginOptions(t);
      await t.deps.db.passkeyChallenge.update({
        where: { challengeHash: sha256(challengeIn(options)) },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      expect(codeOf(await login(t, remember(await getInPage(web.page, options))))).toBe('UNAUTHENTICATED');
    }
    // ...and even a good one waits.
    const blocked = await login(t, await assertion());
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    await t.gql(`mutation ($id: ID!) { unlockUser(userId: $id) { id } }`, { id: user.id });
    await t.deps.db.$executeRaw`DELETE FROM login_throttles`;
    expect((await login(t, await assertion())).errors).toBeUndefined();
  }, TEST_TIMEOUT_MS);

  it('is a second factor: password login asks for it, passkeyLoginOptions(challenge) offers only its passkeys, completeLogin takes the assertion', async () => {
    const { user, passkey } = await userWithPasskey('Key');
    const me = await t.gql<{ me: { secondFactors: string[]; mfaEnabled: boolean } }>(`{ me { secondFactors mfaEnabled } }`, {}, { token: user.accessToken });
    expect(me.data!.me).toEqual({ secondFactors: ['PASSKEY'], mfaEnabled: true });
    const passwordLogin = () =>
      t.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, { input: { login: user.username, password: user.password } });
    const first = await passwordLogin();
    expect(codeOf(first)).toBe('MFA_REQUIRED');
    expect(first.errors![0].extensions!.methods).toEqual(['PASSKEY']);
    const challenge = first.errors![0].extensions!.challenge as string;

    const stepOptions = async (loginChallenge: string) => {
      const result = await t.gql<{ passkeyLoginOptions: string }>(`mutation ($c: String) { passkeyLoginOptions(challenge: $c) }`, { c: loginChallenge });
      expect(result.errors).toBeUndefined();
      seen.push(challengeIn(result.data!.passkeyLoginOptions));
      return result.data!.passkeyLoginOptions;
    };
    const complete = (loginChallenge: string, assertionJson: string) =>
      t.gql<{ completeLogin: { accessToken: string; user: { id: string } } }>(
        `mutation ($input: CompleteLoginInput!) { completeLogin(input: $input) { accessToken user { id } } }`,
        { input: { challenge: loginChallenge, passkey: assertionJson } },
      );
    const options = await stepOptions(challenge);
    const row = await t.deps.db.passkey.findUniqueOrThrow({ where: { id: passkey.id } });
    expect(JSON.parse(options).allowCredentials.map((c: { id: string }) => c.id)).toEqual([row.credentialId]);
    // An assertion for a sign-in-alone challenge does not answer this step.
    expect(codeOf(await complete(challenge, await assertion()))).toBe('UNAUTHENTICATED');
    const done = await complete(challenge, remember(await getInPage(web.page, options)));
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeLogin.user.id).toBe(user.id);
    const claims = JSON.parse(Buffer.from(done.data!.completeLogin.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.amr).toEqual(['pwd', 'hwk', 'mfa']);
    // The login challenge is spent.
    expect(codeOf(await t.gql(`mutation ($c: String) { passkeyLoginOptions(challenge: $c) }`, { c: challenge }))).toBe('UNAUTHENTICATED');

    // Another account's passkey cannot answer this account's step.
    const second = await passwordLogin();
    const secondChallenge = second.errors![0].extensions!.challenge as string;
    await authenticator.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator.id });
    authenticator = await addVirtualAuthenticator(web.page);
    const intruder = await userWithPasskey('Intruder');
    const forged = remember(await getInPage(web.page, JSON.stringify({ ...JSON.parse(await stepOptions(secondChallenge)), allowCredentials: [] })));
    expect(JSON.parse(forged).id).not.toBe(row.credentialId);
    expect(codeOf(await complete(secondChallenge, forged))).toBe('UNAUTHENTICATED');
    expect(intruder.user.id).not.toBe(user.id);
  }, TEST_TIMEOUT_MS);

  it('refuses what is not a passkey answer with a clear error', async () => {
    expect(codeOf(await login(t, 'not json'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await login(t, JSON.stringify({ id: 'abc', type: 'public-key' })))).toBe('BAD_USER_INPUT');
    const user = await registerUser(t);
    expect(codeOf(await register(t, user.accessToken, 'x', '{}'))).toBe('BAD_USER_INPUT');
  }, TEST_TIMEOUT_MS);

  it('never writes a challenge, signature or attestation into the logs', () => {
    expect(seen.length).toBeGreaterThan(20);
    const logs = t.logs.join('');
    for (const secret of seen) expect(logs).not.toContain(secret);
  });
}
