// The transcript page's redaction bar, for a job with redaction in force: a redacted/original
// toggle (the original only for those the server lets read it) and redacted downloads. With
// "Redacted" chosen the redacted segments replace the transcript view.
import DownloadIcon from '@mui/icons-material/Download';
import { Alert, Box, Button, Stack, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useState, type ReactNode } from 'react';
import { useNotify } from 'react-admin';
import { useQuery } from 'urql';
import { downloadFile } from '../../runtime.ts';
import { JobRedactionQuery } from './operations.ts';

const FORMATS = ['TXT', 'SRT', 'VTT', 'JSON', 'DOCX', 'PDF'] as const;

function clock(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export function TranscriptRedaction({ jobId, children }: { jobId: string; children: ReactNode }) {
  const [{ data }] = useQuery({ query: JobRedactionQuery, variables: { id: jobId }, requestPolicy: 'network-only' });
  const [shown, setShown] = useState<'original' | 'redacted'>('original');
  const notify = useNotify();
  const job = data?.job;
  if (!job || job.redact.length === 0) return <>{children}</>;
  const redactedOnly = job.transcriptRedacted;
  const showRedacted = redactedOnly || shown === 'redacted';
  return (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }} data-testid="redaction-bar">
        <ToggleButtonGroup
          size="small"
          exclusive
          value={showRedacted ? 'redacted' : 'original'}
          onChange={(_event, next: 'original' | 'redacted' | null) => next && setShown(next)}
          aria-label="Transcript shown"
        >
          <ToggleButton value="original" disabled={redactedOnly}>
            Original
          </ToggleButton>
          <ToggleButton value="redacted">Redacted</ToggleButton>
        </ToggleButtonGroup>
        <Typography variant="body2" color="text.secondary">
          Redacts {job.redact.join(', ')}
          {redactedOnly ? ': you see the redacted transcript only.' : '.'}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          Redacted downloads:
        </Typography>
        {FORMATS.map((format) => (
          <Button
            key={format}
            size="small"
            startIcon={<DownloadIcon />}
            aria-label={`Download redacted ${format}`}
            onClick={() =>
              downloadFile(`/jobs/${jobId}/transcript.${format.toLowerCase()}?redacted=1`, `${jobId}-redacted.${format.toLowerCase()}`).catch(
                (error: Error) => notify(error.message, { type: 'error' }),
              )
            }
          >
            {format}
          </Button>
        ))}
      </Stack>
      {showRedacted && !redactedOnly ? (
        <Box component="ol" data-testid="redacted-transcript" sx={{ listStyle: 'none', p: 0, m: 0, maxHeight: '70vh', overflowY: 'auto' }}>
          {job.segments.length === 0 && <Alert severity="info">The transcript is empty.</Alert>}
          {job.segments.map((segment) => (
            <Box component="li" key={segment.index} sx={{ py: 0.5 }}>
              <Typography variant="caption" color="text.secondary">
                {clock(segment.start)}
                {segment.speakerName ? ` · ${segment.speakerName}` : ''}
              </Typography>
              <Typography variant="body1">{segment.text}</Typography>
            </Box>
          ))}
        </Box>
      ) : (
        children
      )}
    </Stack>
  );
}
