// The operations of two-factor authentication (README, "Two-factor authentication (TOTP)"), typed by
// graphql-codegen like operations.ts.
import { graphql } from '../gql/index.js';

export const CompleteLoginMutation = graphql(`
  mutation WebAppCompleteLogin($input: CompleteLoginInput!) {
    completeLogin(input: $input) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);

export const MyTwoFactorQuery = graphql(`
  query WebAppMyTwoFactor {
    me { id mfaEnabled secondFactors recoveryCodesRemaining }
  }
`);

export const EnrollTotpMutation = graphql(`
  mutation WebAppEnrollTotp {
    enrollTotp { secret uri }
  }
`);

export const ConfirmTotpMutation = graphql(`
  mutation WebAppConfirmTotp($code: String!) {
    confirmTotp(code: $code)
  }
`);

export const RegenerateRecoveryCodesMutation = graphql(`
  mutation WebAppRegenerateRecoveryCodes($code: String!) {
    regenerateRecoveryCodes(code: $code)
  }
`);

export const DisableTotpMutation = graphql(`
  mutation WebAppDisableTotp($input: DisableTotpInput!) {
    disableTotp(input: $input) { id mfaEnabled }
  }
`);
