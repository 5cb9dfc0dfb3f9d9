import { Alert, Box, Button, Card, CardContent, Chip, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Confirm, useNotify } from 'react-admin';
import * as ops from '../../api/operations.ts';
import { formatDateTime } from '../../components/format.ts';
import type { AccountProviderKeysQuery, Provider } from '../../gql/graphql.ts';
import { useLoaded, useMutate } from '../../api/hooks.ts';

type ProviderKeyRow = AccountProviderKeysQuery['providerKeys'][number];

/** The cloud services a user may bring their own key for (LOCAL needs none). */
const CLOUD_PROVIDERS: { provider: Provider; label: string; hint: string }[] = [
  { provider: 'OPENAI', label: 'OpenAI', hint: 'An OpenAI (or OpenAI-compatible server) API key, sk-…' },
  { provider: 'DEEPGRAM', label: 'Deepgram', hint: 'A Deepgram API key' },
  { provider: 'ASSEMBLYAI', label: 'AssemblyAI', hint: 'An AssemblyAI API key' },
  // A translation engine's key (translationEngine GOOGLE), not a speech engine's.
  { provider: 'GOOGLE', label: 'Google Cloud Translation', hint: 'A Google Cloud API key (AIza…), for translations' },
];

function SetKeyForm({ provider, hint, onSaved }: { provider: Provider; hint: string; onSaved: () => void }) {
  const mutate = useMutate();
  const notify = useNotify();
  const [name, setName] = useState('default');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await mutate(ops.SetProviderKeyMutation, { input: { provider, name: name.trim(), secret } });
      // The secret leaves the page's state at once; the server never sends it back.
      setSecret('');
      notify('Key saved', { type: 'success' });
      onSaved();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box component="form" onSubmit={submit} sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'flex-start', mt: 1 }}>
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required size="small" sx={{ width: 140 }} />
      <TextField
        label="Secret key"
        type="password"
        autoComplete="off"
        value={secret}
        onChange={(e) => setSecret(e.target.value)}
        required
        size="small"
        helperText={hint}
        sx={{ flex: 1, minWidth: 220 }}
        slotProps={{ htmlInput: { 'aria-label': `${provider} secret key` } }}
      />
      <Button type="submit" variant="contained" disabled={busy || !secret.trim() || !name.trim()}>
        Save
      </Button>
    </Box>
  );
}

export function ProviderKeysPanel() {
  const keys = useLoaded(ops.MyProviderKeysQuery, {});
  const mutate = useMutate();
  const notify = useNotify();
  const [deleting, setDeleting] = useState<ProviderKeyRow | null>(null);
  const remove = async () => {
    if (!deleting) return;
    try {
      await mutate(ops.DeleteProviderKeyMutation, { id: deleting.id });
      notify('Key deleted', { type: 'success' });
      keys.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setDeleting(null);
    }
  };
  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Typography variant="body2" color="text.secondary">
        Your own keys for the cloud engines: your jobs and live sessions on that engine use your newest key (else the
        server&apos;s, when it has one). Keys are stored encrypted and are never shown again, not even to you.
      </Typography>
      {keys.error && <Alert severity="error">{keys.error}</Alert>}
      {CLOUD_PROVIDERS.map(({ provider, label, hint }) => {
        // Newest first: the one in use.
        const mine = (keys.data?.providerKeys ?? [])
          .filter((key) => key.provider === provider)
          .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime());
        return (
          <Card key={provider} variant="outlined" data-testid={`provider-${provider}`}>
            <CardContent>
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
                <Typography variant="subtitle1">{label}</Typography>
                <Chip size="small" label={mine.length > 0 ? 'set' : 'not set'} color={mine.length > 0 ? 'success' : 'default'} />
              </Box>
              {mine.map((key, index) => (
                <Box
                  key={key.id}
                  data-testid="provider-key-row"
                  sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap', py: 0.5, borderBottom: 1, borderColor: 'divider' }}
                >
                  <Typography variant="body2" sx={{ minWidth: 100 }}>
                    {key.name} {index === 0 && mine.length > 1 ? '(in use)' : ''}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    set {formatDateTime(key.createdAt)} · last used {key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'never'}
                  </Typography>
                  <Box sx={{ flex: 1 }} />
                  <Button size="small" color="error" onClick={() => setDeleting(key)}>
                    Delete
                  </Button>
                </Box>
              ))}
              <SetKeyForm provider={provider} hint={mine.length > 0 ? 'Same name: replaces that key' : hint} onSaved={keys.reload} />
            </CardContent>
          </Card>
        );
      })}
      <Confirm
        isOpen={deleting !== null}
        title={`Delete the key ${deleting?.name ?? ''}?`}
        content="Jobs on this engine then use your other key for it, or the server's."
        confirm="Delete"
        onConfirm={remove}
        onClose={() => setDeleting(null)}
      />
    </Box>
  );
}
