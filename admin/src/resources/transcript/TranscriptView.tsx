// A completed job's transcript beside its media: the playing word lit, click a word to seek, search
// with next/previous, speakers named, segments corrected inline (each save a revision), the history.
// The job page (resources/jobs) embeds it; downloads are in that page's toolbar.
import KeyboardArrowDownIcon from '@mui/icons-material/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@mui/icons-material/KeyboardArrowUp';
import SearchIcon from '@mui/icons-material/Search';
import { Alert, Box, CircularProgress, Grid, IconButton, InputAdornment, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useGetIdentity, useNotify, usePermissions } from 'react-admin';
import { MediaPlayer, usePlayTime } from './MediaPlayer.tsx';
import { findMatches, latestRevisionBySegment, shownWords, wordAt, type TranscriptJob } from './model.ts';
import { RevisionHistory } from './RevisionHistory.tsx';
import { SegmentItem, type WordMark } from './SegmentItem.tsx';
import { SpeakerNames } from './SpeakerNames.tsx';
import { AskTranscript } from '../summaries/AskTranscript.tsx';
import { SummaryPanel } from '../summaries/SummaryPanel.tsx';
import { useTranscript } from './useTranscript.ts';
import { TranscriptRedaction } from '../redaction/TranscriptRedaction.tsx';

export function TranscriptView({ jobId }: { jobId: string }) {
  const { job, error, loading, saveSegment, renameSpeaker } = useTranscript(jobId);
  if (loading) return <CircularProgress size={24} aria-label="Loading the transcript" />;
  if (error || !job) return <Alert severity="error">{error ?? 'The transcript could not be loaded.'}</Alert>;
  return (
    <TranscriptRedaction jobId={jobId}>
      <LoadedTranscript job={job} saveSegment={saveSegment} renameSpeaker={renameSpeaker} />
    </TranscriptRedaction>
  );
}

/** The owner of the job, or a site admin: the server's rule for who may correct it (access/jobs.ts). */
function useCanEdit(job: TranscriptJob): boolean {
  const { identity } = useGetIdentity();
  const { permissions } = usePermissions();
  return permissions === 'ADMIN' || (identity !== undefined && identity.id === job.owner.id);
}

function LoadedTranscript({
  job,
  saveSegment,
  renameSpeaker,
}: {
  job: TranscriptJob;
  saveSegment: (segmentIndex: number, text: string) => Promise<void>;
  renameSpeaker: (speaker: string, name: string) => Promise<void>;
}) {
  const notify = useNotify();
  const canEdit = useCanEdit(job);
  const [media, setMedia] = useState<HTMLMediaElement | null>(null);
  const time = usePlayTime(media);
  const list = useRef<HTMLOListElement>(null);

  const words = useMemo(() => shownWords(job.segments), [job.segments]);
  const allWords = useMemo(() => words.flat(), [words]);
  const activeAt = media && time > 0 ? wordAt(allWords, time) : -1;
  const activeSegment = activeAt >= 0 ? allWords[activeAt].segmentIndex : null;
  const revisionBySegment = useMemo(() => latestRevisionBySegment(job.revisions), [job.revisions]);

  const [query, setQuery] = useState('');
  const matches = useMemo(() => findMatches(words, query), [words, query]);
  const [current, setCurrent] = useState(0);
  useEffect(() => setCurrent(0), [query]);
  const marksBySegment = useMemo(() => {
    const bySegment = new Map<number, Map<number, WordMark>>();
    matches.forEach((match, i) => {
      for (let at = match.first; at < match.first + match.count; at++) {
        const segmentIndex = allWords[at].segmentIndex;
        if (!bySegment.has(segmentIndex)) bySegment.set(segmentIndex, new Map());
        bySegment.get(segmentIndex)!.set(at, i === current ? 'current-match' : 'match');
      }
    });
    return bySegment;
  }, [matches, current, allWords]);

  const wordElement = (at: number) => list.current?.querySelector<HTMLElement>(`[data-at="${at}"]`) ?? null;

  // The current match comes into view as the user steps through them.
  useEffect(() => {
    const match = matches[current];
    if (match) wordElement(match.first)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [matches, current]);

  // While playing, the lit word stays in view.
  useEffect(() => {
    if (activeAt >= 0 && media && !media.paused) wordElement(activeAt)?.scrollIntoView({ block: 'nearest' });
  }, [activeAt, media]);

  const seek = useCallback(
    (seconds: number) => {
      if (media) media.currentTime = seconds;
    },
    [media],
  );
  const save = useCallback(
    async (segmentIndex: number, text: string) => {
      await saveSegment(segmentIndex, text);
      notify('Correction saved as a new revision.', { type: 'success' });
    },
    [saveSegment, notify],
  );
  const step = (by: number) => matches.length > 0 && setCurrent((current + by + matches.length) % matches.length);

  return (
    <Grid container spacing={2} data-testid="transcript-view">
      <Grid size={{ xs: 12, md: 4 }}>
        <Stack spacing={2}>
          <MediaPlayer url={job.mediaUrl} type={job.mediaType} onElement={setMedia} />
          <SpeakerNames speakers={job.speakers} canEdit={canEdit} onRename={renameSpeaker} />
          <SummaryPanel jobId={job.id} canEdit={canEdit} onSeek={seek} />
          <AskTranscript jobId={job.id} onSeek={seek} />
          {canEdit && (
            <Typography variant="body2" color="text.secondary">
              Click a word to jump there. Use the pencil to correct a segment: each save is a new revision, and the engine&apos;s
              output is kept.
            </Typography>
          )}
        </Stack>
      </Grid>
      <Grid size={{ xs: 12, md: 8 }}>
        <Stack direction="row" spacing={0.5} sx={{ mb: 1, alignItems: 'center' }}>
          <TextField
            size="small"
            fullWidth
            sx={{ flex: 1, minWidth: 0 }}
            placeholder="Search the transcript"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') step(event.shiftKey ? -1 : 1);
            }}
            slotProps={{
              htmlInput: { 'aria-label': 'Search the transcript' },
              input: {
                startAdornment: (
                  <InputAdornment position="start">
                    <SearchIcon fontSize="small" />
                  </InputAdornment>
                ),
              },
            }}
          />
          <Typography variant="body2" sx={{ whiteSpace: 'nowrap' }} data-testid="search-count" aria-live="polite">
            {query.trim() === '' ? '' : matches.length === 0 ? 'No matches' : `${current + 1} of ${matches.length}`}
          </Typography>
          <IconButton aria-label="Previous match" size="small" onClick={() => step(-1)} disabled={matches.length === 0}>
            <KeyboardArrowUpIcon />
          </IconButton>
          <IconButton aria-label="Next match" size="small" onClick={() => step(1)} disabled={matches.length === 0}>
            <KeyboardArrowDownIcon />
          </IconButton>
        </Stack>
        {/* The transcript scrolls in its own box, so the player stays in sight beside (or above) it. */}
        <Box
          component="ol"
          ref={list}
          data-testid="transcript"
          sx={{ listStyle: 'none', p: 0, m: 0, maxHeight: { xs: '60vh', md: '70vh' }, overflowY: 'auto', pr: 1 }}
        >
          {job.segments.map((segment, i) => (
            <SegmentItem
              key={segment.index}
              segment={segment}
              words={words[i]}
              activeAt={activeSegment === segment.index ? activeAt : -1}
              marks={marksBySegment.get(segment.index) ?? null}
              canEdit={canEdit}
              lastRevision={revisionBySegment.get(segment.index)}
              onSeek={seek}
              onSave={save}
            />
          ))}
        </Box>
        <Box sx={{ mt: 2 }}>
          <RevisionHistory revisions={job.revisions} revision={job.revision} />
        </Box>
      </Grid>
    </Grid>
  );
}
