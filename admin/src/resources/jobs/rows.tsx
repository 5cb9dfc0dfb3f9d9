// Pieces of the job lists: the progress bar of a row, and the phone-width list (one card per job,
// with its actions) that replaces the table where a table would overflow.
import { Box, Card, CardActionArea, CardContent, LinearProgress, Stack, Typography, useMediaQuery, type Theme } from '@mui/material';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { RecordContextProvider, useCreatePath, useListContext, useRecordContext, useResourceContext, type RaRecord } from 'react-admin';
import { formatDateTime, formatDuration } from '../../components/format.ts';
import { StatusChip } from '../../components/StatusChip.tsx';
import { JobRowActions } from './actions.tsx';

/** True below the `sm` breakpoint (600 px): lists show cards instead of tables. */
export const usePhoneWidth = () => useMediaQuery<Theme>((theme) => theme.breakpoints.down('sm'));

export function JobProgress({ compact = false }: { compact?: boolean }) {
  const record = useRecordContext();
  if (!record) return null;
  const percent = Math.round(Number(record.progress ?? 0) * 100);
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: compact ? 0 : 120 }} data-testid="row-progress">
      <LinearProgress variant="determinate" value={percent} sx={{ flex: 1 }} aria-label="Progress" />
      <Typography variant="caption">{percent}%</Typography>
    </Box>
  );
}

/** A job's name as its lists show it. */
export const jobName = (record: RaRecord) => (record.filename as string | null) ?? String(record.id);

/** One card per job at phone width: name, status, progress, when, and the row's actions. */
export function JobCards({ extra }: { extra?: (record: RaRecord) => ReactNode }) {
  const { data, isPending } = useListContext();
  const resource = useResourceContext()!;
  const createPath = useCreatePath();
  if (isPending || !data) return null;
  return (
    <Stack spacing={1} sx={{ p: 1 }} data-testid="job-cards">
      {data.map((record) => (
        <RecordContextProvider key={record.id} value={record}>
          <Card variant="outlined" data-testid="job-card">
            <CardActionArea component={Link} to={createPath({ resource, type: 'show', id: record.id })}>
              <CardContent sx={{ pb: 1 }}>
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
                  {/* Wraps anywhere: an unbroken long name must not widen the page on a phone. */}
                  <Typography variant="subtitle2" sx={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
                    {jobName(record)}
                  </Typography>
                  <StatusChip status={String(record.status)} />
                </Box>
                <JobProgress compact />
                <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.5 }}>
                  {formatDateTime(record.createdAt)} · {record.provider} · {formatDuration(record.mediaDurationSeconds)}
                  {extra?.(record)}
                </Typography>
              </CardContent>
            </CardActionArea>
            <Box sx={{ px: 1, pb: 0.5 }}>
              <JobRowActions />
            </Box>
          </Card>
        </RecordContextProvider>
      ))}
    </Stack>
  );
}
