// Deleting an account (README, "Deleting your account"), typed by graphql-codegen like operations.ts.
import { graphql } from '../gql/index.js';

export const DeleteAccountMutation = graphql(`
  mutation WebAppDeleteAccount($input: DeleteAccountInput!) {
    deleteAccount(input: $input)
  }
`);

export const AdminDeleteUserMutation = graphql(`
  mutation AdminDeleteUser($id: ID!) {
    adminDeleteUser(id: $id)
  }
`);
