// A project's prompts with their recording and approved counts; OWNERs and ADMINs add prompts in
// bulk, one per line (pasted from a text file, say). The server trims them and drops empty lines
// and repeats.
import PlaylistAddIcon from '@mui/icons-material/PlaylistAdd';
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Datagrid, NumberField, Pagination, ReferenceManyField, TextField as TextColumn, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { AddPromptsMutation } from '../../api/operations.ts';
import { roleMay } from './roles.ts';
import { useMutate } from '../../api/hooks.ts';

/** The server's limits (services/prompts.ts): at most this many per call. */
const MAX_PER_CALL = 1000;

const linesOf = (text: string) => text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);

function AddPromptsForm({ projectId }: { projectId: string }) {
  const mutate = useMutate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const lines = linesOf(text);

  const add = async () => {
    setBusy(true);
    try {
      const added = (await mutate(AddPromptsMutation, { projectId, texts: lines })).addPrompts;
      const skipped = lines.length - added.length;
      notify(
        `Added ${added.length} prompt${added.length === 1 ? '' : 's'}${skipped > 0 ? ` (${skipped} already there or repeated)` : ''}`,
        { type: 'success' },
      );
      setText('');
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card variant="outlined">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <Typography variant="subtitle1" component="h3">
          Add prompts
        </Typography>
        <TextField
          label="One prompt per line"
          multiline
          minRows={4}
          maxRows={16}
          value={text}
          onChange={(event) => setText(event.target.value)}
          helperText={`${lines.length} line${lines.length === 1 ? '' : 's'} · up to ${MAX_PER_CALL} at once, 500 characters each; empty lines and repeats are skipped`}
          slotProps={{ htmlInput: { 'data-testid': 'prompts-input' } }}
        />
        <Box>
          <Button variant="contained" startIcon={<PlaylistAddIcon />} disabled={busy || lines.length === 0 || lines.length > MAX_PER_CALL} onClick={() => void add()}>
            Add {lines.length || ''} prompt{lines.length === 1 ? '' : 's'}
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}

/** Project show tab: the prompts (oldest first) with how often each was recorded and approved. */
export function PromptsPanel(_props: { label?: false }) {
  const project = useRecordContext();
  if (!project) return null;
  const viewerRole = (project.viewerRole as string | null) ?? null;
  return (
    <Box sx={{ width: '100%', minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
      {roleMay(viewerRole, 'managePrompts') ? (
        <AddPromptsForm projectId={String(project.id)} />
      ) : (
        <Alert severity="info" data-testid="prompts-read-only">
          Prompts are added by the project's OWNERs and ADMINs{viewerRole ? `; you are ${viewerRole}` : ''}.
        </Alert>
      )}
      <ReferenceManyField reference="prompts" target="projectId" perPage={25} pagination={<Pagination />} label={false}>
        <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography sx={{ p: 2 }}>No prompts yet.</Typography>}>
          <TextColumn source="text" sortable={false} />
          <NumberField source="recordingsCount" label="Recordings" sortable={false} />
          <NumberField source="approvedRecordingsCount" label="Approved" sortable={false} />
        </Datagrid>
      </ReferenceManyField>
    </Box>
  );
}
