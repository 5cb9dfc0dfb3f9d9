// The password pages act for someone who is not signed in (the reset link may open in a tab that still
// holds an ended session): their calls go without credentials.
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { createApiClient, unwrap } from '../../api/client.ts';

let anonymous: ReturnType<typeof createApiClient> | null = null;

export async function anonymousMutation<T, V extends AnyVariables>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
  anonymous ??= createApiClient({ url: new URL('/graphql', window.location.origin).toString() });
  return unwrap(await anonymous.client.mutation(document, variables).toPromise());
}
