// The second step of signing in, when the password was right and the account has a second factor:
// login answered MFA_REQUIRED with a challenge; a code (from the authenticator app, or a recovery
// code) finishes it. Other ways to finish (a passkey) go in `children`.
import { Alert, Box, Button, CircularProgress, TextField, Typography } from '@mui/material';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useLogin } from 'react-admin';
import { ApiError } from '../api/client.ts';
import type { LoginParams } from '../api/authProvider.ts';

export interface SecondFactorChallenge {
  challenge: string;
  methods: string[];
}

/** The challenge of an MFA_REQUIRED answer to login, or null for any other failure. */
export function secondFactorChallenge(failure: unknown): SecondFactorChallenge | null {
  if (!(failure instanceof ApiError) || failure.code !== 'MFA_REQUIRED') return null;
  const extensions = failure.body.extensions ?? {};
  if (typeof extensions.challenge !== 'string') return null;
  const methods = Array.isArray(extensions.methods) ? extensions.methods.filter((method): method is string => typeof method === 'string') : [];
  return { challenge: extensions.challenge, methods };
}

export function SecondFactorStep({ step, onStartOver, children }: { step: SecondFactorChallenge; onStartOver: () => void; children?: ReactNode }) {
  const login = useLogin();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A challenge that expired or was cancelled by wrong codes cannot be used again: back to the password.
  const [spent, setSpent] = useState(false);
  const usesCode = step.methods.includes('TOTP') || step.methods.includes('RECOVERY_CODE');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const params: LoginParams = { secondFactor: { challenge: step.challenge, code: code.trim() } };
      await login(params);
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : 'Sign-in failed.';
      setError(message);
      setSpent(/sign in again/i.test(message));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box data-testid="second-factor-step">
      <Typography variant="subtitle1" component="h2" gutterBottom>
        Two-factor authentication
      </Typography>
      {usesCode && (
        <form onSubmit={submit} aria-label="Second factor">
          <TextField
            label="Authentication code"
            name="otp"
            autoComplete="one-time-code"
            helperText="The six-digit code from your authenticator app, or one of your recovery codes"
            value={code}
            onChange={(event) => setCode(event.target.value)}
            fullWidth
            required
            autoFocus
            disabled={spent}
            margin="dense"
            slotProps={{ htmlInput: { autoCapitalize: 'off', spellCheck: false } }}
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="second-factor-error">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy || spent || !code.trim()}>
            {busy ? <CircularProgress size={22} color="inherit" /> : 'Verify'}
          </Button>
        </form>
      )}
      {children}
      <Button fullWidth sx={{ mt: 1 }} onClick={onStartOver}>
        Start over
      </Button>
    </Box>
  );
}
