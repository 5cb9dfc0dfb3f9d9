import { Alert, Button, CircularProgress, Link as MuiLink, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { RequestPasswordResetMutation } from '../../api/passwordOperations.ts';
import { anonymousMutation } from './anonymousApi.ts';
import { PasswordCard } from './PasswordCard.tsx';

/**
 * /forgot-password (open to anyone): asks for a reset link. The server answers the same whether or not
 * an account has the address, and so does this page.
 */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await anonymousMutation(RequestPasswordResetMutation, { email: email.trim() });
      setSentTo(email.trim());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PasswordCard title="Forgot your password?">
      {sentTo ? (
        <Alert severity="success" role="status" data-testid="reset-requested">
          If an account has the address {sentTo}, a link to choose a new password is on its way. It works once and
          for a limited time; check your spam folder if it does not arrive.
        </Alert>
      ) : (
        <form onSubmit={submit} aria-label="Request a password reset">
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            Enter the email address of your account and we will send you a link to choose a new password.
          </Typography>
          <TextField
            label="Email"
            name="reset-email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            fullWidth
            required
            autoFocus
            margin="dense"
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
            {busy ? <CircularProgress size={22} color="inherit" /> : 'Send the link'}
          </Button>
        </form>
      )}
      <Typography variant="body2" sx={{ mt: 2, textAlign: 'center' }}>
        <MuiLink component={Link} to="/login">
          Back to sign in
        </MuiLink>
      </Typography>
    </PasswordCard>
  );
}
