import { myPasskeys, deletePasskey, renamePasskey } from '../services/passkeys/manage.ts';
import { passkeyRegistrationOptions, registerPasskey } from '../services/passkeys/registration.ts';
import { passkeySecondFactorOptions } from '../services/passkeys/secondFactor.ts';
import { loginWithPasskey, passkeySignInOptions } from '../services/passkeys/signIn.ts';
import { AuthPayloadRef } from './auth.ts';
import { builder } from './builder.ts';

const PasskeyDeviceTypeEnum = builder.enumType('PasskeyDeviceType', {
  values: {
    SINGLE_DEVICE: { value: 'singleDevice', description: 'Bound to one authenticator (a security key, say).' },
    MULTI_DEVICE: { value: 'multiDevice', description: 'Synced between devices (a password manager or platform account).' },
  } as const,
});

builder.prismaNode('Passkey', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    deviceType: t.field({ type: PasskeyDeviceTypeEnum, resolve: (passkey) => passkey.deviceType as 'singleDevice' | 'multiDevice' }),
    backedUp: t.exposeBoolean('backedUp', { description: 'Whether the authenticator reports the passkey backed up (synced).' }),
    transports: t.exposeStringList('transports', { description: 'How the browser can reach the authenticator (internal, usb, hybrid, ...).' }),
  }),
});

builder.queryField('myPasskeys', (t) =>
  t.withAuth({ authenticated: true }).prismaField({
    type: ['Passkey'],
    description: "The signed-in user's passkeys, oldest first.",
    resolve: (query, _root, _args, context) => myPasskeys(context.deps, context.viewer, query),
  }),
);

builder.mutationFields((t) => ({
  passkeyRegistrationOptions: t.withAuth({ write: true }).string({
    description:
      'Begins adding a passkey to your account (a signed-in session, not an API key): PublicKeyCredentialCreationOptionsJSON as JSON text, for @simplewebauthn/browser startRegistration() or navigator.credentials.create(). Its challenge is single use and expires after 5 minutes.',
    resolve: (_root, _args, context) => passkeyRegistrationOptions(context.deps, context.viewer),
  }),
  registerPasskey: t.withAuth({ write: true }).prismaField({
    type: 'Passkey',
    description: "Finishes adding a passkey: `response` is the browser's RegistrationResponseJSON as JSON text. Audited.",
    args: { name: t.arg.string({ required: true }), response: t.arg.string({ required: true }) },
    resolve: (_query, _root, args, context) => registerPasskey(context.deps, context.viewer, args.name, args.response),
  }),
  renamePasskey: t.withAuth({ write: true }).prismaField({
    type: 'Passkey',
    description: 'Audited.',
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: (_query, _root, args, context) => renamePasskey(context.deps, context.viewer, args.id, args.name),
  }),
  deletePasskey: t.withAuth({ write: true }).prismaField({
    type: 'Passkey',
    description:
      "Deletes one of your passkeys; it signs in no more. Takes your account's password (accounts signed in through an external issuer have none). Wrong passwords count as failed logins. Audited.",
    args: { id: t.arg.id({ required: true }), password: t.arg.string() },
    resolve: (_query, _root, args, context) => deletePasskey(context.deps, context.viewer, context, args.id, args.password),
  }),
  passkeyLoginOptions: t.string({
    description:
      'Begins signing in with a passkey: PublicKeyCredentialRequestOptionsJSON as JSON text, for startAuthentication(). Without `challenge`: any passkey of this site, no username needed (then loginWithPasskey). With the `challenge` of an MFA_REQUIRED answer: only that account\'s passkeys, for the second step (then completeLogin with `passkey`). Single use, expires after 5 minutes; rate limited per address.',
    args: { challenge: t.arg.string({ description: 'The `challenge` of the MFA_REQUIRED error login answered.' }) },
    resolve: (_root, args, context) =>
      args.challenge
        ? passkeySecondFactorOptions(context.deps, args.challenge, context)
        : passkeySignInOptions(context.deps, context),
  }),
  loginWithPasskey: t.field({
    type: AuthPayloadRef,
    description:
      "Signs in with a passkey alone: `response` is the browser's AuthenticationResponseJSON as JSON text. The authenticator must have verified its user; the signature counter must rise (a replayed or copied passkey is refused and audited). Throttled like `login`.",
    args: { response: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => loginWithPasskey(context.deps, args.response, context),
  }),
}));
