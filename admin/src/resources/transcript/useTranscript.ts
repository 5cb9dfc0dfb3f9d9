// The job's transcript for the view: read once, then replaced by what each save returns.
import { useCallback, useEffect, useState } from 'react';
import { useClient } from 'urql';
import { EditTranscriptSegmentMutation, RenameSpeakerMutation, TranscriptViewQuery } from '../../api/operations.ts';
import type { TranscriptJob } from './model.ts';

export interface TranscriptState {
  job: TranscriptJob | null;
  error: string | null;
  loading: boolean;
  /** Saves a segment's text on the revision shown; rejects with the server's message (a CONFLICT reloads first). */
  saveSegment: (segmentIndex: number, text: string) => Promise<void>;
  /** Names a speaker (blank: back to "Speaker n"). */
  renameSpeaker: (speaker: string, name: string) => Promise<void>;
}

export function useTranscript(jobId: string): TranscriptState {
  const client = useClient();
  const [job, setJob] = useState<TranscriptJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    const result = await client.query(TranscriptViewQuery, { id: jobId }, { requestPolicy: 'network-only' }).toPromise();
    if (result.error) setError(result.error.graphQLErrors[0]?.message ?? result.error.message);
    else if (!result.data?.job) setError('The job is not there any more.');
    else {
      setJob(result.data.job);
      setError(null);
    }
    setLoading(false);
  }, [client, jobId]);

  useEffect(() => {
    void load();
  }, [load]);

  const saveSegment = useCallback(
    async (segmentIndex: number, text: string) => {
      if (!job) return;
      const result = await client
        .mutation(EditTranscriptSegmentMutation, { input: { jobId, segmentIndex, text, expectedRevision: job.revision } })
        .toPromise();
      const failure = result.error?.graphQLErrors[0];
      if (failure?.extensions?.code === 'CONFLICT') await load();
      if (result.error) throw new Error(failure?.message ?? result.error.message);
      if (result.data) setJob(result.data.editTranscriptSegment);
    },
    [client, job, jobId, load],
  );

  const renameSpeaker = useCallback(
    async (speaker: string, name: string) => {
      const result = await client.mutation(RenameSpeakerMutation, { input: { jobId, speaker, name } }).toPromise();
      if (result.error) throw new Error(result.error.graphQLErrors[0]?.message ?? result.error.message);
      if (result.data) setJob(result.data.renameSpeaker);
    },
    [client, jobId],
  );

  return { job, error, loading, saveSegment, renameSpeaker };
}
