// Two-factor authentication with an authenticator app (TOTP): set it up (the otpauth:// URI and the
// secret for typing in by hand; no QR code, which would need a new dependency), confirm with a first
// code, see the recovery codes once, get new ones, turn it off.
import { Alert, Box, Button, Card, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useNotify } from 'react-admin';
import { useLoaded, useMutate } from '../../api/hooks.ts';
import * as ops from '../../api/mfaOperations.ts';

function RecoveryCodesDialog({ codes, onClose }: { codes: string[] | null; onClose: () => void }) {
  return (
    <Dialog open={codes !== null} onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="recovery-codes-title">
      <DialogTitle id="recovery-codes-title">Your recovery codes</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Keep them somewhere safe: each one signs you in once without your authenticator app. They are shown this once.
        </Alert>
        <Box
          component="ol"
          data-testid="recovery-codes"
          sx={{ fontFamily: 'monospace', columns: 2, m: 0, pl: 3, userSelect: 'all', bgcolor: 'action.hover', borderRadius: 1, py: 1 }}
        >
          {(codes ?? []).map((code) => (
            <li key={code}>{code}</li>
          ))}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} variant="contained">
          I have saved them
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function Enrollment({ onDone }: { onDone: (codes: string[]) => void }) {
  const mutate = useMutate();
  const notify = useNotify();
  const [enrollment, setEnrollment] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    try {
      setEnrollment((await mutate(ops.EnrollTotpMutation, {})).enrollTotp);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const codes = (await mutate(ops.ConfirmTotpMutation, { code: code.trim() })).confirmTotp;
      setEnrollment(null);
      setCode('');
      onDone(codes);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  if (!enrollment) {
    return (
      <Button variant="contained" onClick={start} disabled={busy} sx={{ mt: 1 }}>
        Set up an authenticator app
      </Button>
    );
  }
  return (
    <Box sx={{ display: 'grid', gap: 1, mt: 1 }}>
      <Typography variant="body2">
        Add this account to your authenticator app: open the link on a device that has the app, or type the secret in by hand
        (time-based, six digits, every 30 seconds).
      </Typography>
      <Typography variant="caption" color="text.secondary">
        Secret
      </Typography>
      <Typography data-testid="totp-secret" component="code" sx={{ fontFamily: 'monospace', wordBreak: 'break-all', userSelect: 'all' }}>
        {enrollment.secret.match(/.{1,4}/g)?.join(' ')}
      </Typography>
      <Typography variant="caption" color="text.secondary">
        otpauth:// link
      </Typography>
      <Typography
        data-testid="totp-uri"
        component="a"
        href={enrollment.uri}
        sx={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all', userSelect: 'all' }}
      >
        {enrollment.uri}
      </Typography>
      <Box component="form" onSubmit={confirm} aria-label="Confirm two-factor" sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'flex-start', mt: 1 }}>
        <TextField
          label="Code from the app"
          name="totp-confirm"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          required
          size="small"
          sx={{ width: 200 }}
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        />
        <Button type="submit" variant="contained" disabled={busy || !code.trim()}>
          Turn on
        </Button>
      </Box>
    </Box>
  );
}

function Management({ remaining, onCodes, onChanged }: { remaining: number; onCodes: (codes: string[]) => void; onChanged: () => void }) {
  const mutate = useMutate();
  const notify = useNotify();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
      setCode('');
      setPassword('');
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const regenerate = () =>
    run(async () => {
      onCodes((await mutate(ops.RegenerateRecoveryCodesMutation, { code: code.trim() })).regenerateRecoveryCodes);
      onChanged();
    });
  const disable = () =>
    run(async () => {
      await mutate(ops.DisableTotpMutation, { input: code.trim() ? { code: code.trim() } : { password } });
      notify('Two-factor authentication is off', { type: 'info' });
      onChanged();
    });
  return (
    <Box sx={{ display: 'grid', gap: 1, mt: 1 }}>
      <Typography variant="body2" color="text.secondary" data-testid="recovery-codes-remaining">
        {remaining} unused recovery code{remaining === 1 ? '' : 's'} left.
      </Typography>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextField label="Code from the app" name="totp-manage" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} size="small" />
        <Button variant="outlined" onClick={regenerate} disabled={busy || !code.trim()}>
          New recovery codes
        </Button>
      </Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextField
          label="or your password (to turn off)"
          name="totp-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          size="small"
        />
        <Button color="error" variant="outlined" onClick={disable} disabled={busy || (!code.trim() && !password)}>
          Turn off
        </Button>
      </Box>
    </Box>
  );
}

export function TwoFactorCard() {
  const mine = useLoaded(ops.MyTwoFactorQuery, {});
  const [codes, setCodes] = useState<string[] | null>(null);
  const me = mine.data?.me;
  const on = me?.secondFactors?.includes('TOTP') ?? false;
  return (
    <Card variant="outlined" data-testid="two-factor-card">
      <CardContent>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
          <Typography variant="subtitle1" component="h2">
            Two-factor authentication
          </Typography>
          {me && <Chip size="small" label={on ? 'on' : 'off'} color={on ? 'success' : 'default'} data-testid="two-factor-status" />}
        </Box>
        <Typography variant="body2" color="text.secondary">
          Signing in with your password then also asks for a code from an authenticator app on your phone.
        </Typography>
        {mine.error && <Alert severity="error">{mine.error}</Alert>}
        {me && (on ? <Management remaining={me.recoveryCodesRemaining ?? 0} onCodes={setCodes} onChanged={mine.reload} /> : <Enrollment onDone={(fresh) => { setCodes(fresh); mine.reload(); }} />)}
        <RecoveryCodesDialog codes={codes} onClose={() => setCodes(null)} />
      </CardContent>
    </Card>
  );
}
