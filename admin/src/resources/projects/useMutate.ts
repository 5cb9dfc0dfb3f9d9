// Runs one generated mutation through the app's urql client: its data, or an ApiError with the
// server's message (what the notification shows).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback } from 'react';
import { useClient, type AnyVariables } from 'urql';
import { unwrap } from '../../api/client.ts';

export function useMutate() {
  const client = useClient();
  return useCallback(
    async <Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data> =>
      unwrap(await client.mutation(document, variables).toPromise()),
    [client],
  );
}
