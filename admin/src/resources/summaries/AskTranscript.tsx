// The transcript page's question box: ask about the transcript, read the answer, and click a
// citation to play the segment it rests on.
import { Alert, Box, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useClient } from 'urql';
import { AskTranscriptMutation } from './operations.ts';
import { TimeRangeLink } from './TimeRangeLink.tsx';

/** The server's limit (MAX_QUESTION_CHARS). */
const MAX_QUESTION_CHARS = 1000;

interface Answer {
  question: string;
  answer: string;
  citations: Array<{ segmentIndex: number; start: number; end: number; text: string }>;
}

export function AskTranscript({ jobId, onSeek }: { jobId: string; onSeek: (seconds: number) => void }) {
  const client = useClient();
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const ask = async () => {
    setBusy(true);
    setFailure(null);
    const result = await client.mutation(AskTranscriptMutation, { jobId, question }).toPromise();
    setBusy(false);
    if (result.error) setFailure(result.error.graphQLErrors[0]?.message ?? result.error.message);
    else if (result.data) setAnswer(result.data.askTranscript);
  };

  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="ask-transcript">
      <Stack
        spacing={1}
        component="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (question.trim() && !busy) void ask();
        }}
      >
        <Typography variant="subtitle1">Ask about this transcript</Typography>
        <Stack direction="row" spacing={1}>
          <TextField
            size="small"
            fullWidth
            placeholder="Who will send the budget?"
            value={question}
            onChange={(event) => setQuestion(event.target.value)}
            slotProps={{ htmlInput: { 'aria-label': 'Question', maxLength: MAX_QUESTION_CHARS } }}
          />
          <Button type="submit" variant="contained" size="small" disabled={busy || !question.trim()}>
            Ask
          </Button>
        </Stack>
        {failure && <Alert severity="warning">{failure}</Alert>}
        {answer && (
          <Box data-testid="answer">
            <Typography variant="body2" sx={{ whiteSpace: 'pre-line' }}>
              {answer.answer}
            </Typography>
            {answer.citations.length > 0 && (
              <Box component="ul" sx={{ m: 0, mt: 0.5, pl: 2.5 }} data-testid="citations">
                {answer.citations.map((citation) => (
                  <Box component="li" key={citation.segmentIndex}>
                    <TimeRangeLink start={citation.start} end={citation.end} onSeek={onSeek} />
                    <Typography variant="body2" component="span" color="text.secondary">
                      {citation.text}
                    </Typography>
                  </Box>
                ))}
              </Box>
            )}
          </Box>
        )}
      </Stack>
    </Paper>
  );
}
