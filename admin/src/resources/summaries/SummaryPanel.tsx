// The transcript page's summary: a Summarize button (owner or admin), the summary while it is made
// (PENDING, RUNNING) and once it is there, key points and action items whose time ranges seek the
// player, a note when the transcript was corrected after it was made, and the reason when it failed.
import { Alert, Box, Button, CircularProgress, Paper, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { useClient, useQuery } from 'urql';
import { JobSummaryQuery, SummarizeJobMutation } from './operations.ts';
import { TimeRangeLink } from './TimeRangeLink.tsx';

/** How often a summary being made is looked at again. */
const POLL_MS = 1500;

interface Point {
  text: string;
  ranges: Array<{ start: number; end: number }>;
}

function PointList({ title, points, onSeek, testId }: { title: string; points: readonly Point[]; onSeek: (seconds: number) => void; testId: string }) {
  if (points.length === 0) return null;
  return (
    <Box>
      <Typography variant="subtitle2">{title}</Typography>
      <Box component="ul" sx={{ m: 0, pl: 2.5 }} data-testid={testId}>
        {points.map((point, i) => (
          <Box component="li" key={i} sx={{ mb: 0.5 }}>
            <Typography variant="body2" component="span" sx={{ mr: 0.75 }}>
              {point.text}
            </Typography>
            {point.ranges.map((range) => (
              <TimeRangeLink key={range.start} start={range.start} end={range.end} onSeek={onSeek} />
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

export function SummaryPanel({ jobId, canEdit, onSeek }: { jobId: string; canEdit: boolean; onSeek: (seconds: number) => void }) {
  const client = useClient();
  const notify = useNotify();
  const [{ data, error }, reload] = useQuery({ query: JobSummaryQuery, variables: { id: jobId }, requestPolicy: 'network-only' });
  const [asking, setAsking] = useState(false);
  const job = data?.job;
  const working = job?.summaryStatus === 'PENDING' || job?.summaryStatus === 'RUNNING';

  useEffect(() => {
    if (!working) return;
    const timer = setTimeout(() => reload({ requestPolicy: 'network-only' }), POLL_MS);
    return () => clearTimeout(timer);
  }, [working, data, reload]);

  const summarize = async () => {
    setAsking(true);
    const result = await client.mutation(SummarizeJobMutation, { jobId }).toPromise();
    setAsking(false);
    if (result.error) notify(result.error.graphQLErrors[0]?.message ?? result.error.message, { type: 'error' });
    else reload({ requestPolicy: 'network-only' });
  };

  if (error) return <Alert severity="error">{error.graphQLErrors[0]?.message ?? error.message}</Alert>;
  if (!job || job.status !== 'COMPLETED') return null;
  const summary = job.summary;
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="summary-panel">
      <Stack spacing={1}>
        <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
          <Typography variant="subtitle1">Summary</Typography>
          {canEdit && (
            <Button size="small" onClick={() => void summarize()} disabled={asking || working}>
              {summary ? 'Summarize again' : 'Summarize'}
            </Button>
          )}
        </Stack>
        {working && (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid="summary-working">
            <CircularProgress size={16} />
            <Typography variant="body2">{job.summaryStatus === 'PENDING' ? 'Queued…' : 'Summarizing…'}</Typography>
          </Stack>
        )}
        {job.summaryStatus === 'FAILED' && job.summaryError && (
          <Alert severity="warning" data-testid="summary-error">
            {job.summaryError}
          </Alert>
        )}
        {summary ? (
          <>
            <Typography variant="body2" data-testid="summary-text" sx={{ whiteSpace: 'pre-line' }}>
              {summary.text}
            </Typography>
            <PointList title="Key points" points={summary.keyPoints} onSeek={onSeek} testId="summary-key-points" />
            <PointList title="Action items" points={summary.actionItems} onSeek={onSeek} testId="summary-action-items" />
            {summary.revision !== job.revision && (
              <Typography variant="caption" color="text.secondary" data-testid="summary-stale">
                Made before the latest corrections{canEdit ? ': summarize again to include them.' : '.'}
              </Typography>
            )}
          </>
        ) : (
          !working && (
            <Typography variant="body2" color="text.secondary">
              No summary yet.
            </Typography>
          )
        )}
      </Stack>
    </Paper>
  );
}
