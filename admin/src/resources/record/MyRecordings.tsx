// The contributor's own recordings in a project, newest review state first as the queue orders them.
import { Alert, Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { toApiError } from '../../api/client.ts';
import { MyRecordingsQuery } from '../../api/operations.ts';
import { formatDateTime, formatDuration } from '../../components/format.ts';
import { StatusChip } from '../../components/StatusChip.tsx';

/** Submitted takes become recordings once the worker has aggregated them: look again now and then. */
const REFRESH_MS = 5_000;

export function MyRecordings({ projectId, speakerId, refreshKey }: { projectId: string; speakerId: string; refreshKey: number }) {
  const [result, reexecute] = useQuery({
    query: MyRecordingsQuery,
    variables: { projectId, speakerId, first: 50 },
    requestPolicy: 'network-only',
  });
  useEffect(() => {
    const timer = setInterval(() => reexecute({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reexecute]);
  useEffect(() => {
    if (refreshKey > 0) reexecute({ requestPolicy: 'network-only' });
  }, [refreshKey, reexecute]);

  const rows = result.data?.project?.recordings.edges.map((edge) => edge.node) ?? [];
  return (
    <Box component="section" aria-labelledby="my-recordings-title">
      <Typography variant="h6" component="h2" id="my-recordings-title" sx={{ mb: 1 }}>
        Your recordings
      </Typography>
      {result.error && !result.data ? (
        <Alert severity="error">{toApiError(result.error).message}</Alert>
      ) : rows.length === 0 ? (
        <Typography color="text.secondary" data-testid="my-recordings-empty">
          {result.fetching && !result.data ? 'Loading…' : 'None yet. A take you submit appears here once it is processed (a few seconds).'}
        </Typography>
      ) : (
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Prompt</TableCell>
                <TableCell>Review</TableCell>
                <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Length</TableCell>
                <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Recorded</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.id} data-testid="my-recording" data-recording-id={row.id}>
                  <TableCell>
                    {row.prompt?.text ?? <em>(no prompt)</em>}
                    {row.reviewNote && (
                      <Typography variant="body2" color="text.secondary">
                        Reviewer's note: “{row.reviewNote}”
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell data-testid="my-recording-status">
                    <StatusChip status={row.reviewStatus} />
                  </TableCell>
                  <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>{formatDuration(row.durationSeconds)}</TableCell>
                  <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' }, whiteSpace: 'nowrap' }}>{formatDateTime(row.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Box>
  );
}
