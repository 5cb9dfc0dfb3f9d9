/**
 * The browser's answers (@simplewebauthn/browser's startRegistration / startAuthentication), sent as
 * JSON text: parsed and shape-checked here before anything looks them up.
 */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { badInput } from '../../errors.ts';

/** Far above any real answer (a few KiB with attestation certificates). */
const MAX_RESPONSE_CHARS = 64 * 1024;
const base64url = z.string().min(1).max(MAX_RESPONSE_CHARS).regex(/^[A-Za-z0-9_-]+={0,2}$/);

const registrationSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    transports: z.array(z.string().max(32)).max(10).optional(),
  }).passthrough(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

const authenticationSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

function parse<T>(text: string, schema: z.ZodType<T>, what: string): T {
  if (text.length > MAX_RESPONSE_CHARS) throw badInput(`The ${what} is too large.`, 'response');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badInput(`The ${what} must be JSON (what the browser's passkey call returned).`, 'response');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badInput(`The ${what} is not a WebAuthn ${what}.`, 'response');
  return parsed.data;
}

export const parseRegistration = (text: string) =>
  parse(text, registrationSchema, 'registration response') as unknown as RegistrationResponseJSON;

export const parseAssertion = (text: string) =>
  parse(text, authenticationSchema, 'assertion') as unknown as AuthenticationResponseJSON;
