import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { SecretBox } from '../server/security/secretBox.ts';
import { rotateEncryptionKey } from '../server/services/encryptionRotation.ts';
import { revealProviderKey } from '../server/services/providerKeys.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const SET = `mutation ($input: SetProviderKeyInput!) {
  setProviderKey(input: $input) { id provider name last4 createdAt lastUsedAt }
}`;
const LIST = `{ providerKeys { id provider name last4 createdAt lastUsedAt } }`;
const DELETE = `mutation ($id: ID!) { deleteProviderKey(id: $id) }`;
const NODE = `query ($id: ID!) { node(id: $id) { id ... on ProviderKey { provider name last4 } } }`;

type Set = { setProviderKey: { id: string; provider: string; name: string; last4: string } };
const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;
const uniqueSecret = (label: string) => `sk-${label}-${randomBytes(16).toString('hex')}`;

async function setKey(token: string, input: { provider: string; name: string; secret: string }) {
  const result = await t.gql<Set>(SET, { input }, { token });
  if (!result.data) throw new Error(`setProviderKey failed: ${result.raw}`);
  expect(result.raw).not.toContain(input.secret);
  return result.data.setProviderKey;
}

describe('storing provider keys', () => {
  it('returns and lists only the last 4 characters, and never the secret', async () => {
    const alice = await registerUser(t);
    const secret = uniqueSecret('alice');
    const result = await t.gql<Set>(SET, { input: { provider: 'OPENAI', name: 'work', secret } }, {
      token: alice.accessToken,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.setProviderKey).toMatchObject({
      provider: 'OPENAI',
      name: 'work',
      last4: secret.slice(-4),
      lastUsedAt: null,
    });
    expect(result.raw).not.toContain(secret);

    const list = await t.gql<{ providerKeys: { id: string; last4: string }[] }>(LIST, {}, { token: alice.accessToken });
    expect(list.errors).toBeUndefined();
    expect(list.data!.providerKeys).toEqual([expect.objectContaining({ id: result.data!.setProviderKey.id, last4: secret.slice(-4) })]);
    expect(list.raw).not.toContain(secret);

    const node = await t.gql(NODE, { id: result.data!.setProviderKey.id }, { token: alice.accessToken });
    expect(node.data!.node).toMatchObject({ id: result.data!.setProviderKey.id, last4: secret.slice(-4) });
    expect(node.raw).not.toContain(secret);

    expect(t.logs.join('')).not.toContain(secret);
  });

  it('stores AES-GCM ciphertext bound to the owner: it opens for them and for no one else', async () => {
    const bob = await registerUser(t);
    const mallory = await registerUser(t);
    const secret = uniqueSecret('bob');
    const { id } = await setKey(bob.accessToken, { provider: 'DEEPGRAM', name: 'default', secret });

    const row = await t.deps.db.providerKey.findUniqueOrThrow({ where: { id } });
    expect(row.userId).toBe(bob.id);
    expect(row.masterKeyId).toBe(t.deps.box.keyId);
    expect(row.nonce.length).toBe(12);
    const stored = Buffer.from(row.ciphertext);
    expect(stored.length).toBe(Buffer.byteLength(secret) + 16);
    expect(stored.includes(Buffer.from(secret))).toBe(false);
    expect(stored.includes(Buffer.from(secret.slice(-8)))).toBe(false);
    expect(JSON.stringify(row)).not.toContain(secret);

    expect(t.deps.box.open(row, bob.id).toString('utf8')).toBe(secret);
    expect(() => t.deps.box.open(row, mallory.id)).toThrow();
    // A bit flipped in the stored ciphertext is caught by the tag.
    const flipped = Buffer.from(row.ciphertext);
    flipped[0] ^= 1;
    expect(() => t.deps.box.open({ ciphertext: flipped, nonce: row.nonce }, bob.id)).toThrow();

    // Copying the sealed bytes onto a row of another user does not hand them the secret.
    await t.deps.db.providerKey.create({
      data: {
        id: newId('ProviderKey'),
        userId: mallory.id,
        provider: 'DEEPGRAM',
        name: 'stolen',
        ciphertext: row.ciphertext,
        nonce: row.nonce,
        masterKeyId: row.masterKeyId,
        last4: row.last4,
      },
    });
    await expect(revealProviderKey(t.deps, mallory.id, 'DEEPGRAM')).rejects.toThrow();
    expect(await revealProviderKey(t.deps, bob.id, 'DEEPGRAM')).toBe(secret);
    // Revealing it for an engine records its use.
    const used = await t.deps.db.providerKey.findUniqueOrThrow({ where: { id } });
    expect(used.lastUsedAt).not.toBeNull();
  });

  it('replaces the key with the same provider and name, and keeps one with another name apart', async () => {
    const carol = await registerUser(t);
    const first = uniqueSecret('first');
    const second = uniqueSecret('second');
    const other = uniqueSecret('other');
    const a = await setKey(carol.accessToken, { provider: 'OPENAI', name: 'default', secret: first });
    const b = await setKey(carol.accessToken, { provider: 'OPENAI', name: 'default', secret: second });
    expect(b.last4).toBe(second.slice(-4));
    expect(b.id).toBe(a.id);

    const rows = await t.deps.db.providerKey.findMany({ where: { userId: carol.id, provider: 'OPENAI', name: 'default' } });
    expect(rows).toHaveLength(1);
    expect(t.deps.box.open(rows[0], carol.id).toString('utf8')).toBe(second);

    await setKey(carol.accessToken, { provider: 'OPENAI', name: 'personal', secret: other });
    const list = await t.gql<{ providerKeys: { name: string; last4: string }[] }>(LIST, {}, { token: carol.accessToken });
    expect(list.data!.providerKeys.map(({ name, last4 }) => ({ name, last4 }))).toEqual([
      { name: 'default', last4: second.slice(-4) },
      { name: 'personal', last4: other.slice(-4) },
    ]);
    for (const secret of [first, second, other]) expect(list.raw).not.toContain(secret);
  });

  it('refuses LOCAL, an empty name and a too-short secret with BAD_USER_INPUT, and stores nothing', async () => {
    const dave = await registerUser(t);
    const cases = [
      { provider: 'LOCAL', name: 'default', secret: uniqueSecret('local') },
      { provider: 'OPENAI', name: '  ', secret: uniqueSecret('noname') },
      { provider: 'OPENAI', name: 'short', secret: 'abc' },
    ];
    for (const input of cases) {
      const result = await t.gql(SET, { input }, { token: dave.accessToken });
      expect(codeOf(result), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(result.raw).not.toContain(input.secret);
    }
    expect(await t.deps.db.providerKey.count({ where: { userId: dave.id } })).toBe(0);
  });

  it('requires authentication', async () => {
    expect(codeOf(await t.gql(LIST))).toBe('UNAUTHENTICATED');
    const set = await t.gql(SET, { input: { provider: 'OPENAI', name: 'x', secret: uniqueSecret('anon') } });
    expect(codeOf(set)).toBe('UNAUTHENTICATED');
  });
});

describe('deleting provider keys', () => {
  it("deletes one's own key, and answers another user's id exactly like a missing one", async () => {
    const erin = await registerUser(t);
    const frank = await registerUser(t);
    const erinKey = await setKey(erin.accessToken, { provider: 'OPENAI', name: 'default', secret: uniqueSecret('erin') });
    const frankKey = await setKey(frank.accessToken, { provider: 'OPENAI', name: 'default', secret: uniqueSecret('frank') });

    const foreign = await t.gql(DELETE, { id: erinKey.id }, { token: frank.accessToken });
    const missing = await t.gql(DELETE, { id: 'pvk_00000000000000000000000000' }, { token: frank.accessToken });
    expect(foreign.errors).toHaveLength(1);
    expect(foreign.errors![0].extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors).toEqual(missing.errors);
    expect(foreign.data).toEqual(missing.data);
    expect(foreign.status).toBe(missing.status);
    expect(await t.deps.db.providerKey.count({ where: { id: erinKey.id } })).toBe(1);

    // Frank does not see Erin's key either.
    const frankList = await t.gql<{ providerKeys: { id: string }[] }>(LIST, {}, { token: frank.accessToken });
    expect(frankList.data!.providerKeys.map((key) => key.id)).toEqual([frankKey.id]);
    expect((await t.gql(NODE, { id: erinKey.id }, { token: frank.accessToken })).data!.node).toBeNull();

    const deleted = await t.gql(DELETE, { id: erinKey.id }, { token: erin.accessToken });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteProviderKey).toBe(true);
    expect(await t.deps.db.providerKey.count({ where: { id: erinKey.id } })).toBe(0);
    expect((await t.gql(LIST, {}, { token: erin.accessToken })).data!.providerKeys).toEqual([]);
    expect(codeOf(await t.gql(DELETE, { id: erinKey.id }, { token: erin.accessToken }))).toBe('NOT_FOUND');
    // Frank's key is untouched.
    expect(await t.deps.db.providerKey.count({ where: { id: frankKey.id } })).toBe(1);
  });
});

describe('rotating the master key (services/encryptionRotation.ts)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let r: TestApp;
  beforeAll(async () => {
    r = await createTestApp({ ENCRYPTION_KEY: oldKey.toString('base64') });
  });
  afterAll(async () => {
    await r.close();
  });

  it('re-encrypts every provider key and the signing keys, all or nothing', async () => {
    const oldBox = new SecretBox(oldKey);
    const newBox = new SecretBox(newKey);
    expect(r.deps.box.keyId).toBe(oldBox.keyId);

    const users = [await registerUser(r), await registerUser(r)];
    const secrets = new Map<string, string>();
    for (const [index, user] of users.entries()) {
      const secret = uniqueSecret(`rot${index}`);
      const result = await r.gql<Set>(SET, { input: { provider: 'OPENAI', name: 'default', secret } }, {
        token: user.accessToken,
      });
      secrets.set(user.id, secret);
      expect(result.errors).toBeUndefined();
    }
    const before = await r.deps.db.providerKey.findMany();
    expect(before.every((row) => row.masterKeyId === oldBox.keyId)).toBe(true);

    // Rotating to the same key is refused.
    await expect(rotateEncryptionKey(r.deps.db, oldKey, oldKey)).rejects.toThrow();

    // One row that does not open under the old key makes the whole rotation fail and change nothing.
    const broken = await r.deps.db.providerKey.create({
      data: {
        id: newId('ProviderKey'),
        userId: users[0].id,
        provider: 'DEEPGRAM',
        name: 'broken',
        ciphertext: new Uint8Array(randomBytes(40)),
        nonce: new Uint8Array(randomBytes(12)),
        masterKeyId: oldBox.keyId,
        last4: 'xxxx',
      },
    });
    await expect(rotateEncryptionKey(r.deps.db, oldKey, newKey)).rejects.toThrow();
    for (const row of await r.deps.db.providerKey.findMany({ where: { id: { not: broken.id } } })) {
      expect(row.masterKeyId).toBe(oldBox.keyId);
      expect(oldBox.open(row, row.userId).toString('utf8')).toBe(secrets.get(row.userId));
    }
    await r.deps.db.providerKey.delete({ where: { id: broken.id } });

    const counts = await rotateEncryptionKey(r.deps.db, oldKey, newKey);
    expect(counts.providerKeys).toBe(2);
    expect(counts.signingKeys).toBeGreaterThanOrEqual(1);
    for (const row of await r.deps.db.providerKey.findMany()) {
      expect(row.masterKeyId).toBe(newBox.keyId);
      expect(newBox.open(row, row.userId).toString('utf8')).toBe(secrets.get(row.userId));
      expect(() => oldBox.open(row, row.userId)).toThrow();
      expect(() => newBox.open(row, users.find((user) => user.id !== row.userId)!.id)).toThrow();
    }
    for (const row of await r.deps.db.signingKey.findMany()) expect(row.masterKeyId).toBe(newBox.keyId);

    // A server started with the new key on the same database uses everything as before.
    const restarted = await createTestApp({ ENCRYPTION_KEY: newKey.toString('base64') }, { databaseUrl: r.databaseUrl });
    try {
      const me = await restarted.gql(`{ me { id } }`, {}, { token: users[0].accessToken });
      expect(me.errors).toBeUndefined();
      expect(me.data!.me.id).toBe(users[0].id);
      const list = await restarted.gql<{ providerKeys: { last4: string }[] }>(LIST, {}, { token: users[1].accessToken });
      expect(list.data!.providerKeys).toEqual([expect.objectContaining({ last4: secrets.get(users[1].id)!.slice(-4) })]);
      expect(await revealProviderKey(restarted.deps, users[1].id, 'OPENAI')).toBe(secrets.get(users[1].id));
      const fresh = await registerUser(restarted);
      expect((await restarted.gql(`{ me { id } }`, {}, { token: fresh.accessToken })).data!.me.id).toBe(fresh.id);
    } finally {
      await restarted.close();
    }
  });
});
