import { Alert, Box, Button, Card, CardContent, CircularProgress, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useNotify } from 'react-admin';
import { useMutate } from '../../api/hooks.ts';
import { ChangePasswordMutation } from '../../api/passwordOperations.ts';
import { session } from '../../runtime.ts';

/**
 * Changing the password: the current one, the new one twice. The server signs out every other session
 * and hands this one new tokens, which the session takes over at once.
 */
export function ChangePasswordPanel() {
  const mutate = useMutate();
  const notify = useNotify();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setChanged(false);
    if (password !== repeat) {
      setError('The two new passwords are not the same.');
      return;
    }
    setBusy(true);
    try {
      const data = await mutate(ChangePasswordMutation, { input: { currentPassword: current, newPassword: password } });
      session.adopt(data.changePassword);
      setCurrent('');
      setPassword('');
      setRepeat('');
      setChanged(true);
      notify('Password changed', { type: 'success' });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6" gutterBottom>
          Change password
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Every other session of your account is signed out; this one stays. API keys keep working.
        </Typography>
        <Box component="form" onSubmit={submit} aria-label="Change password" sx={{ maxWidth: 420 }}>
          <TextField
            label="Current password"
            name="current-password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
            fullWidth
            required
            margin="dense"
          />
          <TextField
            label="New password"
            name="new-password"
            type="password"
            autoComplete="new-password"
            helperText="At least 10 characters; a passphrase of several words works well"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            fullWidth
            required
            margin="dense"
          />
          <TextField
            label="New password, again"
            name="repeat-password"
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
            fullWidth
            required
            margin="dense"
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="change-password-error">
              {error}
            </Alert>
          )}
          {changed && (
            <Alert severity="success" sx={{ mt: 2 }} role="status" data-testid="change-password-done">
              Your password has been changed; your other sessions have been signed out.
            </Alert>
          )}
          <Button type="submit" variant="contained" sx={{ mt: 2 }} disabled={busy}>
            {busy ? <CircularProgress size={22} color="inherit" /> : 'Change password'}
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}
