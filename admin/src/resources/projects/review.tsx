// A project's review queue (its recordings, most suspicious first, approved or rejected here) and
// its dataset exports (started here, followed until the archive can be downloaded).
//
// The audio and subtitle links the API gives are signed: they work without the operator's token,
// so <audio> and <track> use them as they are (the console is served by the API, same origin).
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import DownloadIcon from '@mui/icons-material/Download';
import ReportProblemIcon from '@mui/icons-material/ReportProblem';
import UnarchiveIcon from '@mui/icons-material/Unarchive';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Grid,
  LinearProgress,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Pagination, ReferenceManyField, useDataProvider, useListContext, useNotify, useRecordContext, useRefresh } from 'react-admin';
import type { DatasetExportRow, ParlanceDataProvider, ReviewDecision } from '../../api/dataProvider.ts';
import { StatusChip } from '../../components/StatusChip.tsx';
import type { RecordingFieldsFragment } from '../../gql/graphql.js';
import { formatDateTime, formatDuration } from '../../components/format.ts';

const REVIEWERS = new Set(['OWNER', 'ADMIN', 'REVIEWER']);
const MAX_NOTE = 2000;

type QueueFilter = 'PENDING' | 'APPROVED' | 'REJECTED' | 'ALL';

/** A recording as the queue reads it (the RecordingFields fragment in api/operations.ts). */
type RecordingRow = RecordingFieldsFragment;
type Checks = RecordingRow['checks'];

const percent = (ratio: number | null | undefined, digits = 0) =>
  ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(digits)}%`;
const decibels = (value: number | null) => (value === null ? 'digital silence' : `${value.toFixed(1)} dBFS`);

/** The checks that failed, each with the measurement behind it. */
function failedChecks(checks: Checks, durationSeconds: number): string[] {
  const failed: string[] = [];
  if (checks.tooShort) failed.push(`Too short (${durationSeconds.toFixed(1)} s)`);
  if (checks.mostlySilence) failed.push(`Mostly silence (${percent(checks.silenceRatio)})`);
  if (checks.tooQuiet) failed.push(`Too quiet (peak ${decibels(checks.maxVolumeDb)})`);
  if (checks.clipped) failed.push(`Clipped (${percent(checks.clippedRatio, 2)} of samples)`);
  if (checks.wordErrorRateHigh) failed.push(`High word error rate (${percent(checks.wordErrorRate)})`);
  return failed;
}

function Passage({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body1" component="div" data-testid={testId}>
        {children}
      </Typography>
    </Box>
  );
}

/** Keys on a focused recording card (not while typing in its note). */
const KEY_HELP = 'Keyboard: Tab to a recording, then A approves, R rejects, J or ↓ goes to the next one, K or ↑ to the previous one.';

/** Moves focus to the card `step` places away from `from` within the queue. */
function focusSibling(from: HTMLElement, step: number) {
  const cards = [...(from.closest('[data-testid="review-queue"]')?.querySelectorAll<HTMLElement>('[data-testid="recording"]') ?? [])];
  cards[cards.indexOf(from) + step]?.focus();
}

function RecordingCard({ recording, onDecided }: { recording: RecordingRow; onDecided: (id: string) => void }) {
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [note, setNote] = useState(recording.reviewNote ?? '');
  const [busy, setBusy] = useState<ReviewDecision | null>(null);
  const failed = failedChecks(recording.checks, recording.durationSeconds);
  const wer = recording.checks.wordErrorRate;

  const review = async (status: ReviewDecision) => {
    setBusy(status);
    try {
      await dataProvider.reviewRecording(recording.id, status, note);
      notify(status === 'APPROVED' ? 'Recording approved' : 'Recording rejected', { type: 'success' });
      onDecided(recording.id);
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(null);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const target = event.target as HTMLElement;
    if (event.altKey || event.ctrlKey || event.metaKey || target.closest('input, textarea, audio')) return;
    const key = event.key.toLowerCase();
    if (key === 'a' && busy === null && recording.reviewStatus !== 'APPROVED') void review('APPROVED');
    else if (key === 'r' && busy === null && recording.reviewStatus !== 'REJECTED') void review('REJECTED');
    else if (key === 'j' || key === 'arrowdown') focusSibling(event.currentTarget, 1);
    else if (key === 'k' || key === 'arrowup') focusSibling(event.currentTarget, -1);
    else return;
    event.preventDefault();
  };

  return (
    <Card
      variant="outlined"
      data-testid="recording"
      data-recording-id={recording.id}
      data-suspicious={recording.suspicious ? 'true' : 'false'}
      tabIndex={0}
      role="group"
      aria-label={`Recording by ${recording.speaker.username} of “${recording.prompt?.text ?? 'no prompt'}”, ${recording.reviewStatus.toLowerCase()}. A approves, R rejects.`}
      onKeyDown={onKeyDown}
      sx={{
        ...(recording.suspicious ? { borderColor: 'warning.main', borderLeftWidth: 6 } : {}),
        '&:focus-visible': { outline: '3px solid', outlineColor: 'primary.main', outlineOffset: '2px' },
      }}
    >
      <CardContent>
        <Stack spacing={1.5}>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
            <span data-testid="review-status">
              <StatusChip status={recording.reviewStatus} />
            </span>
            {recording.suspicious ? (
              <Chip size="small" color="warning" icon={<ReportProblemIcon />} label="Suspicious" data-testid="suspicious" />
            ) : (
              <Chip size="small" variant="outlined" color="success" label="Checks passed" />
            )}
            {failed.map((check) => (
              <Chip key={check} size="small" variant="outlined" color="warning" label={check} data-testid="failed-check" />
            ))}
            <Box sx={{ flex: 1 }} />
            <Typography variant="body2" color="text.secondary">
              <strong>{recording.speaker.username}</strong> · {formatDuration(recording.durationSeconds)} (
              {recording.durationSeconds.toFixed(1)} s) · WER <span data-testid="wer">{percent(wer)}</span> · {formatDateTime(recording.createdAt)}
            </Typography>
          </Box>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 6 }}>
              <Passage label="Prompt" testId="prompt-text">
                {recording.prompt?.text ?? <em>(no prompt)</em>}
              </Passage>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Passage label="Recognised" testId="recognised-text">
                {recording.recognisedText || <em>(nothing recognised)</em>}
              </Passage>
            </Grid>
          </Grid>
          <Box component="audio" controls preload="none" src={recording.lightAudioUrl} sx={{ width: '100%' }} data-testid="recording-audio">
            <track kind="subtitles" src={recording.subtitlesUrl} srcLang="en" label="Recognised text" default />
          </Box>
          <Typography variant="caption" color="text.secondary">
            Silence {percent(recording.checks.silenceRatio)} · mean {decibels(recording.checks.meanVolumeDb)} · peak{' '}
            {decibels(recording.checks.maxVolumeDb)} · clipped {percent(recording.checks.clippedRatio, 2)}
          </Typography>
          {recording.reviewedBy && (
            <Typography variant="body2" data-testid="review-info">
              {recording.reviewStatus === 'APPROVED' ? 'Approved' : 'Rejected'} by <strong>{recording.reviewedBy.username}</strong>{' '}
              {formatDateTime(recording.reviewedAt)}
              {recording.reviewNote ? `: “${recording.reviewNote}”` : ''}
            </Typography>
          )}
          {/* At phone width the note takes a line of its own, the buttons wrap under it. */}
          <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
            <TextField
              size="small"
              label="Note (optional)"
              value={note}
              onChange={(event) => setNote(event.target.value)}
              slotProps={{ htmlInput: { maxLength: MAX_NOTE } }}
              sx={{ flex: '1 1 220px' }}
            />
            <Button
              variant="contained"
              color="success"
              startIcon={<CheckIcon />}
              disabled={busy !== null || recording.reviewStatus === 'APPROVED'}
              onClick={() => review('APPROVED')}
            >
              Approve
            </Button>
            <Button
              variant="outlined"
              color="error"
              startIcon={<CloseIcon />}
              disabled={busy !== null || recording.reviewStatus === 'REJECTED'}
              onClick={() => review('REJECTED')}
            >
              Reject
            </Button>
          </Box>
        </Stack>
      </CardContent>
    </Card>
  );
}

/** The recordings of the surrounding ReferenceManyField, one card each. */
function RecordingCards({ filter }: { filter: QueueFilter }) {
  const { data, isPending, error, total } = useListContext<RecordingRow>();
  const list = useRef<HTMLDivElement>(null);
  // After a decision by keyboard, focus goes to the card now at the decided one's place (the next
  // one, when the decided card left the filter), so the reviewer can go on without the mouse.
  const decided = useRef<{ id: string; index: number; keyboard: boolean; from: string } | null>(null);
  useEffect(() => {
    const last = decided.current;
    if (!last || !last.keyboard || !data || !list.current) return;
    // Not refreshed yet: the list still shows the recording as it was before the decision.
    if (data.find((row) => row.id === last.id)?.reviewStatus === last.from) return;
    const cards = [...list.current.querySelectorAll<HTMLElement>('[data-testid="recording"]')];
    const stayed = cards.find((card) => card.dataset.recordingId === last.id);
    const target = stayed ?? cards[Math.min(last.index, cards.length - 1)];
    if (!target) return;
    decided.current = null;
    target.focus();
  }, [data]);
  const onDecided = (id: string) => {
    const index = Math.max(0, data?.findIndex((row) => row.id === id) ?? 0);
    const keyboard = !!document.activeElement?.closest('[data-testid="recording"]') && document.activeElement.matches(':focus-visible');
    decided.current = { id, index, keyboard, from: data?.[index]?.reviewStatus ?? 'PENDING' };
  };
  if (isPending) return <LinearProgress />;
  if (error) return <Alert severity="error">{(error as Error).message}</Alert>;
  if (!data || data.length === 0) {
    return (
      <Typography sx={{ p: 2 }} data-testid="recordings-empty">
        {filter === 'PENDING' ? 'Nothing to review.' : 'No recordings here.'}
      </Typography>
    );
  }
  return (
    <Stack spacing={2} ref={list}>
      <Typography variant="body2" color="text.secondary">
        {total} recording{total === 1 ? '' : 's'}, the most suspicious first. {KEY_HELP}
      </Typography>
      {data.map((recording) => (
        <RecordingCard key={recording.id} recording={recording} onDecided={onDecided} />
      ))}
    </Stack>
  );
}

/** Project show tab: the recordings waiting for review (or already reviewed), with Approve and Reject. */
export function ReviewQueue(_props: { label?: false }) {
  const project = useRecordContext();
  const [filter, setFilter] = useState<QueueFilter>('PENDING');
  if (!project) return null;
  const role = project.viewerRole as string | null;
  return (
    <Stack spacing={2} sx={{ width: '100%' }} data-testid="review-queue">
      {!REVIEWERS.has(role ?? '') && (
        <Alert severity="info">
          Recordings are reviewed by the project's OWNERs, ADMINs and REVIEWERs; you are {role ? `a ${role}` : 'not a member'}, so the
          API will refuse your decisions.
        </Alert>
      )}
      <ToggleButtonGroup
        exclusive
        size="small"
        value={filter}
        onChange={(_event, value: QueueFilter | null) => value && setFilter(value)}
        aria-label="Review status"
      >
        <ToggleButton value="PENDING">Pending</ToggleButton>
        <ToggleButton value="APPROVED">Approved</ToggleButton>
        <ToggleButton value="REJECTED">Rejected</ToggleButton>
        <ToggleButton value="ALL">All</ToggleButton>
      </ToggleButtonGroup>
      <ReferenceManyField
        reference="recordings"
        target="projectId"
        filter={filter === 'ALL' ? {} : { reviewStatus: filter }}
        perPage={10}
        pagination={<Pagination rowsPerPageOptions={[5, 10, 25]} />}
        label={false}
      >
        <RecordingCards filter={filter} />
      </ReferenceManyField>
    </Stack>
  );
}

const UNDER_WAY = new Set(['QUEUED', 'PROCESSING']);

function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Project show tab: start a dataset export, follow it (every 2 s while one is under way), download it. */
export function ExportsPanel(_props: { label?: false }) {
  const project = useRecordContext();
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const notify = useNotify();
  const [starting, setStarting] = useState(false);
  const projectId = project?.id === undefined ? null : String(project.id);
  const exports = useQuery({
    queryKey: ['projects', 'exports', projectId],
    queryFn: () => dataProvider.projectExports(projectId!),
    enabled: projectId !== null,
    refetchInterval: (query) => ((query.state.data ?? []).some((row) => UNDER_WAY.has(row.status)) ? 2_000 : false),
  });

  useEffect(() => {
    if (exports.error) notify((exports.error as Error).message, { type: 'error' });
  }, [exports.error, notify]);

  if (!project) return null;

  const start = async () => {
    setStarting(true);
    try {
      const started = await dataProvider.exportDataset(project.id);
      notify(`Export of ${started.recordings} approved recording${started.recordings === 1 ? '' : 's'} ${started.status === 'QUEUED' ? 'queued' : 'under way'}`, {
        type: 'info',
      });
      await exports.refetch();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setStarting(false);
    }
  };

  const rows: DatasetExportRow[] = exports.data ?? [];
  return (
    <Stack spacing={2} sx={{ width: '100%' }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
        <Button variant="contained" startIcon={<UnarchiveIcon />} onClick={start} disabled={starting}>
          Start export
        </Button>
        <Typography variant="body2" color="text.secondary">
          A tar archive of the approved recordings: manifest.jsonl and the FLAC audio of each.
        </Typography>
      </Box>
      {exports.isPending && projectId !== null ? (
        <LinearProgress />
      ) : rows.length === 0 ? (
        <Typography sx={{ p: 2 }} data-testid="exports-empty">
          No exports yet.
        </Typography>
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Started</TableCell>
              <TableCell>Status</TableCell>
              <TableCell sx={{ width: 220 }}>Progress</TableCell>
              <TableCell align="right">Recordings</TableCell>
              <TableCell align="right">Size</TableCell>
              <TableCell>Finished</TableCell>
              <TableCell>Archive</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.id} data-testid="export-row" data-export-id={row.id}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(row.createdAt)}</TableCell>
                <TableCell data-testid="export-status">
                  <StatusChip status={row.status} />
                </TableCell>
                <TableCell>
                  <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
                    <LinearProgress
                      variant="determinate"
                      value={Math.round(row.progress * 100)}
                      color={row.status === 'FAILED' ? 'error' : 'primary'}
                      sx={{ flex: 1, height: 6, borderRadius: 3 }}
                    />
                    <Typography variant="body2">{Math.round(row.progress * 100)}%</Typography>
                  </Box>
                </TableCell>
                <TableCell align="right">{row.recordings}</TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(row.sizeBytes)}
                </TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(row.finishedAt)}</TableCell>
                <TableCell>
                  {row.downloadUrl ? (
                    <Link href={row.downloadUrl} download={`dataset-${row.id}.tar`} sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}>
                      <DownloadIcon fontSize="small" />
                      Download
                    </Link>
                  ) : row.error ? (
                    <Typography variant="body2" color="error">
                      {row.error}
                    </Typography>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Stack>
  );
}
