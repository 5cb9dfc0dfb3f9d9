// Live job lists: status and progress arrive over the app's graphql-ws socket and are written into
// react-admin's query cache (the list and the job page read the same records), so nothing needs a
// manual refresh. A user's list follows `myJobUpdated` (every job of theirs, new ones included); the
// admins' list of every user's jobs follows `jobUpdated(id)` for each unfinished row on screen and
// looks for new rows now and then (no subscription spans every user's jobs).
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useListContext, type RaRecord } from 'react-admin';
import type { OperationResult, OperationResultSource } from '@urql/core';
import { useClient } from 'urql';
import { JobUpdatedSubscription, MyJobUpdatedSubscription } from '../../api/operations.ts';
import { isTerminal } from './status.ts';

interface LiveJob {
  id: string;
  status: string;
  progress: number;
  owner?: { id: string } | null;
  [field: string]: unknown;
}

interface CachedList {
  data: RaRecord[];
  [key: string]: unknown;
}

/** How often the admins' list of every user's jobs looks for new rows. */
const NEW_ROWS_EVERY_MS = 10_000;

/**
 * Writes a job event into every cached list page and job page of `resource`; true when a cached
 * list held the job (false: a job no list has yet, e.g. a new one).
 */
export function patchCachedJob(queryClient: QueryClient, resource: string, job: LiveJob): boolean {
  let listed = false;
  const merge = (record: RaRecord) => ({ ...record, ...job, userId: job.owner?.id ?? record.userId });
  queryClient.setQueriesData<CachedList>({ queryKey: [resource, 'getList'] }, (cached) => {
    if (!cached?.data?.some((record) => record.id === job.id)) return cached;
    listed = true;
    return { ...cached, data: cached.data.map((record) => (record.id === job.id ? merge(record) : record)) };
  });
  queryClient.setQueriesData<RaRecord>({ queryKey: [resource, 'getOne'] }, (cached) =>
    cached && cached.id === job.id ? merge(cached) : cached,
  );
  return listed;
}

/** A stream that ends this soon after it started counts as a quick failure; more than MAX_QUICK_FAILURES in a row give up. */
const QUICK_FAILURE_MS = 10_000;
const MAX_QUICK_FAILURES = 3;

/**
 * Follows a subscription and subscribes again when it ends with an error: the server re-checks the
 * access token at each event, so a stream outlives its token only this way (the client takes a fresh
 * token, on a new socket), and a socket that gave up reconnecting gets another chance. Each new
 * stream calls onResubscribed (to read again what the gap may have missed). Returns the unsubscribe.
 */
function follow<Data>(
  open: () => OperationResultSource<OperationResult<Data>>,
  onData: (data: Data) => void,
  handlers: { onResubscribed?: () => void; onGiveUp?: (reason: string) => void } = {},
): () => void {
  let closed = false;
  let current: { unsubscribe: () => void } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let quickFailures = 0;
  const start = () => {
    const startedAt = Date.now();
    current = open().subscribe((result) => {
      if (closed) return;
      if (result.error) {
        quickFailures = Date.now() - startedAt < QUICK_FAILURE_MS ? quickFailures + 1 : 1;
        if (quickFailures > MAX_QUICK_FAILURES) return handlers.onGiveUp?.(result.error.message);
        timer = setTimeout(() => {
          start();
          handlers.onResubscribed?.();
        }, 1_000 * (quickFailures - 1));
        return;
      }
      if (result.data) onData(result.data);
    });
  };
  start();
  return () => {
    closed = true;
    clearTimeout(timer);
    current?.unsubscribe();
  };
}

/** Follows every job of the signed-in user; returns the reason live updates stopped, if they did. */
export function useMyJobsLive(resource: string): string | null {
  const client = useClient();
  const queryClient = useQueryClient();
  const [stopped, setStopped] = useState<string | null>(null);
  useEffect(() => {
    const readListAgain = () => void queryClient.invalidateQueries({ queryKey: [resource, 'getList'] });
    return follow(
      () => client.subscription(MyJobUpdatedSubscription, {}),
      (data) => {
        setStopped(null);
        // A job no page shows yet (just created, maybe in another tab): read the list again.
        if (!patchCachedJob(queryClient, resource, data.myJobUpdated)) readListAgain();
      },
      { onResubscribed: readListAgain, onGiveUp: setStopped },
    );
  }, [client, queryClient, resource]);
  return stopped;
}

/**
 * For a list of every user's jobs (inside its <List>): follows each unfinished row on screen, and
 * reads the list again every NEW_ROWS_EVERY_MS while the tab is visible, for new jobs.
 */
export function useJobRowsLive(resource: string): void {
  const client = useClient();
  const queryClient = useQueryClient();
  const { data, refetch } = useListContext();
  const unfinished = useMemo(
    () =>
      (data ?? [])
        .filter((record) => !isTerminal(record.status))
        .map((record) => String(record.id))
        .sort()
        .join(' '),
    [data],
  );

  useEffect(() => {
    if (!unfinished) return;
    const stops = unfinished
      .split(' ')
      .map((id) => follow(() => client.subscription(JobUpdatedSubscription, { id }), (data) => patchCachedJob(queryClient, resource, data.jobUpdated)));
    return () => stops.forEach((stop) => stop());
  }, [client, queryClient, resource, unfinished]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refetch();
    }, NEW_ROWS_EVERY_MS);
    return () => clearInterval(timer);
  }, [refetch]);
}
