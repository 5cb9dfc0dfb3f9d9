// A new job: one or several files (each with its own progress bar; large ones resumable through
// tus), or the address of one, with the job's options. When every job is created the user goes to
// their list, where the jobs follow live; a refusal stays on screen beside its file.
import CloudUploadIcon from '@mui/icons-material/CloudUpload';
import DeleteIcon from '@mui/icons-material/Close';
import LinkIcon from '@mui/icons-material/Link';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  IconButton,
  LinearProgress,
  Stack,
  Tab,
  Tabs,
  TextField,
  Typography,
} from '@mui/material';
import { useRef, useState, type DragEvent } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { Title, useCreatePath, useGetIdentity, useNotify } from 'react-admin';
import { useClient } from 'urql';
import { session } from '../../../runtime.ts';
import { describeJobError } from './errors.ts';
import { EMPTY_OPTIONS, JobOptionsFields, toJobOptions, type OptionsDraft } from './JobOptionsFields.tsx';
import { createJob, RESUMABLE_FROM_BYTES, sendMultipart, sendResumable, type Transfer } from './uploads.ts';

type ItemState = 'waiting' | 'uploading' | 'done' | 'failed';

interface UploadItem {
  key: string;
  file: File;
  state: ItemState;
  sent: number;
  total: number;
  resumable: boolean;
  /** What is going on besides the bytes: resumed, reconnecting. */
  note?: string;
  jobId?: string;
  error?: string;
}

const megabytes = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.ceil(bytes / 1024).toLocaleString()} KB`
    : `${(bytes / 1024 / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;
const token = () => session.token();

export function MyJobCreate() {
  const client = useClient();
  const notify = useNotify();
  const navigate = useNavigate();
  const createPath = useCreatePath();
  const { identity } = useGetIdentity();
  const [source, setSource] = useState<'files' | 'url'>('files');
  const [items, setItems] = useState<UploadItem[]>([]);
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const [options, setOptions] = useState<OptionsDraft>(EMPTY_OPTIONS);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const transfers = useRef(new Map<string, Transfer>());

  const update = (key: string, change: Partial<UploadItem>) =>
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)));

  const addFiles = (files: FileList | File[]) => {
    const added = [...files].map((file) => ({
      key: `${file.name}:${file.size}:${file.lastModified}:${Math.random().toString(36).slice(2)}`,
      file,
      state: 'waiting' as const,
      sent: 0,
      total: file.size,
      resumable: file.size >= RESUMABLE_FROM_BYTES,
    }));
    setItems((current) => [...current.filter((item) => item.state !== 'done'), ...added]);
  };

  const send = async (item: UploadItem): Promise<boolean> => {
    update(item.key, { state: 'uploading', error: undefined, note: undefined, sent: 0 });
    const callbacks = {
      onProgress: ({ sent, total }: { sent: number; total: number }) => update(item.key, { sent, total, note: undefined }),
      onResumed: () => update(item.key, { note: 'Resuming an earlier upload of this file' }),
      onRetry: (_error: Error, attempt: number) => update(item.key, { note: `Connection lost: reconnecting (attempt ${attempt})…` }),
    };
    const jobOptions = toJobOptions(options);
    const transfer = item.resumable
      ? sendResumable(client, item.file, jobOptions, token, String(identity?.id ?? 'anonymous'), callbacks)
      : sendMultipart(item.file, jobOptions, token, callbacks);
    transfers.current.set(item.key, transfer);
    try {
      const job = await transfer.done;
      update(item.key, { state: 'done', jobId: job.id, sent: item.file.size });
      return true;
    } catch (error) {
      update(item.key, { state: 'failed', error: describeJobError(error) });
      return false;
    } finally {
      transfers.current.delete(item.key);
    }
  };

  const startFiles = async () => {
    setBusy(true);
    let created = 0;
    let failed = 0;
    // One file at a time: each gets the connection to itself, and its bar moves on its own.
    for (const item of items.filter((candidate) => candidate.state === 'waiting' || candidate.state === 'failed')) {
      if (await send(item)) created++;
      else failed++;
    }
    setBusy(false);
    if (failed === 0 && created > 0) {
      notify(created === 1 ? 'Job created' : `${created} jobs created`, { type: 'success' });
      navigate(createPath({ resource: 'myJobs', type: 'list' }));
    }
  };

  const startUrl = async () => {
    setBusy(true);
    setUrlError(null);
    try {
      await createJob(client, { ...toJobOptions(options), url: url.trim() });
      notify('Job created', { type: 'success' });
      navigate(createPath({ resource: 'myJobs', type: 'list' }));
    } catch (error) {
      setUrlError(describeJobError(error));
    } finally {
      setBusy(false);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!busy && event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
  };

  const pending = items.filter((item) => item.state === 'waiting' || item.state === 'failed').length;
  const canStart = !busy && (source === 'files' ? pending > 0 : url.trim() !== '');

  return (
    <Box sx={{ maxWidth: 860, p: { xs: 1, sm: 2 } }}>
      <Title title="New job" />
      <Stack spacing={2}>
        <Card>
          <Tabs value={source} onChange={(_event, next) => setSource(next)} variant="fullWidth">
            <Tab value="files" label="Upload files" icon={<CloudUploadIcon />} iconPosition="start" disabled={busy} />
            <Tab value="url" label="From a URL" icon={<LinkIcon />} iconPosition="start" disabled={busy} />
          </Tabs>
          <CardContent>
            {source === 'files' ? (
              <Stack spacing={2}>
                <Box
                  onDragOver={(event) => {
                    event.preventDefault();
                    setDragging(true);
                  }}
                  onDragLeave={() => setDragging(false)}
                  onDrop={onDrop}
                  sx={{
                    border: 2,
                    borderStyle: 'dashed',
                    borderColor: dragging ? 'primary.main' : 'divider',
                    borderRadius: 2,
                    p: { xs: 2, sm: 4 },
                    textAlign: 'center',
                    bgcolor: dragging ? 'action.hover' : 'transparent',
                  }}
                >
                  <CloudUploadIcon color="action" sx={{ fontSize: 40 }} />
                  <Typography variant="body1" gutterBottom>
                    Drop audio or video files here
                  </Typography>
                  <Button variant="outlined" onClick={() => input.current?.click()} disabled={busy}>
                    Choose files
                  </Button>
                  <input
                    ref={input}
                    type="file"
                    multiple
                    accept="audio/*,video/*"
                    hidden
                    data-testid="file-input"
                    onChange={(event) => {
                      if (event.target.files?.length) addFiles(event.target.files);
                      event.target.value = '';
                    }}
                  />
                  <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 1 }}>
                    Files from {megabytes(RESUMABLE_FROM_BYTES)} are sent resumably: a dropped connection picks up where it stopped.
                  </Typography>
                </Box>
                {items.length > 0 && (
                  <Stack spacing={1} component="ul" sx={{ listStyle: 'none', p: 0, m: 0 }} aria-label="Files">
                    {items.map((item) => (
                      <UploadRow
                        key={item.key}
                        item={item}
                        onRemove={busy ? undefined : () => setItems((current) => current.filter((other) => other.key !== item.key))}
                        jobPath={item.jobId ? createPath({ resource: 'myJobs', type: 'show', id: item.jobId }) : undefined}
                      />
                    ))}
                  </Stack>
                )}
              </Stack>
            ) : (
              <Stack spacing={2}>
                <TextField
                  label="Media URL"
                  name="url"
                  type="url"
                  placeholder="https://example.com/talk.mp3"
                  value={url}
                  onChange={(event) => setUrl(event.target.value)}
                  helperText="An http(s) address of an audio or video file; the server fetches it"
                  fullWidth
                  disabled={busy}
                />
                {urlError && (
                  <Alert severity="error" data-testid="url-error">
                    {urlError}
                  </Alert>
                )}
              </Stack>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <Typography variant="subtitle1" gutterBottom>
              Options
            </Typography>
            <JobOptionsFields value={options} onChange={setOptions} disabled={busy} />
          </CardContent>
        </Card>
        <Box sx={{ display: 'flex', gap: 1, justifyContent: 'flex-end', flexWrap: 'wrap' }}>
          <Button component={RouterLink} to={createPath({ resource: 'myJobs', type: 'list' })} disabled={busy}>
            Back to my jobs
          </Button>
          <Button variant="contained" onClick={source === 'files' ? startFiles : startUrl} disabled={!canStart}>
            {source === 'files' && pending > 1 ? `Transcribe ${pending} files` : 'Transcribe'}
          </Button>
        </Box>
      </Stack>
    </Box>
  );
}

function UploadRow({ item, onRemove, jobPath }: { item: UploadItem; onRemove?: () => void; jobPath?: string }) {
  const percent = item.total > 0 ? Math.min(100, Math.round((item.sent / item.total) * 100)) : 0;
  const status: Record<ItemState, string> = {
    waiting: 'Waiting',
    // Every byte sent: the server checks the media and creates the job.
    uploading: item.sent >= item.total && item.total > 0 ? 'Checking the file…' : `${megabytes(item.sent)} of ${megabytes(item.total)} (${percent}%)`,
    done: 'Job created',
    failed: 'Not sent',
  };
  return (
    <Box component="li" data-testid="upload-item" data-state={item.state} sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1.5 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Typography variant="body2" sx={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
          {item.file.name}
        </Typography>
        <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
          {megabytes(item.file.size)} · {item.resumable ? 'resumable' : 'one request'}
        </Typography>
        {onRemove && item.state !== 'done' && (
          <IconButton size="small" aria-label={`Remove ${item.file.name}`} onClick={onRemove}>
            <DeleteIcon fontSize="small" />
          </IconButton>
        )}
      </Box>
      <LinearProgress
        variant="determinate"
        value={item.state === 'done' ? 100 : percent}
        color={item.state === 'failed' ? 'error' : item.state === 'done' ? 'success' : 'primary'}
        sx={{ my: 1, height: 6, borderRadius: 3 }}
        aria-label={`Upload of ${item.file.name}`}
      />
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Typography variant="caption" data-testid="upload-status">
          {status[item.state]}
        </Typography>
        {item.note && (
          <Typography variant="caption" color="warning.main" data-testid="upload-note">
            {item.note}
          </Typography>
        )}
        {jobPath && (
          <Button size="small" component={RouterLink} to={jobPath}>
            Open job
          </Button>
        )}
      </Box>
      {item.error && (
        <Alert severity="error" sx={{ mt: 1 }} data-testid="upload-error">
          {item.error}
        </Alert>
      )}
    </Box>
  );
}
