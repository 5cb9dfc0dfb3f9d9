import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import { Box, Button, Card, CardContent, CircularProgress, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api/client.ts';
import { useMutate } from '../../api/hooks.ts';
import { VerifyEmailMutation } from '../../api/verificationOperations.ts';

type Outcome = { state: 'working' } | { state: 'verified'; email: string } | { state: 'refused'; title: string; detail: string };

/** What each refusal of verifyEmail means to the person who opened the link. */
function refusal(error: unknown): Outcome {
  const reason = error instanceof ApiError ? error.body.extensions?.reason : undefined;
  const again = 'Sign in and ask for a new link from the notice at the top of the app.';
  if (reason === 'USED') return { state: 'refused', title: 'This link has already been used', detail: `If your address is not verified yet: ${again}` };
  if (reason === 'EXPIRED') return { state: 'refused', title: 'This link has expired', detail: again };
  if (reason === 'UNKNOWN') {
    return { state: 'refused', title: 'This link is not valid', detail: `It may have been replaced by a newer one: use the latest email, or ${again.toLowerCase()}` };
  }
  return { state: 'refused', title: 'Your address could not be verified', detail: error instanceof Error ? error.message : String(error) };
}

/**
 * /verify-email#token=…: the page the verification email links to (open to anyone: the token is the
 * proof). The token rides in the fragment, so it never reaches a server log; the page removes it from
 * the address bar and history before calling verifyEmail, once.
 */
export function VerifyEmailPage() {
  const mutate = useMutate();
  const started = useRef(false);
  const [outcome, setOutcome] = useState<Outcome>({ state: 'working' });

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
    window.history.replaceState(null, '', window.location.pathname);
    if (!token) {
      setOutcome({ state: 'refused', title: 'This link is incomplete', detail: 'Open the whole link from the email (it ends with a long token).' });
      return;
    }
    mutate(VerifyEmailMutation, { token }).then(
      (data) => setOutcome({ state: 'verified', email: data.verifyEmail.email }),
      (error: unknown) => setOutcome(refusal(error)),
    );
  }, [mutate]);

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100', p: { xs: 1, sm: 2 } }}>
      <Card sx={{ width: '100%', maxWidth: 460 }}>
        <CardContent sx={{ textAlign: 'center' }} data-testid="verify-email" data-state={outcome.state}>
          {outcome.state === 'working' && (
            <>
              <CircularProgress sx={{ mb: 2 }} />
              <Typography>Verifying your email address…</Typography>
            </>
          )}
          {outcome.state === 'verified' && (
            <>
              <CheckCircleIcon color="success" sx={{ fontSize: 56 }} />
              <Typography variant="h5" component="h1" gutterBottom>
                Email address verified
              </Typography>
              <Typography color="text.secondary" sx={{ mb: 2 }}>
                {outcome.email} is confirmed as your address.
              </Typography>
            </>
          )}
          {outcome.state === 'refused' && (
            <>
              <ErrorOutlineIcon color="error" sx={{ fontSize: 56 }} />
              <Typography variant="h5" component="h1" gutterBottom>
                {outcome.title}
              </Typography>
              <Typography color="text.secondary" sx={{ mb: 2 }} role="alert">
                {outcome.detail}
              </Typography>
            </>
          )}
          {outcome.state !== 'working' && (
            <Button component={Link} to="/" variant="contained">
              Continue to Parlance
            </Button>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
