// The vocabulary a job or live session was started with (its terms and context prompt), and what
// each engine that transcribed it applied (vocabularyApplied). Nothing when it had none.
import { Box, Card, CardContent, Chip, Typography } from '@mui/material';
import { useEffect } from 'react';
import { useRecordContext } from 'react-admin';
import { useLoaded } from '../../api/hooks.ts';
import type { WebAppVocabularyApplicationFragment } from '../../gql/graphql.ts';
import { JobVocabularyQuery } from './operations.ts';

export function JobVocabularyApplied() {
  const record = useRecordContext();
  const id = record ? String(record.id) : '';
  const status = record?.status as string | undefined;
  const { data, reload } = useLoaded(JobVocabularyQuery, { id });
  // Asked again when the status changes: the reports are written as the engines finish their chunks.
  useEffect(() => reload(), [status, reload]);
  const job = data?.job;
  if (!job) return null;
  return <VocabularyInUse terms={job.vocabularyTerms} contextPrompt={job.contextPrompt ?? null} applied={job.vocabularyApplied} testId="job-vocabulary" />;
}

export function VocabularyInUse({
  terms,
  contextPrompt,
  applied,
  testId,
}: {
  terms: string[];
  contextPrompt: string | null;
  applied: WebAppVocabularyApplicationFragment[];
  testId: string;
}) {
  if (terms.length === 0 && !contextPrompt) return null;
  return (
    <Card variant="outlined" data-testid={testId}>
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          Vocabulary
        </Typography>
        <Typography variant="body2">Terms: {terms.join(', ') || '—'}</Typography>
        {contextPrompt && <Typography variant="body2">Context prompt: {contextPrompt}</Typography>}
        {applied.map((report) => (
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
