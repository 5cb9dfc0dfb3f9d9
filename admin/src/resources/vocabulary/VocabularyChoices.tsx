// The new-job form's vocabulary: sets whose terms the engines should favour, and a context prompt.
// No set chosen: a job into a project takes the project's default sets.
import { Grid, ListItemText, MenuItem, TextField } from '@mui/material';
import { useLoaded } from '../../api/hooks.ts';
import type { CreateTranscriptionJobInput } from '../../gql/graphql.ts';
import { VocabularySetsQuery } from './operations.ts';

export interface VocabularyDraft {
  setIds: string[];
  contextPrompt: string;
}

export const EMPTY_VOCABULARY: VocabularyDraft = { setIds: [], contextPrompt: '' };

export function vocabularyInput(draft: VocabularyDraft): Pick<CreateTranscriptionJobInput, 'vocabularySetIds' | 'contextPrompt'> {
  return {
    ...(draft.setIds.length > 0 ? { vocabularySetIds: draft.setIds } : {}),
    ...(draft.contextPrompt.trim() ? { contextPrompt: draft.contextPrompt.trim() } : {}),
  };
}

export function VocabularyChoices({ value, onChange, disabled }: { value: VocabularyDraft; onChange: (next: VocabularyDraft) => void; disabled?: boolean }) {
  const sets = useLoaded(VocabularySetsQuery, { projectId: null });
  const options = (sets.data?.vocabularySets.edges ?? []).map((edge) => edge.node);
  const nameOf = (id: string) => options.find((set) => set.id === id)?.name ?? id;
  return (
    <Grid container spacing={2} data-testid="vocabulary-choices">
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          select
          label="Vocabulary sets"
          name="vocabularySets"
          value={value.setIds}
          onChange={(event) => onChange({ ...value, setIds: event.target.value as unknown as string[] })}
          slotProps={{
            select: {
              multiple: true,
              displayEmpty: true,
              renderValue: (selected) => ((selected as string[]).length === 0 ? "None (a project's defaults)" : (selected as string[]).map(nameOf).join(', ')),
            },
            inputLabel: { shrink: true },
          }}
          helperText={sets.error ?? 'Names and words the engines should favour'}
          disabled={disabled}
          fullWidth
        >
          {options.map((set) => (
            <MenuItem key={set.id} value={set.id}>
              <ListItemText primary={set.name} secondary={`${set.termCount} terms${set.project ? ` · ${set.project.name}` : ''}`} />
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          label="Context prompt"
          name="contextPrompt"
          value={value.contextPrompt}
          onChange={(event) => onChange({ ...value, contextPrompt: event.target.value })}
          helperText="What the recording is about (engines that take a prompt use it)"
          slotProps={{ htmlInput: { maxLength: 2000 } }}
          disabled={disabled}
          fullWidth
        />
      </Grid>
    </Grid>
  );
}
