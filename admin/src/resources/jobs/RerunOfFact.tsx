// The job this one was run again from (Job.rerunOf), as a link among the job page's facts; nothing
// when it was not, is gone, or the viewer cannot see it.
import { Grid, Link, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { useCreatePath, useRecordContext, useResourceContext } from 'react-admin';
import { useLoaded } from '../../api/hooks.ts';
import { RerunOfQuery } from './rerunOperations.ts';

export function RerunOfFact() {
  const record = useRecordContext();
  const resource = useResourceContext() ?? 'jobs';
  const createPath = useCreatePath();
  const { data } = useLoaded(RerunOfQuery, { id: String(record?.id ?? '') });
  // The answer for this record only (the previous one's stays on screen while the next loads).
  const original = data?.job && String(data.job.id) === String(record?.id) ? data.job.rerunOf : null;
  if (!record || !original) return null;
  return (
    <Grid size={{ xs: 6, md: 3 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        Run again from
      </Typography>
      <Typography variant="body2" component="div" sx={{ overflowWrap: 'anywhere' }}>
        <Link component={RouterLink} to={createPath({ resource, id: original.id, type: 'show' })} data-testid="rerun-of">
          {original.filename ?? original.id}
        </Link>
      </Typography>
    </Grid>
  );
}
