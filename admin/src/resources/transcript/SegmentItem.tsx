// One segment of the transcript view: its time (play from here), speaker, words (click one to seek;
// the playing word and search matches lit) and, for who may correct it, an inline editor.
import EditIcon from '@mui/icons-material/Edit';
import { Alert, Box, Button, Chip, IconButton, Stack, TextField, Tooltip, Typography } from '@mui/material';
import { memo, useState } from 'react';
import { formatDateTime, formatTimestamp } from '../../components/format.ts';
import type { ShownWord, TranscriptRevision, TranscriptSegment } from './model.ts';

export type WordMark = 'match' | 'current-match';

interface Props {
  segment: TranscriptSegment;
  words: ShownWord[];
  /** ShownWord.at of the playing word when it is in this segment, else -1. */
  activeAt: number;
  /** Search marks of this segment's words, by ShownWord.at. */
  marks: ReadonlyMap<number, WordMark> | null;
  canEdit: boolean;
  lastRevision: TranscriptRevision | undefined;
  onSeek: (seconds: number) => void;
  onSave: (segmentIndex: number, text: string) => Promise<void>;
}

const MAX_LENGTH = 2000;

function SegmentItemView({ segment, words, activeAt, marks, canEdit, lastRevision, onSeek, onSave }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editing = draft !== null;

  const save = async () => {
    if (draft === null) return;
    setSaving(true);
    setError(null);
    try {
      await onSave(segment.index, draft);
      setDraft(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Box
      component="li"
      data-testid="segment"
      data-index={segment.index}
      sx={{ display: 'flex', flexDirection: { xs: 'column', sm: 'row' }, gap: { xs: 0.5, sm: 2 }, py: 1, borderBottom: 1, borderColor: 'divider' }}
    >
      <Stack direction={{ xs: 'row', sm: 'column' }} spacing={0.5} sx={{ minWidth: 120, alignItems: { xs: 'center', sm: 'flex-start' } }}>
        <Button
          size="small"
          variant="text"
          onClick={() => onSeek(segment.start)}
          aria-label={`Play from ${formatTimestamp(segment.start)}`}
          sx={{ fontFamily: 'monospace', minWidth: 0, px: 0.5 }}
        >
          {formatTimestamp(segment.start)}
        </Button>
        {segment.speakerName && <Chip size="small" label={segment.speakerName} data-testid="segment-speaker" />}
        {segment.provider && (
          <Typography variant="caption" color="text.secondary" data-testid="segment-provider" title="The engine that produced this segment">
            {segment.provider}
          </Typography>
        )}
      </Stack>
      <Box sx={{ flex: 1, minWidth: 0 }}>
        {editing ? (
          <Stack spacing={1}>
            <TextField
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void save();
                if (event.key === 'Escape') setDraft(null);
              }}
              multiline
              minRows={2}
              fullWidth
              autoFocus
              label="Corrected text"
              slotProps={{ htmlInput: { maxLength: MAX_LENGTH, 'data-testid': 'segment-editor' } }}
              helperText="Ctrl+Enter saves, Escape cancels. Unchanged words keep their timing."
            />
            {error && <Alert severity="error">{error}</Alert>}
            <Stack direction="row" spacing={1}>
              <Button variant="contained" size="small" onClick={() => void save()} disabled={saving || draft.trim() === ''}>
                Save
              </Button>
              <Button size="small" onClick={() => setDraft(null)} disabled={saving}>
                Cancel
              </Button>
            </Stack>
          </Stack>
        ) : (
          <Box sx={{ display: 'flex', alignItems: 'flex-start', gap: 1 }}>
            <Typography variant="body1" component="p" sx={{ flex: 1, m: 0, lineHeight: 1.9 }} data-testid="segment-text">
              {words.map((word) => {
                const mark = marks?.get(word.at);
                const active = word.at === activeAt;
                return (
                  <span key={word.at}>
                    <Box
                      component="span"
                      data-testid="word"
                      data-at={word.at}
                      data-start={word.start}
                      aria-current={active ? 'true' : undefined}
                      className={[active ? 'word-active' : '', mark ?? ''].join(' ').trim() || undefined}
                      onClick={() => onSeek(word.start)}
                      sx={{
                        cursor: 'pointer',
                        borderRadius: 0.5,
                        px: 0.25,
                        bgcolor: active ? 'primary.main' : mark === 'current-match' ? 'warning.main' : mark === 'match' ? 'warning.light' : undefined,
                        color: active ? 'primary.contrastText' : undefined,
                        '&:hover': { textDecoration: 'underline' },
                      }}
                    >
                      {word.text}
                    </Box>{' '}
                  </span>
                );
              })}
            </Typography>
            {canEdit && (
              <Tooltip title="Correct this segment">
                <IconButton size="small" aria-label={`Edit segment ${segment.index + 1}`} onClick={() => setDraft(segment.text)}>
                  <EditIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            )}
          </Box>
        )}
        {lastRevision && !editing && (
          <Typography variant="caption" color="text.secondary" data-testid="segment-edited">
            Edited by {lastRevision.author?.username ?? 'a deleted user'} · {formatDateTime(lastRevision.createdAt)} (revision{' '}
            {lastRevision.number})
          </Typography>
        )}
      </Box>
    </Box>
  );
}

export const SegmentItem = memo(SegmentItemView);
