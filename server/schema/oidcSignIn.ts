import type { OidcIssuerConfig } from '../env.ts';
import { completeOidcSignIn, oidcStartUrl, webSignInIssuers } from '../services/oidcSignIn.ts';
import { AuthPayloadRef } from './auth.ts';
import { builder } from './builder.ts';

const OidcSignInIssuerRef = builder.objectRef<OidcIssuerConfig>('OidcSignInIssuer').implement({
  description: 'An external OIDC issuer the web app offers a "Sign in with …" button for (OIDC_ISSUERS with a clientId).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Names the issuer in /auth/oidc/<key>/start.' }),
    displayName: t.exposeString('displayName'),
    startUrl: t.string({
      description: 'Where a browser goes to sign in with this issuer (on PUBLIC_URL, where the issuer sends it back).',
      resolve: (issuer, _args, context) => oidcStartUrl(context.deps.env, issuer.key),
    }),
  }),
});

const SignInOptionsRef = builder.objectRef<{ oidcIssuers: OidcIssuerConfig[] }>('SignInOptions').implement({
  description: 'How one may sign in to this server, for a login page.',
  fields: (t) => ({
    oidcIssuers: t.field({ type: [OidcSignInIssuerRef], resolve: (options) => options.oidcIssuers }),
  }),
});

builder.queryField('signInOptions', (t) =>
  t.field({
    type: SignInOptionsRef,
    description: 'Public: the external issuers offered for web sign-in.',
    resolve: (_root, _args, context) => ({ oidcIssuers: webSignInIssuers(context.deps.env) }),
  }),
);

builder.mutationField('completeOidcSignIn', (t) =>
  t.field({
    type: AuthPayloadRef,
    description:
      'Ends a web sign-in through an external issuer: trades the one-time code the callback (/auth/oidc/callback) handed the web app for a session. Single use, valid for 2 minutes.',
    args: { code: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => completeOidcSignIn(context.deps, args.code),
  }),
);
