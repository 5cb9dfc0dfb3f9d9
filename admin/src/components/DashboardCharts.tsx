// The dashboard's charts (loaded with the chart library when the dashboard first shows them): jobs
// finishing and failing, the queue, and how busy the job runners were, per hour or day.
import { Box, Card, CardContent, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AdminDashboardQuery } from '../gql/graphql.ts';

export type TimelineRow = AdminDashboardQuery['adminJobTimeline'][number];

function ChartCard({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Card variant="outlined" sx={{ minWidth: 0 }}>
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          {title}
        </Typography>
        <Box sx={{ width: '100%', height: 220 }} data-testid={testId}>
          <ResponsiveContainer width="100%" height="100%">
            {children as never}
          </ResponsiveContainer>
        </Box>
      </CardContent>
    </Card>
  );
}

export function DashboardCharts({ rows, hourly }: { rows: TimelineRow[]; hourly: boolean }) {
  const label = (start: string) => {
    const at = new Date(start);
    return hourly
      ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
      : at.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  };
  const data = rows.map((row) => ({ ...row, at: label(row.start) }));
  const axis = (
    <>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="at" minTickGap={16} />
    </>
  );
  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 380px), 1fr))' }}>
      <ChartCard title="Jobs finished and failed" testId="chart-failures">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          {axis}
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="completed" name="Completed" stackId="done" fill="#2e7d32" isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="done" fill="#d32f2f" isAnimationActive={false} />
          <Bar dataKey="cancelled" name="Cancelled" stackId="done" fill="#9e9e9e" isAnimationActive={false} />
          <Line dataKey="submitted" name="Submitted" stroke="#3f51b5" dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ChartCard>
      <ChartCard title="Queue depth (at the end of each period)" testId="chart-queue">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          {axis}
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Area dataKey="queued" name="Queued" stroke="#ef6c00" fill="#ffe0b2" isAnimationActive={false} />
          <Line dataKey="processing" name="Processing" stroke="#3f51b5" dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ChartCard>
      <ChartCard title="Workers busy (average)" testId="chart-workers">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          {axis}
          <YAxis />
          <Tooltip />
          <Legend />
          <Area dataKey="busyWorkers" name="Busy workers" stroke="#00796b" fill="#b2dfdb" isAnimationActive={false} />
        </ComposedChart>
      </ChartCard>
    </Box>
  );
}
