// The operations of password reset and change (README, "Passwords: reset, change, breached list"),
// typed by graphql-codegen like operations.ts.
import { graphql } from '../gql/index.js';

export const RequestPasswordResetMutation = graphql(`
  mutation WebAppRequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

export const ResetPasswordMutation = graphql(`
  mutation WebAppResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation WebAppChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);
