// The job page's vocabulary: the terms and context prompt the job was submitted with, and what each
// engine that transcribed it applied (Job.vocabularyApplied). Nothing when the job had none.
import { Box, Card, CardContent, Chip, Typography } from '@mui/material';
import { useEffect } from 'react';
import { useRecordContext } from 'react-admin';
import { useLoaded } from '../../api/hooks.ts';
import { JobVocabularyQuery } from './operations.ts';

export function JobVocabularyApplied() {
  const record = useRecordContext();
  const id = record ? String(record.id) : '';
  const status = record?.status as string | undefined;
  const { data, reload } = useLoaded(JobVocabularyQuery, { id });
  // Asked again when the status changes: the reports are written as the engines finish their chunks.
  useEffect(() => reload(), [status, reload]);
  const job = data?.job;
  if (!job || (job.vocabularyTerms.length === 0 && !job.contextPrompt)) return null;
  return (
    <Card variant="outlined" data-testid="job-vocabulary">
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          Vocabulary
        </Typography>
        <Typography variant="body2">Terms: {job.vocabularyTerms.join(', ') || '—'}</Typography>
        {job.contextPrompt && <Typography variant="body2">Context prompt: {job.contextPrompt}</Typography>}
        {job.vocabularyApplied.map((report) => (
          <Box key={report.provider} sx={{ mt: 1 }} data-testid="vocabulary-applied">
            <Typography variant="subtitle2">
              {report.provider}: {report.termsApplied.length} applied
              {report.truncated && <Chip size="small" label="truncated" sx={{ ml: 1 }} />}
            </Typography>
            {report.termsApplied.length > 0 && <Typography variant="body2">Applied: {report.termsApplied.join(', ')}</Typography>}
            {report.termsNotApplied.map((entry) => (
              <Typography key={entry.term} variant="body2" color="text.secondary">
                Not applied: {entry.term} ({entry.reason})
              </Typography>
            ))}
            <Typography variant="body2" color="text.secondary">
              Context prompt {report.contextPromptPassed ? 'passed' : 'not passed'}
            </Typography>
            {report.notes.map((note) => (
              <Typography key={note} variant="caption" color="text.secondary" component="div">
                {note}
              </Typography>
            ))}
          </Box>
        ))}
      </CardContent>
    </Card>
  );
}
