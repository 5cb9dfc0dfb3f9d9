// The account page's Passkeys tab: add a passkey (the browser's prompt makes one on this device or a
// security key), see each one's kind and last use, rename, and delete (with the account's password).
import KeyIcon from '@mui/icons-material/Key';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
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
import { useNotify } from 'react-admin';
import { useLoaded, useMutate } from '../../api/hooks.ts';
import * as ops from '../../api/passkeyOperations.ts';
import { createPasskey, passkeyFailure } from '../../components/passkeys/browserPasskeys.ts';
import { formatDateTime } from '../../components/format.ts';
import type { PasskeyFieldsFragment } from '../../gql/graphql.ts';

function AddPasskey({ onAdded }: { onAdded: () => void }) {
  const mutate = useMutate();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const options = (await mutate(ops.PasskeyRegistrationOptionsMutation, {})).passkeyRegistrationOptions;
      const response = await createPasskey(options);
      const added = (await mutate(ops.RegisterPasskeyMutation, { name: name.trim(), response })).registerPasskey;
      setName('');
      notify(`Passkey ${added.name} added`, { type: 'success' });
      onAdded();
    } catch (failure) {
      setError(passkeyFailure(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined">
      <CardContent component="form" onSubmit={submit} aria-label="Add a passkey">
        <Typography variant="subtitle1" gutterBottom>
          Add a passkey
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
          <TextField
            label="Name"
            name="passkey-name"
            helperText="Which device or key this is, e.g. Work laptop"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            size="small"
            sx={{ minWidth: 240 }}
          />
          <Button type="submit" variant="contained" startIcon={<KeyIcon />} disabled={busy || !name.trim()}>
            Add passkey
          </Button>
        </Box>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="passkey-add-error">
            {error}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}

function RenameDialog({ passkey, onClose }: { passkey: PasskeyFieldsFragment | null; onClose: (changed: boolean) => void }) {
  const mutate = useMutate();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passkey) return;
    try {
      await mutate(ops.RenamePasskeyMutation, { id: passkey.id, name: name.trim() });
      onClose(true);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <Dialog
      open={passkey !== null}
      onClose={() => onClose(false)}
      maxWidth="xs"
      fullWidth
      aria-labelledby="rename-passkey-title"
      slotProps={{ transition: { onEnter: () => { setName(passkey?.name ?? ''); setError(null); } } }}
    >
      <Box component="form" onSubmit={submit}>
        <DialogTitle id="rename-passkey-title">Rename passkey</DialogTitle>
        <DialogContent>
          <TextField label="New name" name="passkey-new-name" value={name} onChange={(event) => setName(event.target.value)} fullWidth required autoFocus margin="dense" />
          {error && <Alert severity="error" role="alert">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => onClose(false)}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!name.trim()}>
            Rename
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

function DeleteDialog({ passkey, onClose }: { passkey: PasskeyFieldsFragment | null; onClose: (deleted: boolean) => void }) {
  const mutate = useMutate();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passkey) return;
    try {
      await mutate(ops.DeletePasskeyMutation, { id: passkey.id, password: password || null });
      onClose(true);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <Dialog
      open={passkey !== null}
      onClose={() => onClose(false)}
      maxWidth="xs"
      fullWidth
      aria-labelledby="delete-passkey-title"
      slotProps={{ transition: { onEnter: () => { setPassword(''); setError(null); } } }}
    >
      <Box component="form" onSubmit={submit}>
        <DialogTitle id="delete-passkey-title">Delete {passkey?.name}?</DialogTitle>
        <DialogContent>
          <Typography variant="body2" gutterBottom>
            It signs you in no more. Your device may still offer it: remove it there too.
          </Typography>
          <TextField
            label="Your password"
            name="passkey-delete-password"
            type="password"
            autoComplete="current-password"
            helperText="Accounts that sign in only through an external issuer have none: leave empty"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            fullWidth
            margin="dense"
          />
          {error && <Alert severity="error" role="alert">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => onClose(false)}>Cancel</Button>
          <Button type="submit" color="error" variant="contained">
            Delete
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

export function PasskeysPanel() {
  const passkeys = useLoaded(ops.MyPasskeysQuery, {});
  const notify = useNotify();
  const [renaming, setRenaming] = useState<PasskeyFieldsFragment | null>(null);
  const [deleting, setDeleting] = useState<PasskeyFieldsFragment | null>(null);
  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Typography variant="body2" color="text.secondary">
        A passkey signs you in without a password: your device or security key proves it is you (with its PIN,
        fingerprint or face). It also counts as your second factor after a password sign-in.
      </Typography>
      <AddPasskey onAdded={passkeys.reload} />
      {passkeys.error && <Alert severity="error">{passkeys.error}</Alert>}
      <TableContainer component={Card} variant="outlined">
        <Table size="small" aria-label="Your passkeys">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Kind</TableCell>
              <TableCell>Added</TableCell>
              <TableCell>Last used</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {passkeys.data?.myPasskeys.length === 0 && (
              <TableRow>
                <TableCell colSpan={5}>No passkeys yet.</TableCell>
              </TableRow>
            )}
            {passkeys.data?.myPasskeys.map((passkey) => (
              <TableRow key={passkey.id} data-testid="passkey-row">
                <TableCell>{passkey.name}</TableCell>
                <TableCell>
                  {passkey.deviceType === 'MULTI_DEVICE' ? 'Synced' : 'This device only'}
                  {passkey.backedUp ? ', backed up' : ''}
                </TableCell>
                <TableCell>{formatDateTime(passkey.createdAt)}</TableCell>
                <TableCell>{passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : 'never'}</TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  <Button size="small" onClick={() => setRenaming(passkey)}>
                    Rename
                  </Button>
                  <Button size="small" color="error" onClick={() => setDeleting(passkey)}>
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      <RenameDialog
        passkey={renaming}
        onClose={(changed) => {
          setRenaming(null);
          if (changed) passkeys.reload();
        }}
      />
      <DeleteDialog
        passkey={deleting}
        onClose={(deleted) => {
          if (deleted && deleting) notify(`Passkey ${deleting.name} deleted`, { type: 'success' });
          setDeleting(null);
          if (deleted) passkeys.reload();
        }}
      />
    </Box>
  );
}
