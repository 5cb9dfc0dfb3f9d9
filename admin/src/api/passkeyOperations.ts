// The passkey operations of the web app (the account page's Passkeys tab and the login page).
import { graphql } from '../gql/index.js';

export const PasskeyFields = graphql(`
  fragment PasskeyFields on Passkey { id name createdAt lastUsedAt deviceType backedUp transports }
`);

export const MyPasskeysQuery = graphql(`
  query AccountPasskeys {
    myPasskeys { ...PasskeyFields }
  }
`);

export const PasskeyRegistrationOptionsMutation = graphql(`
  mutation AccountPasskeyRegistrationOptions {
    passkeyRegistrationOptions
  }
`);

export const RegisterPasskeyMutation = graphql(`
  mutation AccountRegisterPasskey($name: String!, $response: String!) {
    registerPasskey(name: $name, response: $response) { ...PasskeyFields }
  }
`);

export const RenamePasskeyMutation = graphql(`
  mutation AccountRenamePasskey($id: ID!, $name: String!) {
    renamePasskey(id: $id, name: $name) { ...PasskeyFields }
  }
`);

export const DeletePasskeyMutation = graphql(`
  mutation AccountDeletePasskey($id: ID!, $password: String) {
    deletePasskey(id: $id, password: $password) { id }
  }
`);

export const PasskeyLoginOptionsMutation = graphql(`
  mutation WebAppPasskeyLoginOptions($challenge: String) {
    passkeyLoginOptions(challenge: $challenge)
  }
`);

export const LoginWithPasskeyMutation = graphql(`
  mutation WebAppLoginWithPasskey($response: String!) {
    loginWithPasskey(response: $response) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id username email role isActive }
    }
  }
`);
