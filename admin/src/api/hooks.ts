// Hooks over the app's urql client and generated operations, with the same error handling as the data
// provider (ApiError: the server's message and code). Used by the account and project screens.
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { useCallback, useEffect, useState } from 'react';
import { useClient } from 'urql';
import { unwrap } from './client.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** Asks again (after a change); the old data stays on screen meanwhile. */
  reload: () => void;
}

/** Runs a query when the component mounts, when its variables change, and on reload(). */
export function useLoaded<T, V extends AnyVariables>(document: TypedDocumentNode<T, V>, variables: V): Loaded<T> {
  const client = useClient();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let live = true;
    client
      .query(document, JSON.parse(key) as V)
      .toPromise()
      .then((result) => {
        if (!live) return;
        setData(unwrap(result));
        setError(null);
      })
      .catch((failure: Error) => live && setError(failure.message));
    return () => {
      live = false;
    };
  }, [client, document, key, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, reload };
}

/** A mutation as a promise of its data (rejected with an ApiError). */
export function useMutate() {
  const client = useClient();
  return useCallback(
    async <T, V extends AnyVariables>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> =>
      unwrap(await client.mutation(document, variables).toPromise()),
    [client],
  );
}
