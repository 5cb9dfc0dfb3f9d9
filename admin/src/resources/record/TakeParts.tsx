// The parts of a take's screen shared by the Record screen (a project's prompts) and the Live page:
// the microphone's state and level meter, the connection notice, and what the server hears.
import MicIcon from '@mui/icons-material/Mic';
import { Alert, Box, Button, LinearProgress, Typography, type SxProps } from '@mui/material';
import type { useMicrophone } from './useMicrophone.ts';
import { supportsWebmOpus, type Take } from './useTake.ts';

/** A focus ring that shows on keyboard focus, thicker than MUI's ripple. */
export const focusRing: SxProps = {
  '&.Mui-focusVisible, &:focus-visible': { outline: '3px solid', outlineColor: 'primary.dark', outlineOffset: '3px' },
};

export function MicrophoneStatus({ microphone }: { microphone: ReturnType<typeof useMicrophone> }) {
  const mic = microphone.state;
  return (
    <>
      {mic.kind === 'asking' && <Alert severity="info">Asking for the microphone… allow it when the browser asks.</Alert>}
      {(mic.kind === 'refused' || mic.kind === 'unavailable') && (
        <Alert
          severity="error"
          data-testid="microphone-refused"
          action={
            <Button color="inherit" size="small" onClick={microphone.retry} sx={focusRing}>
              Try again
            </Button>
          }
        >
          {mic.message}
        </Alert>
      )}
      {!supportsWebmOpus() && <Alert severity="error">This browser cannot record WebM/Opus audio; use a current Chrome, Edge or Firefox.</Alert>}

      {mic.kind === 'ready' && (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
          <MicIcon color={microphone.level > 5 ? 'primary' : 'disabled'} />
          <LinearProgress
            variant="determinate"
            value={microphone.level}
            aria-label="Microphone level"
            data-testid="level-meter"
            data-level={microphone.level}
            sx={{ flex: 1, height: 10, borderRadius: 5 }}
            color={microphone.level > 95 ? 'error' : 'primary'}
          />
        </Box>
      )}
    </>
  );
}

export function UploadNotice({ take }: { take: Take }) {
  const upload = take.upload;
  if (!upload || upload.kind === 'sending') return null;
  if (upload.kind === 'failed') return <Alert severity="error" data-testid="connection-failed">{upload.message}</Alert>;
  return (
    <Alert severity="warning" data-testid="connection-lost" role="status">
      The connection to the server was lost. Keep talking: your take is kept here and sending resumes
      {upload.resumeFrom !== null ? ` from chunk ${upload.resumeFrom}` : ''} as soon as the server answers.
    </Alert>
  );
}

/** The take's final text, then its interim text, as the server's transcript chunks arrive. */
export function HeardText({ take }: { take: Take }) {
  if (take.phase === 'idle' || take.phase === 'submitted') return null;
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        What the server hears
      </Typography>
      <Typography variant="body1" aria-live="polite" data-testid="live-text" sx={{ minHeight: '1.5em' }}>
        {take.finalText}{' '}
        <Box component="span" sx={{ color: 'text.secondary', fontStyle: 'italic' }} data-testid="interim-text">
          {take.interimText}
        </Box>
        {!take.finalText && !take.interimText && (
          <Box component="span" sx={{ color: 'text.disabled' }}>
            {take.phase === 'recording' ? 'Listening…' : 'Nothing recognised.'}
          </Box>
        )}
      </Typography>
    </Box>
  );
}
