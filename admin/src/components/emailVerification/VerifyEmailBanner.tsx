import { Alert, Button } from '@mui/material';
import { useEffect, useState } from 'react';
import { useLoaded, useMutate } from '../../api/hooks.ts';
import { MyVerificationQuery, ResendVerificationMutation } from '../../api/verificationOperations.ts';

/**
 * The notice at the top of every screen while the signed-in user's address is not verified, with a
 * button that mails a new link. Checked again when the tab regains focus (the link may have been
 * opened in another tab).
 */
export function VerifyEmailBanner() {
  const { data, reload } = useLoaded(MyVerificationQuery, {});
  const mutate = useMutate();
  const [sent, setSent] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    window.addEventListener('focus', reload);
    return () => window.removeEventListener('focus', reload);
  }, [reload]);

  const me = data?.me;
  if (!me || me.emailVerified !== false || !me.email) return null;
  const required = data.registrationPolicy.emailVerificationRequired;

  const resend = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await mutate(ResendVerificationMutation, {});
      setSent(true);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Alert
      severity={failure ? 'error' : sent ? 'success' : 'warning'}
      data-testid="verify-email-banner"
      // A long address must wrap: unbroken, it widened the whole layout past a phone's screen.
      sx={{ mb: 1, '& .MuiAlert-message': { minWidth: 0, overflowWrap: 'anywhere' } }}
      action={
        <Button color="inherit" size="small" onClick={resend} disabled={busy} sx={{ whiteSpace: 'nowrap' }}>
          Resend link
        </Button>
      }
    >
      {failure ??
        (sent
          ? `A new link is on its way to ${me.email}; earlier links no longer work.`
          : `Please verify your email address: open the link we sent to ${me.email}.${required ? ' Until then you cannot submit jobs, uploads or recordings.' : ''}`)}
    </Alert>
  );
}
