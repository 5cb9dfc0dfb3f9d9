// The login page's passkey buttons: "Sign in with a passkey" (no username: the browser offers this
// site's passkeys) and, in the second step of a password login, "Use a passkey".
import KeyIcon from '@mui/icons-material/Key';
import { Alert, Box, Button, CircularProgress } from '@mui/material';
import { useState } from 'react';
import { useLogin } from 'react-admin';
import type { LoginParams } from '../../api/authProvider.ts';
import { session } from '../../runtime.ts';
import { answerWithPasskey, passkeyFailure } from './browserPasskeys.ts';

function PasskeyButton({ label, params }: { label: string; params: () => Promise<LoginParams> }) {
  const login = useLogin();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await login(await params());
    } catch (failure) {
      setError(passkeyFailure(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box sx={{ mt: 1 }}>
      <Button fullWidth variant="outlined" startIcon={busy ? <CircularProgress size={18} /> : <KeyIcon />} disabled={busy} onClick={start}>
        {label}
      </Button>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }} role="alert" data-testid="passkey-error">
          {error}
        </Alert>
      )}
    </Box>
  );
}

export function PasskeySignInButton() {
  return <PasskeyButton label="Sign in with a passkey" params={async () => ({ passkey: answerWithPasskey })} />;
}

/** For the second step of a login whose MFA_REQUIRED `methods` include PASSKEY. */
export function PasskeySecondFactorButton({ challenge }: { challenge: string }) {
  return (
    <PasskeyButton
      label="Use a passkey"
      params={async () => ({ secondFactor: { challenge, passkey: await answerWithPasskey(await session.passkeyOptions(challenge)) } })}
    />
  );
}
