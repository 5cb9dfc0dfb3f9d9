// The job's audio or video with the browser's own controls, and the play position as React state
// (every animation frame while playing, so the highlighted word keeps up).
import { Alert, Box } from '@mui/material';
import { useEffect, useState } from 'react';
import { sameOriginPath } from './model.ts';

export function MediaPlayer({
  url,
  type,
  onElement,
}: {
  url: string | null;
  type: string | null;
  onElement: (element: HTMLMediaElement | null) => void;
}) {
  const [failed, setFailed] = useState(false);
  if (!url) {
    return (
      <Alert severity="info" data-testid="no-media">
        No media is kept for this job (it was transcribed from a link), so there is nothing to play.
      </Alert>
    );
  }
  const props = {
    ref: onElement,
    src: sameOriginPath(url),
    controls: true,
    preload: 'auto',
    'data-testid': 'player',
    onError: () => setFailed(true),
  } as const;
  return (
    <Box>
      {type?.startsWith('video/') ? (
        <Box component="video" {...props} sx={{ width: '100%', maxHeight: 360, bgcolor: 'black', borderRadius: 1 }} />
      ) : (
        <Box component="audio" {...props} sx={{ width: '100%' }} />
      )}
      {failed && <Alert severity="warning">The browser could not play this file; the transcript and downloads still work.</Alert>}
    </Box>
  );
}

/** The element's current time: on every frame while it plays, and after each seek. */
export function usePlayTime(media: HTMLMediaElement | null): number {
  const [time, setTime] = useState(0);
  useEffect(() => {
    if (!media) return;
    let frame = 0;
    const update = () => setTime(media.currentTime);
    const tick = () => {
      update();
      frame = requestAnimationFrame(tick);
    };
    const play = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(tick);
    };
    const stop = () => {
      cancelAnimationFrame(frame);
      update();
    };
    media.addEventListener('playing', play);
    media.addEventListener('pause', stop);
    media.addEventListener('ended', stop);
    media.addEventListener('seeked', update);
    media.addEventListener('timeupdate', update);
    if (!media.paused) play();
    return () => {
      cancelAnimationFrame(frame);
      media.removeEventListener('playing', play);
      media.removeEventListener('pause', stop);
      media.removeEventListener('ended', stop);
      media.removeEventListener('seeked', update);
      media.removeEventListener('timeupdate', update);
    };
  }, [media]);
  return time;
}
