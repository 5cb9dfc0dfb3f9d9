// Every saved correction, newest first: who, when, which segment, the text before and after.
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Accordion, AccordionDetails, AccordionSummary, Box, Typography } from '@mui/material';
import { formatDateTime } from '../../components/format.ts';
import type { TranscriptRevision } from './model.ts';

export function RevisionHistory({ revisions, revision }: { revisions: readonly TranscriptRevision[]; revision: number }) {
  return (
    <Accordion variant="outlined" disableGutters data-testid="revision-history">
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography variant="subtitle2">
          Revision history ·{' '}
          {revision === 0 ? 'the engine output, uncorrected' : `revision ${revision} (${revisions.length} correction${revisions.length === 1 ? '' : 's'})`}
        </Typography>
      </AccordionSummary>
      <AccordionDetails>
        {revisions.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No corrections yet. The engine&apos;s output is kept as it was whatever you change.
          </Typography>
        ) : (
          <Box component="ol" sx={{ listStyle: 'none', p: 0, m: 0 }}>
            {revisions.map((entry) => (
              <Box component="li" key={entry.number} data-testid="revision" sx={{ py: 1, borderBottom: 1, borderColor: 'divider' }}>
                <Typography variant="body2" sx={{ fontWeight: 500 }}>
                  Revision {entry.number} · segment {entry.segmentIndex + 1} · {entry.author?.username ?? 'a deleted user'} ·{' '}
                  {formatDateTime(entry.createdAt)}
                </Typography>
                <Typography variant="body2" sx={{ color: 'error.main', textDecoration: 'line-through', overflowWrap: 'anywhere' }}>
                  {entry.before}
                </Typography>
                <Typography variant="body2" sx={{ color: 'success.dark', overflowWrap: 'anywhere' }}>
                  {entry.after}
                </Typography>
              </Box>
            ))}
          </Box>
        )}
      </AccordionDetails>
    </Accordion>
  );
}
