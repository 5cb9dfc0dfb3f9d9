// The transcript's speakers: their names as every export shows them, renamable by who may correct.
import EditIcon from '@mui/icons-material/Edit';
import { Alert, Box, Button, Chip, IconButton, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import type { TranscriptJob } from './model.ts';

export function SpeakerNames({
  speakers,
  canEdit,
  onRename,
}: {
  speakers: TranscriptJob['speakers'];
  canEdit: boolean;
  onRename: (speaker: string, name: string) => Promise<void>;
}) {
  const [editing, setEditing] = useState<{ speaker: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (speakers.length === 0) return null;

  const save = async () => {
    if (!editing) return;
    setError(null);
    try {
      await onRename(editing.speaker, editing.name);
      setEditing(null);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <Box data-testid="speakers">
      <Typography variant="subtitle2" gutterBottom>
        Speakers
      </Typography>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        {speakers.map((speaker) =>
          editing?.speaker === speaker.speaker ? (
            <Stack key={speaker.speaker} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField
                size="small"
                label={`Name for ${speaker.displayName}`}
                value={editing.name}
                autoFocus
                onChange={(event) => setEditing({ ...editing, name: event.target.value })}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') void save();
                  if (event.key === 'Escape') setEditing(null);
                }}
                slotProps={{ htmlInput: { maxLength: 80 } }}
              />
              <Button size="small" variant="contained" onClick={() => void save()}>
                Save
              </Button>
              <Button size="small" onClick={() => setEditing(null)}>
                Cancel
              </Button>
            </Stack>
          ) : (
            <Stack key={speaker.speaker} direction="row" sx={{ alignItems: 'center' }}>
              <Chip label={speaker.displayName} variant={speaker.name ? 'filled' : 'outlined'} data-testid="speaker" />
              {canEdit && (
                <IconButton
                  size="small"
                  aria-label={`Rename ${speaker.displayName}`}
                  onClick={() => setEditing({ speaker: speaker.speaker, name: speaker.name ?? '' })}
                >
                  <EditIcon fontSize="small" />
                </IconButton>
              )}
            </Stack>
          ),
        )}
      </Stack>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {error}
        </Alert>
      )}
    </Box>
  );
}
