import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { Title, useDataProvider, useNotify } from 'react-admin';
import { Link } from 'react-router-dom';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ParlanceDataProvider, UsageRow } from '../../api/dataProvider.ts';
import { formatMinutes, formatUsd } from '../../components/format.ts';

const DAY = 86_400_000;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

interface Report {
  byDay: UsageRow[];
  byProvider: UsageRow[];
  byUser: (UsageRow & { label: string })[];
  byProject: (UsageRow & { label: string })[];
}

export function totals(rows: UsageRow[]) {
  return rows.reduce(
    (sum, row) => ({
      jobs: sum.jobs + row.jobs,
      liveSessions: sum.liveSessions + row.liveSessions,
      audioSeconds: sum.audioSeconds + row.audioSeconds,
      costUsd: sum.costUsd + row.costUsd,
    }),
    { jobs: 0, liveSessions: 0, audioSeconds: 0, costUsd: 0 },
  );
}

/** Wide enough for every column; below that the table scrolls sideways inside its card, never clipped. */
export function UsageTable({
  title,
  rows,
  keyLabel,
  link,
  testId,
}: {
  title: string;
  rows: (UsageRow & { label?: string })[];
  keyLabel: string;
  link?: (key: string) => string | null;
  testId: string;
}) {
  const sum = totals(rows);
  const sorted = [...rows].sort((a, b) => b.audioSeconds - a.audioSeconds);
  return (
    <Card variant="outlined" sx={{ minWidth: 0 }}>
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          {title}
        </Typography>
        <TableContainer sx={{ overflowX: 'auto' }}>
          <Table size="small" data-testid={testId} sx={{ '& td, & th': { whiteSpace: 'nowrap' }, '& td:first-of-type': { whiteSpace: 'normal', wordBreak: 'break-word' } }}>
            <TableHead>
              <TableRow>
                <TableCell>{keyLabel}</TableCell>
                <TableCell align="right">Records</TableCell>
                <TableCell align="right">Live</TableCell>
                <TableCell align="right">Audio</TableCell>
                <TableCell align="right">Cost</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {sorted.length === 0 && (
                <TableRow>
                  <TableCell colSpan={5}>No usage in this range.</TableCell>
                </TableRow>
              )}
              {sorted.map((row) => {
                const to = link?.(row.key) ?? null;
                const label = row.label ?? row.key;
                return (
                  <TableRow key={row.key}>
                    <TableCell>{to ? <Link to={to}>{label}</Link> : label}</TableCell>
                    <TableCell align="right">{row.jobs}</TableCell>
                    <TableCell align="right">{row.liveSessions}</TableCell>
                    <TableCell align="right">{formatMinutes(row.audioSeconds)}</TableCell>
                    <TableCell align="right">{formatUsd(row.costUsd)}</TableCell>
                  </TableRow>
                );
              })}
              {sorted.length > 1 && (
                <TableRow>
                  <TableCell sx={{ fontWeight: 600 }}>Total</TableCell>
                  <TableCell align="right" sx={{ fontWeight: 600 }}>{sum.jobs}</TableCell>
                  <TableCell align="right" sx={{ fontWeight: 600 }}>{sum.liveSessions}</TableCell>
                  <TableCell align="right" sx={{ fontWeight: 600 }}>{formatMinutes(sum.audioSeconds)}</TableCell>
                  <TableCell align="right" sx={{ fontWeight: 600 }}>{formatUsd(sum.costUsd)}</TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
        </TableContainer>
      </CardContent>
    </Card>
  );
}

/** Audio minutes and estimated cost per day (chart), per provider, user and project (tables). */
export function UsagePage() {
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const notify = useNotify();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 29 * DAY)));
  const [to, setTo] = useState(isoDay(today));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      // The API's range is [from, to): the day after `to`, so the last day counts whole.
      const range = {
        from: new Date(`${from}T00:00:00Z`).toISOString(),
        to: new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY).toISOString(),
      };
      if (Number.isNaN(Date.parse(range.from)) || Number.isNaN(Date.parse(range.to))) throw new Error('Pick a valid date range.');
      if (range.from >= range.to) throw new Error('The range must end on or after the day it starts.');
      const [byDay, byProvider, byUser, byProject] = await Promise.all(
        (['DAY', 'PROVIDER', 'USER', 'PROJECT'] as const).map((groupBy) => dataProvider.usage({ ...range, groupBy })),
      );
      const userIds = byUser.map((row) => row.key);
      const projectIds = byProject.map((row) => row.key).filter((key) => key !== 'none');
      const [users, projects] = await Promise.all([
        userIds.length ? dataProvider.getMany('users', { ids: userIds }) : { data: [] },
        projectIds.length ? dataProvider.getMany('projects', { ids: projectIds }) : { data: [] },
      ]);
      const userName = new Map(users.data.map((user) => [String(user.id), String(user.username)]));
      const projectName = new Map(projects.data.map((project) => [String(project.id), String(project.name)]));
      setReport({
        byDay,
        byProvider,
        byUser: byUser.map((row) => ({ ...row, label: userName.get(row.key) ?? `${row.key} (deleted)` })),
        byProject: byProject.map((row) => ({
          ...row,
          label: row.key === 'none' ? '(no project)' : (projectName.get(row.key) ?? row.key),
        })),
      });
    } catch (failure) {
      const message = (failure as Error).message;
      setError(message);
      notify(message, { type: 'error' });
    } finally {
      setLoading(false);
    }
  }, [dataProvider, notify, from, to]);

  useEffect(() => {
    void load();
    // Loaded once on opening; the button reloads with a new range.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const chartData = (report?.byDay ?? []).map((row) => ({
    day: row.key.slice(5),
    minutes: Math.round((row.audioSeconds / 60) * 10) / 10,
    cost: Math.round(row.costUsd * 10_000) / 10_000,
  }));
  const sum = totals(report?.byDay ?? []);

  return (
    <Box sx={{ p: 2 }}>
      <Title title="Usage" />
      <Box
        component="form"
        onSubmit={(event) => {
          event.preventDefault();
          void load();
        }}
        sx={{ display: 'flex', gap: 2, alignItems: 'center', mb: 2, flexWrap: 'wrap' }}
      >
        <TextField label="From" type="date" size="small" fullWidth={false} sx={{ width: 190 }} value={from} onChange={(event) => setFrom(event.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        <TextField label="To" type="date" size="small" fullWidth={false} sx={{ width: 190 }} value={to} onChange={(event) => setTo(event.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        <Button type="submit" variant="contained" disabled={loading}>
          Show
        </Button>
        {report && (
          <Typography variant="body2" color="text.secondary" data-testid="usage-total">
            {formatMinutes(sum.audioSeconds)} · {formatUsd(sum.costUsd)} · {sum.jobs} record{sum.jobs === 1 ? "" : "s"}
          </Typography>
        )}
      </Box>
      {loading && <LinearProgress sx={{ mb: 2 }} />}
      {error && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {error}
        </Alert>
      )}
      {report && (
        <>
          <Card variant="outlined" sx={{ mb: 2 }}>
            <CardContent>
              <Typography variant="subtitle1" gutterBottom>
                Audio minutes and estimated cost per day (UTC)
              </Typography>
              <Box sx={{ width: '100%', height: 320 }} data-testid="usage-chart">
                <ResponsiveContainer width="100%" height="100%">
                  <ComposedChart data={chartData} margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" />
                    <YAxis yAxisId="minutes" label={{ value: 'minutes', angle: -90, position: 'insideLeft' }} />
                    <YAxis yAxisId="cost" orientation="right" label={{ value: 'USD', angle: 90, position: 'insideRight' }} />
                    <Tooltip />
                    <Legend />
                    <Bar yAxisId="minutes" dataKey="minutes" name="Audio minutes" fill="#3f51b5" isAnimationActive={false} />
                    <Line yAxisId="cost" dataKey="cost" name="Cost (USD)" stroke="#e65100" dot={false} isAnimationActive={false} />
                  </ComposedChart>
                </ResponsiveContainer>
              </Box>
            </CardContent>
          </Card>
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 420px), 1fr))' }}>
            <UsageTable title="By provider" keyLabel="Provider" rows={report.byProvider} testId="usage-by-provider" />
            <UsageTable
              title="By user"
              keyLabel="User"
              rows={report.byUser}
              testId="usage-by-user"
              link={(key) => `/users/${encodeURIComponent(key)}/show`}
            />
            <UsageTable
              title="By project"
              keyLabel="Project"
              rows={report.byProject}
              testId="usage-by-project"
              link={(key) => (key === 'none' ? null : `/projects/${encodeURIComponent(key)}/show`)}
            />
          </Box>
        </>
      )}
    </Box>
  );
}
