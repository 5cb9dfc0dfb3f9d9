// A time range of the audio as a small link that seeks the player to its start.
import { Link } from '@mui/material';
import { formatDuration } from '../../components/format.ts';

export function TimeRangeLink({ start, end, onSeek }: { start: number; end: number; onSeek: (seconds: number) => void }) {
  // Whole seconds that contain the range: its start rounded down, its end up.
  const label = `${formatDuration(Math.floor(start))}–${formatDuration(Math.ceil(end))}`;
  return (
    <Link
      component="button"
      type="button"
      variant="body2"
      onClick={() => onSeek(start)}
      aria-label={`Play from ${formatDuration(Math.floor(start))}`}
      data-start={start}
      sx={{ mr: 0.75, verticalAlign: 'baseline' }}
    >
      {label}
    </Link>
  );
}
