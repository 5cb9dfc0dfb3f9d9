// The Vocabulary page: the viewer's own vocabulary sets.
import { Box, Typography } from '@mui/material';
import { Title } from 'react-admin';
import { VocabularySetsManager } from './VocabularySetsManager.tsx';

export function VocabularyPage() {
  return (
    <Box sx={{ p: 2 }}>
      <Title title="Vocabulary" />
      <Typography variant="h6" gutterBottom>
        Vocabulary sets
      </Typography>
      <VocabularySetsManager />
    </Box>
  );
}
