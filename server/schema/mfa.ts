import { completeLogin } from '../services/mfa/loginChallenge.ts';
import { remainingRecoveryCodes } from '../services/mfa/recoveryCodes.ts';
import { secondFactorMethods } from '../services/mfa/secondFactors.ts';
import { checkSecondFactorCode, confirmTotp, disableTotp, enrollTotp, regenerateRecoveryCodes } from '../services/mfa/totp.ts';
import { verifyPasskeySecondFactor } from '../services/passkeys/secondFactor.ts';
import { AuthPayloadRef } from './auth.ts';
import { builder } from './builder.ts';
import { canSeePrivate, UserRef } from './users.ts';

const SecondFactorMethodEnum = builder.enumType('SecondFactorMethod', {
  description: 'A way to pass the second step of a login (the `methods` of an MFA_REQUIRED error).',
  values: {
    TOTP: { description: 'A six-digit code from an authenticator app.' },
    RECOVERY_CODE: { description: 'One of the single-use recovery codes given when TOTP was turned on.' },
    PASSKEY: { description: 'A passkey registered on the account.' },
  } as const,
});

const TotpEnrollmentRef = builder.objectRef<{ secret: string; uri: string }>('TotpEnrollment').implement({
  description: 'A new TOTP secret, shown this once: add it to an authenticator app, then confirmTotp with a code.',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'Base32, for typing into the app by hand.' }),
    uri: t.exposeString('uri', { description: 'The otpauth:// URI (what a QR code holds).' }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  secondFactors: t.field({
    type: [SecondFactorMethodEnum],
    nullable: true,
    description: 'The second factors the login of this account asks for (empty: none). The user themself and admins only.',
    resolve: (user, _args, context, info) => (canSeePrivate(user, context, info) ? secondFactorMethods(context.deps.db, user.id) : null),
  }),
  mfaEnabled: t.boolean({
    nullable: true,
    description: 'Whether login needs a second factor. The user themself and admins only.',
    resolve: async (user, _args, context, info) =>
      canSeePrivate(user, context, info) ? (await secondFactorMethods(context.deps.db, user.id)).length > 0 : null,
  }),
  recoveryCodesRemaining: t.int({
    nullable: true,
    description: 'Unused recovery codes. The user themself and admins only.',
    resolve: (user, _args, context, info) => (canSeePrivate(user, context, info) ? remainingRecoveryCodes(context.deps.db, user.id) : null),
  }),
}));

const CompleteLoginInput = builder.inputType('CompleteLoginInput', {
  fields: (t) => ({
    challenge: t.string({ required: true, description: 'The `challenge` of the MFA_REQUIRED error login answered.' }),
    code: t.string({ description: 'A code from the authenticator app, or a recovery code.' }),
    passkey: t.string({
      description:
        "Instead of a code: the browser's AuthenticationResponseJSON (JSON text) for the options of passkeyLoginOptions(challenge).",
    }),
  }),
});

const DisableTotpInput = builder.inputType('DisableTotpInput', {
  fields: (t) => ({
    code: t.string({ description: 'A current code from the authenticator app, or a recovery code.' }),
    password: t.string({ description: 'The account password, instead of a code.' }),
  }),
});

builder.mutationFields((t) => ({
  completeLogin: t.field({
    type: AuthPayloadRef,
    description:
      'The second step of a login that answered MFA_REQUIRED: the challenge and a code. Five wrong codes cancel the challenge.',
    args: { input: t.arg({ type: CompleteLoginInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const passkey = input.passkey;
      if (passkey) {
        return completeLogin(context.deps, context, {
          challenge: input.challenge,
          amr: 'hwk',
          verify: (user) => verifyPasskeySecondFactor(context.deps, user, input.challenge, passkey),
        });
      }
      const code = input.code ?? '';
      return completeLogin(context.deps, context, {
        challenge: input.challenge,
        amr: 'otp',
        verify: async (user) => code.length > 0 && code.length <= 64 && (await checkSecondFactorCode(context.deps, user, code)) !== null,
      });
    },
  }),
  enrollTotp: t.withAuth({ write: true }).field({
    type: TotpEnrollmentRef,
    description: 'Starts turning on TOTP (again, if a previous enrollment was not confirmed). Refused while it is on.',
    resolve: (_root, _args, context) => enrollTotp(context.deps, context.viewer),
  }),
  confirmTotp: t.withAuth({ write: true }).stringList({
    description: 'Turns TOTP on with a first code; returns ten single-use recovery codes, shown this once.',
    args: { code: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => confirmTotp(context.deps, context.viewer, args.code),
  }),
  disableTotp: t.withAuth({ write: true }).prismaField({
    type: 'User',
    description: 'Turns TOTP off and deletes the recovery codes, proven by a code or the password.',
    args: { input: t.arg({ type: DisableTotpInput, required: true }) },
    resolve: (_query, _root, { input }, context) => disableTotp(context.deps, context.viewer, input),
  }),
  regenerateRecoveryCodes: t.withAuth({ write: true }).stringList({
    description: 'Ten new recovery codes (the old ones stop working), proven by a current TOTP code; shown this once.',
    args: { code: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => regenerateRecoveryCodes(context.deps, context.viewer, args.code),
  }),
}));
