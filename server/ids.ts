import { randomBytes } from 'node:crypto';

/**
 * Every row id carries its type as a prefix ("usr_…", "job_…"), so one id works everywhere: in
 * `node(id:)`, in URLs and in logs. The body is time-ordered (48-bit milliseconds, then 80 random
 * bits, Crockford base32), so ordering by id is ordering by creation, which cursor pagination uses.
 */
const idPrefixes = {
  User: 'usr',
  ApiKey: 'key',
  ProviderKey: 'pvk',
  RefreshToken: 'rtk',
  Job: 'job',
  JobEvent: 'jev',
  Upload: 'upl',
  UsageRecord: 'use',
  ChatUsageRecord: 'chu',
  LiveSession: 'ses',
  Project: 'prj',
  Prompt: 'prm',
  ProjectInvitation: 'inv',
  OutboxEmail: 'eml',
  AuditEntry: 'aud',
  WebhookEndpoint: 'whk',
  WebhookDelivery: 'whd',
  WebhookEvent: 'evt',
  Recording: 'rec',
  DatasetExport: 'dsx',
  HousekeepingSweep: 'hks',
  OidcSignIn: 'osi',
  PasswordReset: 'pwr',
  Passkey: 'psk',
  PasskeyChallenge: 'pkc',
  RecoveryCode: 'rcv',
  LoginChallenge: 'lch',
  VocabularySet: 'voc',
} as const;

export type NodeTypeName = keyof typeof idPrefixes;

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function newId(type: NodeTypeName): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  randomBytes(10).copy(bytes, 6);
  return `${idPrefixes[type]}_${encodeBase32(bytes)}`;
}

const typeByPrefix = new Map<string, NodeTypeName>(
  Object.entries(idPrefixes).map(([type, prefix]) => [prefix, type as NodeTypeName]),
);

/** The type an id belongs to, or null for anything that is not one of ours. */
export function typeOfId(id: string): NodeTypeName | null {
  const match = /^([a-z]{3})_[0-9a-z]{26}$/.exec(id);
  return match ? (typeByPrefix.get(match[1]) ?? null) : null;
}
