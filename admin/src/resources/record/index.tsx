// The Record screen of a project's contributors (OWNER, ADMIN, CONTRIBUTOR): the next prompt, a
// microphone level meter, a take streamed live (the interim text appears while they read), then
// listen back, record again or submit for review; their own recordings below.
// /record lists the projects the viewer records in; /record/:projectId is the screen itself.
import FiberManualRecordIcon from '@mui/icons-material/FiberManualRecord';
import ReplayIcon from '@mui/icons-material/Replay';
import SendIcon from '@mui/icons-material/Send';
import StopIcon from '@mui/icons-material/Stop';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  List,
  ListItemButton,
  ListItemText,
  Stack,
  Typography,
} from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { Loading, Title, useGetIdentity, useGetList } from 'react-admin';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { toApiError } from '../../api/client.ts';
import { NextPromptQuery } from '../../api/operations.ts';
import { roleMay } from '../projects/roles.ts';
import { MyRecordings } from './MyRecordings.tsx';
import { focusRing, HeardText, MicrophoneStatus, UploadNotice } from './TakeParts.tsx';
import { useMicrophone } from './useMicrophone.ts';
import { supportsWebmOpus, useTake, type Take } from './useTake.ts';

/** /record: the projects the viewer records in. */
export function RecordProjectsPage() {
  const { data, isPending, error } = useGetList('projects', { pagination: { page: 1, perPage: 100 } });
  const projects = (data ?? []).filter((project) => roleMay(project.viewerRole, 'record'));
  return (
    <Box sx={{ maxWidth: 720, mx: 'auto', mt: 2 }}>
      <Title title="Record" />
      <Typography variant="h5" component="h1" gutterBottom>
        Record prompts
      </Typography>
      {isPending ? (
        <Loading />
      ) : error ? (
        <Alert severity="error">{(error as Error).message}</Alert>
      ) : projects.length === 0 ? (
        <Alert severity="info" data-testid="no-record-projects">
          You do not record in any project yet. A project's owner invites you as a contributor by email.
        </Alert>
      ) : (
        <Card variant="outlined">
          <List aria-label="Projects you record in">
            {projects.map((project) => (
              <ListItemButton key={project.id} component={RouterLink} to={`/record/${project.id}`} sx={focusRing}>
                <ListItemText primary={project.name} secondary={`${project.promptsCount} prompts · you are ${project.viewerRole}`} />
              </ListItemButton>
            ))}
          </List>
        </Card>
      )}
    </Box>
  );
}

/** /record/:projectId */
export function RecordPage() {
  const { projectId = '' } = useParams();
  const { identity } = useGetIdentity();
  const [submitted, setSubmitted] = useState(0);
  const [thanks, setThanks] = useState(false);
  const [result, reexecute] = useQuery({ query: NextPromptQuery, variables: { projectId }, requestPolicy: 'network-only' });
  const microphone = useMicrophone();
  const prompt = result.data?.nextPrompt ?? null;
  const take = useTake(
    prompt ? { projectId, promptId: prompt.id } : null,
    prompt?.id ?? null,
    microphone.state.kind === 'ready' ? microphone.state.stream : null,
  );

  const afterSubmit = () => {
    setSubmitted((n) => n + 1);
    setThanks(true);
    reexecute({ requestPolicy: 'network-only' });
  };

  if (result.fetching && !result.data) return <Loading />;
  const project = result.data?.project;
  const failure = result.error ? toApiError(result.error) : null;

  return (
    <Box sx={{ maxWidth: 880, mx: 'auto', mt: 2, px: { xs: 0, sm: 1 } }}>
      <Title title={project ? `Record · ${project.name}` : 'Record'} />
      <Stack spacing={2}>
        <Typography variant="h5" component="h1">
          {project ? `Record: ${project.name}` : 'Record'}
        </Typography>
        {failure && !project ? (
          <Alert severity="error">{failure.code === 'NOT_FOUND' ? 'This project does not exist, or you are not one of its members.' : failure.message}</Alert>
        ) : !project ? (
          <Alert severity="error">This project does not exist, or you are not one of its members.</Alert>
        ) : !roleMay(project.viewerRole, 'record') ? (
          <Alert severity="info" data-testid="not-a-recorder">
            Your role in this project ({project.viewerRole ?? 'not a member'}) does not record prompts; its OWNERs, ADMINs and CONTRIBUTORs do.
          </Alert>
        ) : project.prompts.totalCount === 0 ? (
          <Alert severity="info" data-testid="no-prompts">
            This project has no prompts to read yet. Its owner adds them on the project's Prompts tab; come back then.
          </Alert>
        ) : (
          <>
            {thanks && take.phase !== 'recording' && (
              <Alert severity="success" data-testid="submitted">
                Thank you! Your take was submitted for review.
              </Alert>
            )}
            {prompt ? (
              <Recorder key={prompt.id} promptText={prompt.text} take={take} microphone={microphone} onSubmitted={afterSubmit} />
            ) : (
              <Alert severity="success" data-testid="all-prompts-read">
                You have read every prompt of this project. New prompts will appear here when the owner adds them.
              </Alert>
            )}
          </>
        )}
        {project && identity?.id && roleMay(project.viewerRole, 'record') && (
          <MyRecordings projectId={projectId} speakerId={String(identity.id)} refreshKey={submitted} />
        )}
      </Stack>
    </Box>
  );
}

function Recorder({
  promptText,
  take,
  microphone,
  onSubmitted,
}: {
  promptText: string;
  take: Take;
  microphone: ReturnType<typeof useMicrophone>;
  onSubmitted: () => void;
}) {
  const recordButton = useRef<HTMLButtonElement>(null);
  const stopButton = useRef<HTMLButtonElement>(null);
  const submitButton = useRef<HTMLButtonElement>(null);
  const mic = microphone.state;

  // Keyboard users land on the button that comes next.
  useEffect(() => {
    if (take.phase === 'recording') stopButton.current?.focus();
    else if (take.phase === 'review') submitButton.current?.focus();
    else if (take.phase === 'idle' && mic.kind === 'ready') recordButton.current?.focus();
  }, [take.phase, mic.kind]);

  const busy = take.phase === 'starting' || take.phase === 'stopping' || take.phase === 'submitting';
  const canRecord = mic.kind === 'ready' && (take.phase === 'idle' || take.phase === 'submitted');

  return (
    <Card variant="outlined">
      <CardContent>
        <Stack spacing={2}>
          <Box>
            <Typography variant="overline" color="text.secondary" component="h2">
              Read aloud
            </Typography>
            <Typography variant="h4" component="p" data-testid="prompt" sx={{ fontSize: { xs: '1.6rem', sm: '2.1rem' }, lineHeight: 1.3 }}>
              {promptText}
            </Typography>
          </Box>

          <MicrophoneStatus microphone={microphone} />

          <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
            {(take.phase === 'idle' || take.phase === 'starting' || take.phase === 'submitted') && (
              <Button
                ref={recordButton}
                variant="contained"
                color="error"
                size="large"
                startIcon={<FiberManualRecordIcon />}
                disabled={!canRecord || !supportsWebmOpus()}
                onClick={() => {
                  microphone.resumeMeter();
                  void take.start();
                }}
                sx={focusRing}
              >
                {take.phase === 'starting' ? 'Starting…' : 'Record'}
              </Button>
            )}
            {(take.phase === 'recording' || take.phase === 'stopping') && (
              <Button
                ref={stopButton}
                variant="contained"
                size="large"
                startIcon={<StopIcon />}
                disabled={take.phase === 'stopping'}
                onClick={() => void take.stop()}
                sx={focusRing}
              >
                {take.phase === 'stopping' ? 'Finishing…' : 'Stop'}
              </Button>
            )}
            {(take.phase === 'review' || take.phase === 'submitting') && (
              <>
                <Button
                  ref={submitButton}
                  variant="contained"
                  color="success"
                  size="large"
                  startIcon={<SendIcon />}
                  disabled={busy}
                  onClick={async () => {
                    if (await take.submit()) onSubmitted();
                  }}
                  sx={focusRing}
                >
                  {take.phase === 'submitting' ? 'Submitting…' : 'Submit'}
                </Button>
                <Button variant="outlined" size="large" startIcon={<ReplayIcon />} disabled={busy} onClick={() => void take.discard()} sx={focusRing}>
                  Record again
                </Button>
              </>
            )}
          </Box>

          {take.phase === 'recording' && (
            <Typography variant="body2" color="error" role="status">
              ● Recording: read the sentence, then press Stop.
            </Typography>
          )}
          {take.playbackUrl && (take.phase === 'review' || take.phase === 'submitting') && (
            <Box>
              <Typography variant="body2" color="text.secondary" id="listen-back-label">
                Listen back before you submit:
              </Typography>
              <Box component="audio" controls src={take.playbackUrl} aria-labelledby="listen-back-label" data-testid="playback" sx={{ width: '100%' }} />
            </Box>
          )}
          <UploadNotice take={take} />
          {take.error && <Alert severity="error" data-testid="take-error">{take.error}</Alert>}

          <HeardText take={take} />
        </Stack>
      </CardContent>
    </Card>
  );
}
