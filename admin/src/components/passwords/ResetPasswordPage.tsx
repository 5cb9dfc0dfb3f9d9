import { Alert, Button, CircularProgress, Link as MuiLink, TextField, Typography } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api/client.ts';
import { ResetPasswordMutation } from '../../api/passwordOperations.ts';
import { session } from '../../runtime.ts';
import { anonymousMutation } from './anonymousApi.ts';
import { PasswordCard } from './PasswordCard.tsx';

type Refusal = { title: string; detail: string };

/** What a refusal of the link itself (not of the password) means to the person who opened it. */
function linkRefusal(error: unknown): Refusal | null {
  const reason = error instanceof ApiError ? error.body.extensions?.reason : undefined;
  if (reason === 'USED') return { title: 'This link has already been used', detail: 'Each link works once. Ask for a new one if you still need it.' };
  if (reason === 'EXPIRED') return { title: 'This link has expired', detail: 'Ask for a new one.' };
  if (reason === 'UNKNOWN') return { title: 'This link is not valid', detail: 'Open the whole link from the email, or ask for a new one.' };
  return null;
}

/**
 * /reset-password#token=…: the page the reset email links to (open to anyone: the token is the proof).
 * The token rides in the fragment, so it never reaches a server log; the page takes it out of the
 * address bar and history at once and keeps it in memory until the new password is set.
 */
export function ResetPasswordPage() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<Refusal | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const found = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
    if (found) window.history.replaceState(null, '', window.location.pathname);
    setToken((current) => current ?? found);
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password !== repeat) {
      setError('The two passwords are not the same.');
      return;
    }
    if (!token) return;
    setBusy(true);
    try {
      await anonymousMutation(ResetPasswordMutation, { token, newPassword: password });
      // Every session of the account has ended, this tab's included.
      session.clear();
      setDone(true);
    } catch (failure) {
      const refusal = linkRefusal(failure);
      if (refusal) setRefused(refusal);
      else setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const incomplete = token === null;
  return (
    <PasswordCard title="Choose a new password">
      {done ? (
        <>
          <Alert severity="success" role="status" data-testid="password-reset-done">
            Your password has been changed, and every session of your account has been signed out. Sign in with your
            new password.
          </Alert>
          <Button component={Link} to="/login" variant="contained" fullWidth sx={{ mt: 2 }}>
            Sign in
          </Button>
        </>
      ) : refused || incomplete ? (
        <>
          <Alert severity="error" role="alert" data-testid="password-reset-refused">
            <strong>{refused?.title ?? 'This link is incomplete'}</strong>
            <br />
            {refused?.detail ?? 'Open the whole link from the email (it ends with a long token).'}
          </Alert>
          <Button component={Link} to="/forgot-password" variant="contained" fullWidth sx={{ mt: 2 }}>
            Ask for a new link
          </Button>
        </>
      ) : (
        <form onSubmit={submit} aria-label="Choose a new password">
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
            autoFocus
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
            <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="password-error">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy || token === undefined}>
            {busy ? <CircularProgress size={22} color="inherit" /> : 'Set the new password'}
          </Button>
        </form>
      )}
      {!done && (
        <Typography variant="body2" sx={{ mt: 2, textAlign: 'center' }}>
          <MuiLink component={Link} to="/login">
            Back to sign in
          </MuiLink>
        </Typography>
      )}
    </PasswordCard>
  );
}
