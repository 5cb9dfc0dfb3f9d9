import DownloadIcon from '@mui/icons-material/Download';
import { Alert, Box, Button, Card, CardContent, Chip, Grid, LinearProgress, Stack, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, type ReactNode } from 'react';
import {
  AutocompleteInput,
  Datagrid,
  DateField,
  DateInput,
  FunctionField,
  List,
  ReferenceInput,
  SearchInput,
  SelectInput,
  Show,
  TextField,
  TopToolbar,
  useNotify,
  useRecordContext,
  useRefresh,
  useResourceContext,
} from 'react-admin';
import { useSubscription } from 'urql';
import { JobUpdatedSubscription, TranscriptChunksSubscription } from '../../api/operations.ts';
import { formatDateTime, formatDuration, formatTimestamp } from '../../components/format.ts';
import { StatusChip, StatusField } from '../../components/StatusChip.tsx';
import { downloadFile } from '../../runtime.ts';
import { DeleteJobButton, JobCommand, JobRowActions } from './actions.tsx';
import { RerunJobButton } from './RerunJobButton.tsx';
import { RerunOfFact } from './RerunOfFact.tsx';
import { JobVocabularyApplied } from '../vocabulary/JobVocabularyApplied.tsx';
import { patchCachedJob, useJobRowsLive } from './live.ts';
import { JobCards, JobProgress, usePhoneWidth } from './rows.tsx';
import { isTerminal, STATUS_CHOICES } from './status.ts';
import { TranscriptView } from '../transcript/TranscriptView.tsx';

const PROVIDER_CHOICES = ['LOCAL', 'OPENAI', 'DEEPGRAM', 'ASSEMBLYAI'].map((id) => ({ id, name: id }));
const FORMATS = ['TXT', 'SRT', 'VTT', 'JSON', 'DOCX', 'PDF'] as const;

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

/** Every user's jobs, for admins: unfinished rows follow their job live, new jobs appear by themselves. */
function LiveRows() {
  useJobRowsLive(useResourceContext() ?? 'jobs');
  return null;
}

export function JobList() {
  const phone = usePhoneWidth();
  return (
    <List filters={jobFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} title="All jobs">
      <LiveRows />
      {phone ? (
        <JobCards extra={(job) => ` · ${job.owner?.username ?? ''}`} />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="filename" emptyText="(no name)" sortable={false} />
          <TextField source="owner.username" label="User" sortable={false} />
          <StatusField label="Status" />
          <FunctionField label="Progress" render={() => <JobProgress />} />
          <TextField source="provider" sortable={false} />
          <FunctionField label="Duration" sortable={false} render={(job) => formatDuration(job.mediaDurationSeconds)} />
          <TextField source="project.name" label="Project" emptyText="—" sortable={false} />
          <DateField source="createdAt" label="Created" showTime />
          <JobRowActions />
        </Datagrid>
      )}
    </List>
  );
}

interface Segment {
  index: number;
  start: number;
  end: number;
  text: string;
  speaker?: string | null;
  provider?: string | null;
}

interface EngineEvent {
  at: string;
  kind: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  chunkIndex?: number | null;
}

/** What happened to the job's engines (skipped, retried, switched), oldest first. */
function EngineEvents({ events }: { events: EngineEvent[] }) {
  if (events.length === 0) return null;
  const describe = (event: EngineEvent) => {
    const chunk = event.chunkIndex == null ? '' : ` at chunk ${event.chunkIndex + 1}`;
    if (event.kind === 'PROVIDER_SWITCHED') return `Switched from ${event.from} to ${event.to}${chunk}`;
    if (event.kind === 'PROVIDER_RETRIED') return `Retried ${event.from}${chunk}`;
    return `Skipped ${event.from}`;
  };
  return (
    <Box component="ul" data-testid="engine-events" sx={{ m: 0, pl: 2 }}>
      {events.map((event, i) => (
        <Typography component="li" variant="body2" key={`${event.at}-${i}`} data-testid="engine-event">
          {formatDateTime(event.at)}: {describe(event)}
          {event.reason ? ` (${event.reason})` : ''}
        </Typography>
      ))}
    </Box>
  );
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
        // MUI's button, not react-admin's: that one drops its label at phone width, leaving four identical icons.
        <Button
          key={format}
          size="small"
          startIcon={<DownloadIcon />}
          aria-label={`Download ${format}`}
          onClick={() =>
            downloadFile(`/jobs/${record.id}/transcript.${format.toLowerCase()}`, `${baseName(record)}.${format.toLowerCase()}`).catch(
              (error: Error) => notify(error.message, { type: 'error' }),
            )
          }
        >
          {format}
        </Button>
      ))}
    </>
  );
}

function JobActions() {
  return (
    <TopToolbar sx={{ flexWrap: 'wrap' }}>
      <DownloadButtons />
      <JobCommand kind="cancel" />
      <JobCommand kind="retry" />
      <RerunJobButton />
      <DeleteJobButton />
    </TopToolbar>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Grid size={{ xs: 6, md: 3 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body2" component="div" sx={{ overflowWrap: 'anywhere' }}>
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
  const resource = useResourceContext() ?? 'jobs';
  const queryClient = useQueryClient();
  const refresh = useRefresh();
  const id = String(record?.id ?? '');
  const finished = !record || isTerminal(record.status);

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

  // While it runs, the page's record (and the toolbar's actions) follow the live status; at the
  // end, the stored record has the final text and every segment.
  useEffect(() => {
    if (!liveJob || finished) return;
    if (isTerminal(liveJob.status)) refresh();
    else patchCachedJob(queryClient, resource, liveJob);
  }, [liveJob, finished, refresh, queryClient, resource]);

  const segments = useMemo(() => {
    const byIndex = new Map<number, Segment>();
    for (const segment of (record?.segments ?? []) as Segment[]) byIndex.set(segment.index, segment);
    for (const segment of chunks.data ?? []) byIndex.set(segment.index, segment);
    return [...byIndex.values()].sort((a, b) => a.index - b.index);
  }, [record?.segments, chunks.data]);

  if (!record) return null;
  const subscriptionError = updated.error ?? chunks.error;
  const engines: string[] = record.providers?.length ? record.providers : [record.provider];
  const currentEngine: string = (liveJob && !finished ? liveJob.currentProvider : null) ?? record.currentProvider ?? record.provider;
  const engineEvents: EngineEvent[] = (liveJob && !finished ? liveJob.events : null) ?? record.events ?? [];
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
        <Fact label="Engines">
          <span data-testid="job-engines">{engines.join(' → ')}</span>
          {engines.length > 1 && <span data-testid="job-current-engine">{` (${finished ? 'last' : 'now'}: ${currentEngine})`}</span>}
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
        <RerunOfFact />
      </Grid>
      <EngineEvents events={engineEvents} />
      <JobVocabularyApplied />
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
                  {segment.provider && (
                    <Typography variant="caption" color="text.secondary" data-testid="segment-provider">
                      {segment.provider}
                    </Typography>
                  )}
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
