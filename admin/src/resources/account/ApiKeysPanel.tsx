import KeyIcon from '@mui/icons-material/Key';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Checkbox,
  Chip,
  FormControlLabel,
  FormGroup,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Confirm, useNotify, usePermissions } from 'react-admin';
import { isAdmin } from '../../api/authProvider.ts';
import * as ops from '../../api/operations.ts';
import { formatDateTime } from '../../components/format.ts';
import type { ApiKeyFieldsFragment, ApiKeyScope } from '../../gql/graphql.ts';
import { SecretOnce } from './SecretOnce.tsx';
import { useLoaded, useMutate } from '../../api/hooks.ts';

const SCOPE_HELP: Record<ApiKeyScope, string> = {
  READ: 'queries and subscriptions',
  WRITE: 'also mutations: upload, cancel, delete',
  ADMIN: 'also admin powers (site admins only)',
};

function keyState(key: ApiKeyFieldsFragment): { label: string; active: boolean } {
  if (key.revokedAt) return { label: 'revoked', active: false };
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= Date.now()) return { label: 'expired', active: false };
  return { label: 'active', active: true };
}

function CreateApiKey({ onCreated }: { onCreated: (secret: string) => void }) {
  const { permissions } = usePermissions();
  const mutate = useMutate();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['READ', 'WRITE']);
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const offered: ApiKeyScope[] = isAdmin(permissions) ? ['READ', 'WRITE', 'ADMIN'] : ['READ', 'WRITE'];
  const toggle = (scope: ApiKeyScope) =>
    setScopes((current) => (current.includes(scope) ? current.filter((s) => s !== scope) : [...current, scope]));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : null;
      const data = await mutate(ops.CreateApiKeyMutation, { input: { name: name.trim(), scopes, expiresAt } });
      setName('');
      setExpires('');
      onCreated(data.createApiKey.secret);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined">
      <CardContent component="form" onSubmit={submit} aria-label="Create an API key">
        <Typography variant="subtitle1" gutterBottom>
          Create an API key
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required size="small" sx={{ minWidth: 220 }} />
          <TextField
            label="Expires (optional)"
            type="date"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            size="small"
            slotProps={{ inputLabel: { shrink: true } }}
          />
        </Box>
        <FormGroup row sx={{ my: 1 }}>
          {offered.map((scope) => (
            <FormControlLabel
              key={scope}
              control={<Checkbox checked={scopes.includes(scope)} onChange={() => toggle(scope)} />}
              label={`${scope} (${SCOPE_HELP[scope]})`}
            />
          ))}
        </FormGroup>
        <Button type="submit" variant="contained" startIcon={<KeyIcon />} disabled={busy || !name.trim() || scopes.length === 0}>
          Create key
        </Button>
      </CardContent>
    </Card>
  );
}

export function ApiKeysPanel() {
  const keys = useLoaded(ops.MyApiKeysQuery, {});
  const mutate = useMutate();
  const notify = useNotify();
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyFieldsFragment | null>(null);
  const origin = window.location.origin;

  const revoke = async () => {
    if (!revoking) return;
    try {
      await mutate(ops.RevokeApiKeyMutation, { id: revoking.id });
      notify(`${revoking.name} is revoked`, { type: 'success' });
      keys.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setRevoking(null);
    }
  };

  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Typography variant="body2" color="text.secondary">
        API keys let programs use the API as you: send one as <code>Authorization: Bearer &lt;key&gt;</code> (or{' '}
        <code>x-api-key</code>). The server keeps only a hash; the key itself is shown once, when it is made.
      </Typography>
      <CreateApiKey
        onCreated={(created) => {
          setSecret(created);
          keys.reload();
        }}
      />
      {keys.error && <Alert severity="error">{keys.error}</Alert>}
      <TableContainer component={Card} variant="outlined">
        <Table size="small" aria-label="Your API keys">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Key starts with</TableCell>
              <TableCell>Scopes</TableCell>
              <TableCell>Created</TableCell>
              <TableCell>Last used</TableCell>
              <TableCell>Expires</TableCell>
              <TableCell>State</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {keys.data?.apiKeys.length === 0 && (
              <TableRow>
                <TableCell colSpan={8}>No API keys yet.</TableCell>
              </TableRow>
            )}
            {keys.data?.apiKeys.map((key) => {
              const state = keyState(key);
              return (
                <TableRow key={key.id} data-testid="api-key-row">
                  <TableCell>{key.name}</TableCell>
                  <TableCell>
                    <code>{key.prefix}…</code>
                  </TableCell>
                  <TableCell>{key.scopes.join(', ')}</TableCell>
                  <TableCell>{formatDateTime(key.createdAt)}</TableCell>
                  <TableCell>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'never'}</TableCell>
                  <TableCell>{key.expiresAt ? formatDateTime(key.expiresAt) : 'never'}</TableCell>
                  <TableCell>
                    <Chip size="small" label={state.label} color={state.active ? 'success' : 'default'} />
                  </TableCell>
                  <TableCell align="right">
                    {state.active && (
                      <Button color="error" size="small" onClick={() => setRevoking(key)}>
                        Revoke
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
      <SecretOnce title="Your new API key" secret={secret} onClose={() => setSecret(null)}>
        <Typography variant="body2" sx={{ mt: 2 }}>
          Try it:
        </Typography>
        <Typography component="pre" variant="body2" sx={{ fontFamily: 'monospace', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {`curl -s ${origin}/graphql -H 'content-type: application/json' \\\n  -H 'authorization: Bearer ${secret ?? ''}' \\\n  -d '{"query":"{ me { username } }"}'`}
        </Typography>
      </SecretOnce>
      <Confirm
        isOpen={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        content="Programs using this key stop working at once. This cannot be undone."
        confirm="Revoke"
        onConfirm={revoke}
        onClose={() => setRevoking(null)}
      />
    </Box>
  );
}
