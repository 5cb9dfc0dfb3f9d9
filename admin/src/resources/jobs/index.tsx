import CancelIcon from '@mui/icons-material/Cancel';
import DownloadIcon from '@mui/icons-material/Download';
import ReplayIcon from '@mui/icons-material/Replay';
import { Alert, Box, Card, CardContent, Chip, Grid, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  AutocompleteInput,
  Button,
  Confirm,
  Datagrid,
  DateField,
  DateInput,
  DeleteWithConfirmButton,
  FunctionField,
  List,
  ReferenceInput,
  SearchInput,
  SelectInput,
  Show,
  TextField,
  TopToolbar,
  useDataProvider,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { useSubscription } from 'urql';
import type { ParlanceDataProvider } from '../../api/dataProvider.ts';
import { JobUpdatedSubscription, TranscriptChunksSubscription } from '../../api/operations.ts';
import { formatDateTime, formatDuration, formatTimestamp } from '../../components/format.ts';
import { StatusChip, StatusField } from '../../components/StatusChip.tsx';
import { downloadFile } from '../../runtime.ts';
import { TranscriptView } from '../transcript/TranscriptView.tsx';

const STATUS_CHOICES = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'].map((id) => ({ id, name: id }));
const PROVIDER_CHOICES = ['LOCAL', 'OPENAI', 'DEEPGRAM'].map((id) => ({ id, name: id }));
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const FORMATS = ['TXT', 'SRT', 'VTT', 'JSON'] as const;

const jobFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="File name or transcript" />,
  <SelectInput key="status" source="status" choices={STATUS_CHOICES} alwaysOn emptyText="Any status" />,
  <SelectInput key="provider" source="provider" choices={PROVIDER_CHOICES} alwaysOn emptyText="Any provider" />,
  <ReferenceInput key="userId" source="userId" reference="users" alwaysOn>
    <AutocompleteInput label="User" optionText="username" filterToQuery={(q: string) => ({ q })} sx={{ minWidth: 220 }} />
  </ReferenceInput>,
  // UTC days, as on the usage screen: created on or after "from", before the start of "before".
  <DateInput key="createdFrom" source="createdFrom" label="Created from" alwaysOn helperText={false} />,
  <DateInput key="createdBefore" source="createdBefore" label="Created before" alwaysOn helperText={false} />,
];

function ProgressCell() {
  const record = useRecordContext();
  if (!record) return null;
  const percent = Math.round(Number(record.progress ?? 0) * 100);
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 120 }}>
      <LinearProgress variant="determinate" value={percent} sx={{ flex: 1 }} />
      <Typography variant="caption">{percent}%</Typography>
    </Box>
  );
}

export function JobList() {
  return (
    <List filters={jobFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="filename" emptyText="(no name)" sortable={false} />
        <TextField source="owner.username" label="User" sortable={false} />
        <StatusField label="Status" />
        <FunctionField label="Progress" render={() => <ProgressCell />} />
        <TextField source="provider" sortable={false} />
        <FunctionField label="Duration" sortable={false} render={(job) => formatDuration(job.mediaDurationSeconds)} />
        <TextField source="project.name" label="Project" emptyText="—" sortable={false} />
        <DateField source="createdAt" label="Created" showTime />
      </Datagrid>
    </List>
  );
}

interface Segment {
  index: number;
  start: number;
  end: number;
  text: string;
  speaker?: string | null;
}

function baseName(record: { filename?: string | null; id: unknown }) {
  const name = record.filename ? record.filename.replace(/\.[^.]+$/, '') : String(record.id);
  return name.replace(/[^\w.-]+/g, '_') || 'transcript';
}

function DownloadButtons() {
  const record = useRecordContext();
  const notify = useNotify();
  if (!record || record.status !== 'COMPLETED') return null;
  return (
    <>
      {FORMATS.map((format) => (
        <Button
          key={format}
          label={format}
          aria-label={`Download ${format}`}
          onClick={() =>
            downloadFile(`/jobs/${record.id}/transcript.${format.toLowerCase()}`, `${baseName(record)}.${format.toLowerCase()}`).catch(
              (error: Error) => notify(error.message, { type: 'error' }),
            )
          }
        >
          <DownloadIcon />
        </Button>
      ))}
    </>
  );
}

/** Cancel or retry, after a confirmation. */
function JobCommand({ kind }: { kind: 'cancel' | 'retry' }) {
  const record = useRecordContext();
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!record) return null;
  const applies = kind === 'cancel' ? !TERMINAL.has(record.status) : record.status === 'FAILED' || record.status === 'CANCELLED';
  if (!applies) return null;
  const run = async () => {
    setBusy(true);
    try {
      await (kind === 'cancel' ? dataProvider.cancelJob(record.id) : dataProvider.retryJob(record.id));
      notify(kind === 'cancel' ? 'Job cancelled' : 'Job queued again', { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <>
      <Button label={kind === 'cancel' ? 'Cancel job' : 'Retry'} onClick={() => setOpen(true)} disabled={busy} color={kind === 'cancel' ? 'warning' : 'primary'}>
        {kind === 'cancel' ? <CancelIcon /> : <ReplayIcon />}
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title={kind === 'cancel' ? 'Cancel this job?' : 'Retry this job?'}
        content={
          kind === 'cancel'
            ? 'A queued job is removed from the queue; a running one stops at its next chunk.'
            : 'The job is queued again and transcribed from where it stopped.'
        }
        confirm={kind === 'cancel' ? 'Cancel job' : 'Retry'}
        cancel="Keep"
        onConfirm={run}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

function JobActions() {
  return (
    <TopToolbar>
      <DownloadButtons />
      <JobCommand kind="cancel" />
      <JobCommand kind="retry" />
      <DeleteWithConfirmButton
        mutationMode="pessimistic"
        confirmTitle="Delete this job?"
        confirmContent="Its transcript and stored media are removed for good (usage already recorded stays)."
      />
    </TopToolbar>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Grid size={{ xs: 6, md: 3 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body2" component="div">
        {children}
      </Typography>
    </Grid>
  );
}

/**
 * The job as it runs: status and progress from `jobUpdated`, the transcript from
 * `transcriptChunks`, both over the console's graphql-ws socket; the stored record fills in
 * what came before the page subscribed, and is read again when the job ends.
 */
function JobLive() {
  const record = useRecordContext();
  const refresh = useRefresh();
  const id = String(record?.id ?? '');
  const finished = !record || TERMINAL.has(record.status);

  const [updated] = useSubscription({ query: JobUpdatedSubscription, variables: { id }, pause: finished });
  const [chunks] = useSubscription<any, Segment[]>(
    { query: TranscriptChunksSubscription, variables: { jobId: id }, pause: finished },
    (previous = [], data) => [...previous, data.transcriptChunks.segment],
  );

  const liveJob = updated.data?.jobUpdated?.id === id ? updated.data.jobUpdated : null;
  const status: string = liveJob && !finished ? liveJob.status : (record?.status ?? 'QUEUED');
  const progress: number = liveJob && !finished ? liveJob.progress : Number(record?.progress ?? 0);

  // What happened between loading the page and subscribing: read the record once more.
  useEffect(() => {
    if (finished) return;
    const timer = setTimeout(refresh, 1_500);
    return () => clearTimeout(timer);
  }, [finished, refresh]);

  // The end: the stored record has the final text and every segment.
  useEffect(() => {
    if (liveJob && TERMINAL.has(liveJob.status) && !finished) refresh();
  }, [liveJob, finished, refresh]);

  const segments = useMemo(() => {
    const byIndex = new Map<number, Segment>();
    for (const segment of (record?.segments ?? []) as Segment[]) byIndex.set(segment.index, segment);
    for (const segment of chunks.data ?? []) byIndex.set(segment.index, segment);
    return [...byIndex.values()].sort((a, b) => a.index - b.index);
  }, [record?.segments, chunks.data]);

  if (!record) return null;
  const subscriptionError = updated.error ?? chunks.error;
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
        <Typography variant="h6">{record.filename ?? record.id}</Typography>
        <span data-testid="job-status">
          <StatusChip status={status} />
        </span>
        {!finished && <Chip size="small" variant="outlined" color="info" label="live" />}
      </Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <LinearProgress variant="determinate" value={Math.round(progress * 100)} sx={{ flex: 1, height: 8, borderRadius: 4 }} />
        <Typography variant="body2" data-testid="job-progress">
          {Math.round(progress * 100)}%
        </Typography>
      </Box>
      {record.error && <Alert severity="error">{record.error}</Alert>}
      {subscriptionError && <Alert severity="warning">Live updates stopped: {subscriptionError.message}</Alert>}
      <Grid container spacing={2}>
        <Fact label="Owner">{record.owner?.username ?? '—'}</Fact>
        <Fact label="Provider">
          {record.provider}
          {record.model ? ` (${record.model})` : ''}
        </Fact>
        <Fact label="Language">{record.detectedLanguage ?? record.language ?? 'detect'}</Fact>
        <Fact label="Duration">{formatDuration(record.mediaDurationSeconds)}</Fact>
        <Fact label="Created">{formatDateTime(record.createdAt)}</Fact>
        <Fact label="Started">{formatDateTime(record.startedAt)}</Fact>
        <Fact label="Completed">{formatDateTime(record.completedAt)}</Fact>
        <Fact label="Attempts">{record.attempts}</Fact>
        <Fact label="Project">{record.project?.name ?? '—'}</Fact>
        <Fact label="Diarization">{record.diarize ? 'on' : 'off'}</Fact>
        <Fact label="Translate to">{record.translateTo ?? '—'}</Fact>
        <Fact label="Id">{record.id}</Fact>
      </Grid>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" gutterBottom>
            Transcript{' '}
            <Typography component="span" variant="body2" color="text.secondary">
              ({segments.length} segment{segments.length === 1 ? '' : 's'})
            </Typography>
          </Typography>
          {segments.length === 0 ? (
            <Typography variant="body2" color="text.secondary" data-testid="transcript-empty">
              {finished ? 'No speech was found.' : 'Waiting for the first chunk…'}
            </Typography>
          ) : record.status === 'COMPLETED' ? (
            <TranscriptView jobId={id} />
          ) : (
            <Box component="ol" data-testid="transcript" sx={{ listStyle: 'none', p: 0, m: 0 }}>
              {segments.map((segment) => (
                <Box component="li" key={segment.index} data-testid="segment" sx={{ display: 'flex', gap: 2, py: 0.5 }}>
                  <Typography variant="caption" color="text.secondary" sx={{ minWidth: 110, fontFamily: 'monospace', pt: 0.3 }}>
                    {formatTimestamp(segment.start)} – {formatTimestamp(segment.end)}
                  </Typography>
                  {segment.speaker && <Chip size="small" label={segment.speaker} />}
                  <Typography variant="body2">{segment.text}</Typography>
                </Box>
              ))}
            </Box>
          )}
          {record.translatedText && (
            <Box sx={{ mt: 2 }}>
              <Typography variant="subtitle2">Translation ({record.translateTo})</Typography>
              <Typography variant="body2">{record.translatedText}</Typography>
            </Box>
          )}
        </CardContent>
      </Card>
    </Stack>
  );
}

function JobTitle() {
  const record = useRecordContext();
  return <span>Job {record?.filename ?? record?.id ?? ''}</span>;
}

export function JobShow() {
  return (
    <Show actions={<JobActions />} title={<JobTitle />}>
      <JobLive />
    </Show>
  );
}
