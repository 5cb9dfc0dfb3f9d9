// /live: live transcription from the microphone, outside any project. The user may choose vocabulary
// sets and a context prompt (the new-job form's choices; none chosen: the server's defaults), starts a
// live session (WEBM_OPUS, streamed as on the Record screen), sees what the server hears, and stops
// it (endLiveSession). The session's card shows its stored transcript, the terms it keeps and what
// each engine applied of them.
import FiberManualRecordIcon from '@mui/icons-material/FiberManualRecord';
import StopIcon from '@mui/icons-material/Stop';
import { Alert, Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title } from 'react-admin';
import { useLoaded } from '../../api/hooks.ts';
import { focusRing, HeardText, MicrophoneStatus, UploadNotice } from '../record/TakeParts.tsx';
import { useMicrophone } from '../record/useMicrophone.ts';
import { supportsWebmOpus, useTake } from '../record/useTake.ts';
import { VocabularyInUse } from '../vocabulary/JobVocabularyApplied.tsx';
import { LiveSessionVocabularyQuery } from '../vocabulary/operations.ts';
import { EMPTY_VOCABULARY, VocabularyChoices, vocabularyInput, type VocabularyDraft } from '../vocabulary/VocabularyChoices.tsx';

export function LivePage() {
  const [vocabulary, setVocabulary] = useState<VocabularyDraft>(EMPTY_VOCABULARY);
  const microphone = useMicrophone();
  const take = useTake(vocabularyInput(vocabulary), 'live', microphone.state.kind === 'ready' ? microphone.state.stream : null);
  const idle = take.phase === 'idle' || take.phase === 'submitted';
  const canStart = microphone.state.kind === 'ready' && idle && supportsWebmOpus();

  const stop = async () => {
    if (await take.stop()) await take.submit();
  };

  return (
    <Box sx={{ maxWidth: 880, mx: 'auto', mt: 2, px: { xs: 0, sm: 1 } }}>
      <Title title="Live" />
      <Stack spacing={2}>
        <Typography variant="h5" component="h1">
          Live transcription
        </Typography>
        <Card variant="outlined">
          <CardContent>
            <Stack spacing={2}>
              <VocabularyChoices value={vocabulary} onChange={setVocabulary} disabled={!idle} />
              <MicrophoneStatus microphone={microphone} />
              <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
                {idle || take.phase === 'starting' ? (
                  <Button
                    variant="contained"
                    color="error"
                    size="large"
                    startIcon={<FiberManualRecordIcon />}
                    disabled={!canStart}
                    onClick={() => {
                      microphone.resumeMeter();
                      void take.start();
                    }}
                    sx={focusRing}
                  >
                    {take.phase === 'starting' ? 'Starting…' : 'Start'}
                  </Button>
                ) : (
                  <Button
                    variant="contained"
                    size="large"
                    startIcon={<StopIcon />}
                    disabled={take.phase !== 'recording'}
                    onClick={() => void stop()}
                    sx={focusRing}
                  >
                    {take.phase === 'recording' ? 'Stop' : 'Ending…'}
                  </Button>
                )}
              </Box>
              {take.phase === 'recording' && (
                <Typography variant="body2" color="error" role="status">
                  ● Live: speak, then press Stop.
                </Typography>
              )}
              <UploadNotice take={take} />
              {take.error && <Alert severity="error" data-testid="take-error">{take.error}</Alert>}
              <HeardText take={take} />
            </Stack>
          </CardContent>
        </Card>
        {take.sessionId && <LiveSessionCard sessionId={take.sessionId} refreshKey={`${take.phase}:${take.finalText}`} />}
      </Stack>
    </Box>
  );
}

/** The session as the server keeps it: status, stored transcript (once ended), vocabulary in use. */
function LiveSessionCard({ sessionId, refreshKey }: { sessionId: string; refreshKey: string }) {
  const { data, error, reload } = useLoaded(LiveSessionVocabularyQuery, { id: sessionId });
  // Asked again as the take moves on: an engine's report is written once it has started.
  useEffect(() => reload(), [refreshKey, reload]);
  const session = data?.liveSession;
  if (error) return <Alert severity="error">{error}</Alert>;
  if (!session) return null;
  const ended = session.status !== 'ACTIVE';
  return (
    <Stack spacing={2} data-testid="live-session">
      <Typography variant="body2" color="text.secondary">
        Session {session.id} · {session.status}
      </Typography>
      {ended && (
        <Card variant="outlined">
          <CardContent>
            <Typography variant="subtitle1" gutterBottom>
              Transcript
            </Typography>
            <Typography variant="body1" data-testid="live-session-transcript">
              {session.segments.map((segment) => segment.text).join(' ') || 'Nothing recognised.'}
            </Typography>
          </CardContent>
        </Card>
      )}
      <VocabularyInUse terms={session.vocabularyTerms} contextPrompt={session.contextPrompt ?? null} applied={session.vocabularyApplied} testId="live-vocabulary" />
    </Stack>
  );
}
