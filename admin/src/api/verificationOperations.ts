// The operations of email verification and the registration policy (README, "Email verification",
// "Registration policy"), typed by graphql-codegen like operations.ts.
import { graphql } from '../gql/index.js';

export const RegistrationPolicyQuery = graphql(`
  query WebAppRegistrationPolicy {
    registrationPolicy { mode allowedDomains emailVerificationRequired }
  }
`);

export const MyVerificationQuery = graphql(`
  query WebAppMyVerification {
    me { id email emailVerified }
    registrationPolicy { emailVerificationRequired }
  }
`);

export const VerifyEmailMutation = graphql(`
  mutation WebAppVerifyEmail($token: String!) {
    verifyEmail(token: $token) { email }
  }
`);

export const ResendVerificationMutation = graphql(`
  mutation WebAppResendVerification {
    resendVerification
  }
`);
