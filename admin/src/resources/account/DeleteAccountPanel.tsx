import { Alert, Box, Button, Card, CardContent, CircularProgress, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useLogout } from 'react-admin';
import { useMutate } from '../../api/hooks.ts';
import { DeleteAccountMutation } from '../../api/erasureOperations.ts';

/**
 * The danger zone: deleting the account for good, confirmed with the password or a second-factor
 * code (README, "Deleting your account"). Once deleted, the app signs out.
 */
export function DeleteAccountPanel() {
  const mutate = useMutate();
  const logout = useLogout();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await mutate(DeleteAccountMutation, { input: password ? { password } : { code } });
      await logout();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <Card variant="outlined" sx={{ borderColor: 'error.main' }}>
      <CardContent>
        <Typography variant="h6" color="error" gutterBottom>
          Delete account
        </Typography>
        <Typography variant="body2" sx={{ mb: 1 }}>
          This removes your account for good: your jobs and their files, uploads, live sessions and the recordings
          you made in projects, API and provider keys, webhooks and memberships. Usage records and the audit log keep
          their rows under an anonymous name. If you are the only owner of a project, hand it over first.
        </Typography>
        <Box component="form" onSubmit={submit} aria-label="Delete account" sx={{ maxWidth: 420 }}>
          <TextField
            label="Your password"
            name="delete-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            fullWidth
            margin="dense"
          />
          <TextField
            label="Or a two-factor or recovery code"
            name="delete-code"
            autoComplete="one-time-code"
            value={code}
            onChange={(event) => setCode(event.target.value)}
            fullWidth
            margin="dense"
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="delete-account-error">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="contained" color="error" sx={{ mt: 2 }} disabled={busy || (!password && !code)}>
            {busy ? <CircularProgress size={22} color="inherit" /> : 'Delete my account'}
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}
