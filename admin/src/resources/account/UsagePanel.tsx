import { Alert, Box, Card, CardContent, LinearProgress, MenuItem, TextField, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import * as ops from '../../api/operations.ts';
import { formatMinutes, formatUsd } from '../../components/format.ts';
import { totals, UsageTable } from '../usage/index.tsx';
import { useLoaded } from '../../api/hooks.ts';

const DAY = 86_400_000;
const RANGES = [7, 30, 90, 365] as const;

/** The signed-in user's quota this month, and their usage (plus their projects') per day and per engine. */
export function UsagePanel() {
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  // Whole UTC days, today included: [start of the first day, start of tomorrow).
  const range = useMemo(() => {
    const tomorrow = new Date();
    tomorrow.setUTCHours(0, 0, 0, 0);
    const to = new Date(tomorrow.getTime() + DAY);
    return { from: new Date(to.getTime() - days * DAY).toISOString(), to: to.toISOString() };
  }, [days]);
  const loaded = useLoaded(ops.MyAccountQuery, range);
  const me = loaded.data?.me;
  const quota = me?.quota;
  const limitSeconds = quota?.monthlyAudioMinutes != null ? quota.monthlyAudioMinutes * 60 : null;
  const used = (quota?.usedAudioSecondsThisMonth ?? 0) + (quota?.reservedAudioSeconds ?? 0);
  const byDay = loaded.data?.byDay ?? [];
  const sum = totals(byDay);
  const chartData = byDay.map((row) => ({
    day: row.key.slice(5),
    minutes: Math.round((row.audioSeconds / 60) * 10) / 10,
    cost: Math.round(row.costUsd * 10_000) / 10_000,
  }));

  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      {loaded.error && <Alert severity="error">{loaded.error}</Alert>}
      {!loaded.data && !loaded.error && <LinearProgress />}
      {quota && (
        <Card variant="outlined" data-testid="my-quota">
          <CardContent>
            <Typography variant="subtitle2" color="text.secondary">
              Your monthly quota (UTC month)
            </Typography>
            <Typography variant="h6">{limitSeconds === null ? 'No quota' : `${quota.monthlyAudioMinutes} minutes`}</Typography>
            {limitSeconds !== null && limitSeconds > 0 && (
              <LinearProgress
                variant="determinate"
                aria-label="Quota used"
                value={Math.min(100, (used / limitSeconds) * 100)}
                sx={{ my: 1 }}
                color={used >= limitSeconds ? 'error' : 'primary'}
              />
            )}
            <Typography variant="body2">Used this month: {formatMinutes(quota.usedAudioSecondsThisMonth)}</Typography>
            <Typography variant="body2">Reserved by work in progress: {formatMinutes(quota.reservedAudioSeconds)}</Typography>
            {quota.remainingAudioSeconds != null && <Typography variant="body2">Remaining: {formatMinutes(quota.remainingAudioSeconds)}</Typography>}
            <Typography variant="body2" color="text.secondary">
              Resets {new Date(quota.resetsAt).toLocaleDateString()}
            </Typography>
          </CardContent>
        </Card>
      )}
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField
          select
          size="small"
          label="Range"
          value={days}
          onChange={(event) => setDays(Number(event.target.value) as (typeof RANGES)[number])}
          sx={{ width: 180 }}
        >
          {RANGES.map((option) => (
            <MenuItem key={option} value={option}>
              Last {option} days
            </MenuItem>
          ))}
        </TextField>
        {loaded.data && (
          <Typography variant="body2" color="text.secondary" data-testid="my-usage-total">
            {formatMinutes(sum.audioSeconds)} · {formatUsd(sum.costUsd)} · {sum.jobs} record{sum.jobs === 1 ? '' : 's'}
          </Typography>
        )}
      </Box>
      {loaded.data && (
        <>
          <Card variant="outlined">
            <CardContent>
              <Typography variant="subtitle1" gutterBottom>
                Your audio minutes and estimated cost per day (UTC), with the projects you own or administer
              </Typography>
              <Box sx={{ width: '100%', height: 260 }} data-testid="my-usage-chart">
                <ResponsiveContainer width="100%" height="100%">
                  <ComposedChart data={chartData} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" />
                    <YAxis yAxisId="minutes" width={60} />
                    <YAxis yAxisId="cost" orientation="right" width={44} />
                    <Tooltip />
                    <Legend />
                    <Bar yAxisId="minutes" dataKey="minutes" name="Audio minutes" fill="#3f51b5" isAnimationActive={false} />
                    <Line yAxisId="cost" dataKey="cost" name="Cost (USD)" stroke="#e65100" dot={false} isAnimationActive={false} />
                  </ComposedChart>
                </ResponsiveContainer>
              </Box>
            </CardContent>
          </Card>
          <UsageTable title="By engine" keyLabel="Engine" rows={loaded.data.byProvider} testId="my-usage-by-provider" />
        </>
      )}
    </Box>
  );
}
