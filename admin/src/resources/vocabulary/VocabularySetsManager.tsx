// Vocabulary sets (README, "Vocabulary and context"): the viewer's own sets on the Vocabulary page, a
// project's sets on its page (where OWNERs and ADMINs also pick the default sets). Terms are edited as
// one per line; the server's refusals (too many, too long, repeats) are shown as it words them.
import { Alert, Box, Button, Card, CardContent, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Confirm, useNotify } from 'react-admin';
import { useLoaded, useMutate } from '../../api/hooks.ts';
import { CreateVocabularySetMutation, DeleteVocabularySetMutation, SetProjectDefaultVocabularySetsMutation, UpdateVocabularySetMutation, VocabularySetsQuery } from './operations.ts';
import { termsFromText, textFromTerms } from './terms.ts';

interface SetRow {
  id: string;
  name: string;
  terms: string[];
  termCount: number;
  personal: boolean;
  projectDefault: boolean;
}

function SetForm({ title, initial, onSubmit, onCancel }: { title: string; initial?: SetRow; onSubmit: (name: string, terms: string[]) => Promise<boolean>; onCancel?: () => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [text, setText] = useState(textFromTerms(initial?.terms ?? []));
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const done = await onSubmit(name.trim(), termsFromText(text));
    setBusy(false);
    if (done && !initial) {
      setName('');
      setText('');
    }
  };
  return (
    <Box component="form" onSubmit={submit} aria-label={title} sx={{ display: 'grid', gap: 2 }}>
      <TextField label="Name" name="vocabulary-name" value={name} onChange={(event) => setName(event.target.value)} required size="small" />
      <TextField
        label="Terms, one per line"
        name="vocabulary-terms"
        value={text}
        onChange={(event) => setText(event.target.value)}
        multiline
        minRows={4}
        helperText={`${termsFromText(text).length} of at most 500 terms (names, product words; each up to 100 characters)`}
      />
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Button type="submit" variant="contained" disabled={busy || !name.trim()}>
          {initial ? 'Save' : 'Create set'}
        </Button>
        {onCancel && <Button onClick={onCancel}>Cancel</Button>}
      </Box>
    </Box>
  );
}

export function VocabularySetsManager({ projectId, canEdit = true }: { projectId?: string; canEdit?: boolean }) {
  const sets = useLoaded(VocabularySetsQuery, { projectId: projectId ?? null });
  const mutate = useMutate();
  const notify = useNotify();
  const [editing, setEditing] = useState<SetRow | null>(null);
  const [deleting, setDeleting] = useState<SetRow | null>(null);
  const rows: SetRow[] = (sets.data?.vocabularySets.edges ?? []).map((edge) => edge.node).filter((set) => (projectId ? true : set.personal));

  const attempt = async (work: () => Promise<unknown>, done: string): Promise<boolean> => {
    try {
      await work();
      notify(done, { type: 'success' });
      sets.reload();
      return true;
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
      return false;
    }
  };
  const toggleDefault = (set: SetRow, on: boolean) => {
    const ids = rows.filter((row) => (row.id === set.id ? on : row.projectDefault)).map((row) => row.id);
    void attempt(() => mutate(SetProjectDefaultVocabularySetsMutation, { projectId: projectId!, ids }), 'Default sets saved.');
  };

  return (
    <Stack spacing={2} data-testid="vocabulary-sets" sx={{ maxWidth: 900 }}>
      <Typography variant="body2" color="text.secondary">
        {projectId
          ? "The project's sets: its members can use them in jobs; default sets go with every job of the project that chooses none."
          : 'Your own sets, seen only by you. Choose them on a new job so the engines favour these words.'}
      </Typography>
      {sets.error && <Alert severity="error">{sets.error}</Alert>}
      <Card variant="outlined">
        <Table size="small" aria-label="Vocabulary sets">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Terms</TableCell>
              {projectId && <TableCell>Default</TableCell>}
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={4}>No vocabulary sets yet.</TableCell>
              </TableRow>
            )}
            {rows.map((set) => (
              <TableRow key={set.id} data-testid="vocabulary-set-row">
                <TableCell>{set.name}</TableCell>
                <TableCell sx={{ maxWidth: 400, overflowWrap: 'anywhere' }}>
                  {set.terms.slice(0, 8).join(', ')}
                  {set.termCount > 8 ? ` … (${set.termCount})` : ''}
                </TableCell>
                {projectId && (
                  <TableCell>
                    <Checkbox
                      checked={set.projectDefault}
                      disabled={!canEdit}
                      onChange={(event) => toggleDefault(set, event.target.checked)}
                      slotProps={{ input: { 'aria-label': `Default: ${set.name}` } }}
                    />
                  </TableCell>
                )}
                <TableCell align="right">
                  {canEdit && (
                    <>
                      <Button size="small" onClick={() => setEditing(set)}>
                        Edit
                      </Button>
                      <Button size="small" color="error" onClick={() => setDeleting(set)}>
                        Delete
                      </Button>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
      {canEdit && (
        <Card variant="outlined">
          <CardContent>
            <Typography variant="subtitle1" gutterBottom>
              New vocabulary set
            </Typography>
            <SetForm
              title="New vocabulary set"
              onSubmit={(name, terms) =>
                attempt(() => mutate(CreateVocabularySetMutation, { input: { name, terms, projectId: projectId ?? null } }), `${name} created.`)
              }
            />
          </CardContent>
        </Card>
      )}
      <Dialog open={editing !== null} onClose={() => setEditing(null)} fullWidth maxWidth="sm">
        <DialogTitle>Edit {editing?.name}</DialogTitle>
        <DialogContent sx={{ pt: '8px !important' }}>
          {editing && (
            <SetForm
              title={`Edit ${editing.name}`}
              initial={editing}
              onCancel={() => setEditing(null)}
              onSubmit={async (name, terms) => {
                const done = await attempt(() => mutate(UpdateVocabularySetMutation, { id: editing.id, input: { name, terms } }), `${name} saved.`);
                if (done) setEditing(null);
                return done;
              }}
            />
          )}
        </DialogContent>
        <DialogActions />
      </Dialog>
      <Confirm
        isOpen={deleting !== null}
        title={`Delete ${deleting?.name ?? ''}?`}
        content="Jobs already submitted keep their terms."
        confirm="Delete"
        onConfirm={async () => {
          if (deleting) await attempt(() => mutate(DeleteVocabularySetMutation, { id: deleting.id }), `${deleting.name} deleted.`);
          setDeleting(null);
        }}
        onClose={() => setDeleting(null)}
      />
    </Stack>
  );
}
