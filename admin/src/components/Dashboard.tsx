// The site administrators' first screen: job counts, the job runners, and charts over a chosen range.
// It polls the API (every POLL_MS while the tab is visible), so it stays current without a reload,
// and says when it last heard from the server.
import RefreshIcon from '@mui/icons-material/Refresh';
import {
  Alert,
  Box,
  Card,
  CardContent,
  Chip,
  Grid,
  IconButton,
  LinearProgress,
  MenuItem,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Title } from 'react-admin';
import { Link } from 'react-router-dom';
import { useClient } from 'urql';
import { unwrap } from '../api/client.ts';
import { DashboardQuery } from '../api/operations.ts';
import type { AdminDashboardQuery, TimelineBucketSize } from '../gql/graphql.ts';
import { formatMinutes } from './format.ts';

const DashboardCharts = lazy(() => import('./DashboardCharts.tsx').then((module) => ({ default: module.DashboardCharts })));

const POLL_MS = 5_000;
const HOUR = 3_600_000;

const RANGES: { id: string; label: string; hours: number; bucket: TimelineBucketSize }[] = [
  { id: '6h', label: 'Last 6 hours', hours: 6, bucket: 'HOUR' },
  { id: '24h', label: 'Last 24 hours', hours: 24, bucket: 'HOUR' },
  { id: '7d', label: 'Last 7 days', hours: 7 * 24, bucket: 'HOUR' },
  { id: '30d', label: 'Last 30 days', hours: 30 * 24, bucket: 'DAY' },
];

function Stat({ label, value, to, testId }: { label: string; value: string | number; to?: string; testId?: string }) {
  const body = (
    <Card variant="outlined" sx={{ height: '100%' }}>
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h5" data-testid={testId}>
          {value}
        </Typography>
      </CardContent>
    </Card>
  );
  return to ? (
    <Link to={to} style={{ textDecoration: 'none' }}>
      {body}
    </Link>
  ) : (
    body
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const jobsWith = (status: string) => `/jobs?filter=${encodeURIComponent(JSON.stringify({ status }))}`;

/** The dashboard's data, asked again every POLL_MS while the page is visible, and at once on a new range. */
function usePolledDashboard(rangeId: string) {
  const client = useClient();
  const [data, setData] = useState<AdminDashboardQuery | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const inFlight = useRef(false);

  const load = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    const range = RANGES.find((option) => option.id === rangeId) ?? RANGES[1];
    try {
      const from = new Date(Date.now() - range.hours * HOUR).toISOString();
      const result = unwrap(await client.query(DashboardQuery, { from, bucket: range.bucket }).toPromise());
      setData(result);
      setError(null);
      setUpdatedAt(new Date());
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      inFlight.current = false;
    }
  }, [client, rangeId]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, POLL_MS);
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [load]);

  return { data, error, updatedAt, reload: load };
}

export function Dashboard() {
  const [rangeId, setRangeId] = useState('24h');
  const { data, error, updatedAt, reload } = usePolledDashboard(rangeId);
  const stats = data?.adminJobStats;
  const runners = data?.adminJobRunners ?? [];
  const alive = runners.filter((runner) => runner.alive);
  const range = RANGES.find((option) => option.id === rangeId) ?? RANGES[1];

  return (
    // contain: the charts take the width the layout gives them instead of widening it (see account/index.tsx).
    <Box sx={{ p: { xs: 1, sm: 2 }, display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)', contain: 'inline-size' }}>
      <Title title="Parlance" />
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Typography variant="h5" sx={{ flex: 1, minWidth: 200 }}>
          Jobs across all users
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="dashboard-updated" aria-live="polite">
          {updatedAt ? `Updated ${updatedAt.toLocaleTimeString()}` : 'Loading…'}
        </Typography>
        <Tooltip title="Refresh now">
          <IconButton aria-label="Refresh now" onClick={() => void reload()}>
            <RefreshIcon />
          </IconButton>
        </Tooltip>
      </Box>
      {error && <Alert severity="error">{error} (retrying every {POLL_MS / 1000} s)</Alert>}
      {!data && !error && <LinearProgress />}
      {stats && (
        <Grid container spacing={2}>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Total" value={stats.total} to="/jobs" testId="stat-total" /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Queued" value={stats.queued} to={jobsWith('QUEUED')} testId="stat-queued" /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Processing" value={stats.processing} to={jobsWith('PROCESSING')} testId="stat-processing" /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Completed" value={stats.completed} to={jobsWith('COMPLETED')} testId="stat-completed" /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Failed" value={stats.failed} to={jobsWith('FAILED')} testId="stat-failed" /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Cancelled" value={stats.cancelled} to={jobsWith('CANCELLED')} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Success rate" value={`${Math.round(stats.successRate * 100)} %`} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Audio transcribed" value={formatMinutes(stats.audioSeconds)} to="/usage" /></Grid>
        </Grid>
      )}
      {data && (
        <Card variant="outlined">
          <CardContent sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }} data-testid="job-runners">
            <Typography variant="subtitle1" sx={{ mr: 1 }}>
              Job runners: {alive.length} alive, {plural(alive.reduce((sum, runner) => sum + runner.workers, 0), 'worker')}
            </Typography>
            {runners.length === 0 && (
              <Alert severity="warning" sx={{ py: 0 }}>
                No job runner has sent a heartbeat in the last hour: queued jobs wait.
              </Alert>
            )}
            {runners.map((runner) => (
              <Tooltip key={runner.id} title={`${runner.id}: last heartbeat ${new Date(runner.seenAt).toLocaleTimeString()}`}>
                <Chip
                  size="small"
                  color={runner.alive ? 'success' : 'error'}
                  label={`${runner.alive ? 'alive' : 'silent'} · ${plural(runner.workers, 'worker')}`}
                />
              </Tooltip>
            ))}
          </CardContent>
        </Card>
      )}
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <TextField select size="small" label="Charts over" value={rangeId} onChange={(event) => setRangeId(event.target.value)} sx={{ width: 200 }}>
          {RANGES.map((option) => (
            <MenuItem key={option.id} value={option.id}>
              {option.label}
            </MenuItem>
          ))}
        </TextField>
        <Typography variant="body2" color="text.secondary">
          Per {range.bucket === 'HOUR' ? 'hour' : 'UTC day'}
        </Typography>
      </Box>
      {data && (
        <Suspense fallback={<LinearProgress />}>
          <DashboardCharts rows={data.adminJobTimeline} hourly={range.bucket === 'HOUR'} />
        </Suspense>
      )}
    </Box>
  );
}
