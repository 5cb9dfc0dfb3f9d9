import { Alert, Box, Card, CardContent, Grid, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title, useDataProvider, useNotify } from 'react-admin';
import { Link } from 'react-router-dom';
import type { JobStats, ParlanceDataProvider } from '../api/dataProvider.ts';
import { formatMinutes } from './format.ts';

function Stat({ label, value, to }: { label: string; value: string | number; to?: string }) {
  const body = (
    <Card variant="outlined" sx={{ height: '100%' }}>
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h5">{value}</Typography>
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

const jobsWith = (status: string) => `/jobs?filter=${encodeURIComponent(JSON.stringify({ status }))}`;

export function Dashboard() {
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const notify = useNotify();
  const [stats, setStats] = useState<JobStats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    dataProvider.jobStats().then(
      (result) => live && setStats(result),
      (failure: Error) => {
        if (!live) return;
        setError(failure.message);
        notify(failure.message, { type: 'error' });
      },
    );
    return () => {
      live = false;
    };
  }, [dataProvider, notify]);

  return (
    <Box sx={{ p: 2 }}>
      <Title title="Parlance" />
      <Typography variant="h5" gutterBottom>
        Jobs across all users
      </Typography>
      {error && <Alert severity="error">{error}</Alert>}
      {stats && (
        <Grid container spacing={2}>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Total" value={stats.total} to="/jobs" /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Queued" value={stats.queued} to={jobsWith('QUEUED')} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Processing" value={stats.processing} to={jobsWith('PROCESSING')} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Completed" value={stats.completed} to={jobsWith('COMPLETED')} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Failed" value={stats.failed} to={jobsWith('FAILED')} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Cancelled" value={stats.cancelled} to={jobsWith('CANCELLED')} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Success rate" value={`${Math.round(stats.successRate * 100)} %`} /></Grid>
          <Grid size={{ xs: 6, md: 3 }}><Stat label="Audio transcribed" value={formatMinutes(stats.audioSeconds)} to="/usage" /></Grid>
        </Grid>
      )}
    </Box>
  );
}
