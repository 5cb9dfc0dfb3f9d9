// Signing in through an external OIDC issuer: the "Sign in with …" buttons of the login page, and the
// end of the round trip. The server's callback (/auth/oidc/callback) sends the browser back to
// /admin/login with `#oidc-code=<one-time code>` (traded here for a session) or `#oidc-error=<reason>`
// (shown as a sentence). The fragment never reaches a server, and is removed from the address at once.
import LoginIcon from '@mui/icons-material/Login';
import { Box, Button, Divider } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { useLogin } from 'react-admin';
import { session } from '../runtime.ts';

interface OidcIssuerOption {
  key: string;
  displayName: string;
  startUrl: string;
}

/** What the server's reasons (services/oidcSignIn.ts, OidcFailureReason) mean to the person signing in. */
const FAILURES: Record<string, string> = {
  unknown_issuer: 'That sign-in option is not configured on this server.',
  unavailable: 'The identity provider could not be reached. Please try again in a moment.',
  rate_limited: 'Too many sign-in attempts from this address. Please wait a minute and try again.',
  state: 'This sign-in could not be matched to this browser (the link was altered, or opened in another browser). Please start again.',
  used: 'This sign-in link was already used. Please start again.',
  expired: 'The sign-in took too long and expired. Please start again.',
  denied: 'Sign-in was cancelled at the identity provider (access denied).',
  issuer_error: 'The identity provider reported an error. Please try again.',
  exchange: 'The identity provider did not confirm the sign-in. Please try again.',
  id_token: "The identity provider's answer could not be verified.",
  nonce: "The identity provider's answer did not belong to this sign-in. Please start again.",
  deactivated: 'Account is deactivated.',
};

/**
 * Finishes a sign-in that an issuer sent back here (once per page load). Failures go to `onError`;
 * answers whether the session is being set up.
 */
export function useOidcLanding(onError: (message: string) => void): boolean {
  const login = useLogin();
  const [busy, setBusy] = useState(false);
  const handled = useRef(false);
  useEffect(() => {
    if (handled.current) return;
    handled.current = true;
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const code = fragment.get('oidc-code');
    const failure = fragment.get('oidc-error');
    if (!code && !failure) return;
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    if (failure) {
      onError(FAILURES[failure] ?? 'Signing in with the identity provider failed.');
      return;
    }
    setBusy(true);
    login({ oidcCode: code })
      .catch((error: unknown) => onError(error instanceof Error ? error.message : 'Sign-in failed.'))
      .finally(() => setBusy(false));
  }, [login, onError]);
  return busy;
}

/** One "Sign in with …" button per issuer the server offers; nothing when it offers none. */
export function OidcSignInButtons() {
  const [issuers, setIssuers] = useState<OidcIssuerOption[]>([]);
  useEffect(() => {
    let live = true;
    session
      .signInOptions()
      .then((options) => live && setIssuers(options.oidcIssuers))
      .catch(() => undefined); // the password form still works
    return () => {
      live = false;
    };
  }, []);
  if (issuers.length === 0) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <Divider sx={{ mb: 2, color: 'text.secondary', typography: 'body2' }}>or</Divider>
      {issuers.map((issuer) => (
        <Button
          key={issuer.key}
          component="a"
          href={issuer.startUrl}
          variant="outlined"
          fullWidth
          startIcon={<LoginIcon />}
          sx={{ mb: 1 }}
        >
          Sign in with {issuer.displayName}
        </Button>
      ))}
    </Box>
  );
}
