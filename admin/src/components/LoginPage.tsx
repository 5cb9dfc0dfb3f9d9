import GraphicEqIcon from '@mui/icons-material/GraphicEq';
import {
  Alert,
  Avatar,
  Box,
  Button,
  Card,
  CardContent,
  CircularProgress,
  Tab,
  Tabs,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useLogin, useNotify } from 'react-admin';
import type { LoginParams } from '../api/authProvider.ts';
import { ForgotPasswordLink } from './passwords/ForgotPasswordLink.tsx';
import { OidcSignInButtons, useOidcLanding } from './OidcSignIn.tsx';
import { PasskeySecondFactorButton, PasskeySignInButton } from './passkeys/PasskeySignIn.tsx';
import { SecondFactorStep, secondFactorChallenge, type SecondFactorChallenge } from './SecondFactorStep.tsx';
import { InvitationTokenField, SignUpPolicyNotice, useRegistrationPolicy } from './emailVerification/SignUpPolicy.tsx';

type Mode = 'signIn' | 'signUp';

/**
 * Signing in (username or email and a password, or a pasted access token / API key) and signing
 * up, on one page. Every active user gets in; the app then shows what their role may use.
 */
export function LoginPage() {
  const login = useLogin();
  const notify = useNotify();
  const [mode, setMode] = useState<Mode>('signIn');
  const [credential, setCredential] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [invitationToken, setInvitationToken] = useState('');
  const policy = useRegistrationPolicy();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secondStep, setSecondStep] = useState<SecondFactorChallenge | null>(null);
  const finishingOidc = useOidcLanding(setError);

  const params = (): LoginParams => {
    if (mode === 'signUp') return { signUp: { username, email, password, invitationToken: invitationToken.trim() || null } };
    return credential === 'password' ? { username, password } : { token };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(params());
    } catch (failure) {
      const step = secondFactorChallenge(failure);
      if (step) return setSecondStep(step);
      const message = failure instanceof Error ? failure.message : 'Sign-in failed.';
      setError(message);
      notify(message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const switchMode = (next: Mode) => {
    setMode(next);
    setError(null);
  };

  return (
    <Box
      sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100', p: { xs: 1, sm: 2 } }}
    >
      <Card sx={{ width: '100%', maxWidth: 420 }}>
        <CardContent>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, mb: 2 }}>
            <Avatar sx={{ bgcolor: 'primary.main' }}>
              <GraphicEqIcon />
            </Avatar>
            <Box>
              <Typography variant="h6" component="h1">
                Parlance
              </Typography>
              <Typography variant="body2" color="text.secondary">
                Speech to text: upload, record, follow and review
              </Typography>
            </Box>
          </Box>
          {secondStep ? (
            <SecondFactorStep step={secondStep} onStartOver={() => setSecondStep(null)}>
              {secondStep.methods.includes('PASSKEY') && <PasskeySecondFactorButton challenge={secondStep.challenge} />}
            </SecondFactorStep>
          ) : (
          <>
          <Tabs value={mode} onChange={(_event, value: Mode) => switchMode(value)} sx={{ mb: 2 }} variant="fullWidth">
            <Tab value="signIn" label="Sign in" />
            {policy?.mode !== 'CLOSED' && <Tab value="signUp" label="Sign up" />}
          </Tabs>
          <form onSubmit={submit} aria-label={mode === 'signIn' ? 'Sign in' : 'Sign up'}>
            {mode === 'signIn' ? (
              <>
                <ToggleButtonGroup
                  value={credential}
                  exclusive
                  size="small"
                  fullWidth
                  onChange={(_event, value) => value && setCredential(value)}
                  aria-label="Sign in with"
                  sx={{ mb: 1 }}
                >
                  <ToggleButton value="password">Password</ToggleButton>
                  <ToggleButton value="token">Access token</ToggleButton>
                </ToggleButtonGroup>
                {credential === 'password' ? (
                  <>
                    <TextField
                      label="Username or email"
                      name="username"
                      autoComplete="username"
                      value={username}
                      onChange={(event) => setUsername(event.target.value)}
                      fullWidth
                      required
                      autoFocus
                      margin="dense"
                    />
                    <TextField
                      label="Password"
                      name="password"
                      type="password"
                      autoComplete="current-password"
                      value={password}
                      onChange={(event) => setPassword(event.target.value)}
                      fullWidth
                      required
                      margin="dense"
                    />
                    <ForgotPasswordLink />
                  </>
                ) : (
                  <TextField
                    label="Access token"
                    name="token"
                    helperText="An access token or an API key (the app can do what its scopes allow)"
                    value={token}
                    onChange={(event) => setToken(event.target.value)}
                    fullWidth
                    required
                    multiline
                    minRows={3}
                    margin="dense"
                  />
                )}
              </>
            ) : (
              <>
                <SignUpPolicyNotice policy={policy} />
                <TextField
                  label="Username"
                  name="signup-username"
                  autoComplete="username"
                  value={username}
                  onChange={(event) => setUsername(event.target.value)}
                  fullWidth
                  required
                  autoFocus
                  margin="dense"
                />
                <TextField
                  label="Email"
                  name="signup-email"
                  type="email"
                  autoComplete="email"
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                  fullWidth
                  required
                  margin="dense"
                />
                <TextField
                  label="Password"
                  name="signup-password"
                  type="password"
                  autoComplete="new-password"
                  helperText="A long passphrase: not your username or email"
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                  fullWidth
                  required
                  margin="dense"
                />
                <InvitationTokenField policy={policy} value={invitationToken} onChange={setInvitationToken} />
              </>
            )}
            {error && (
              <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="login-error">
                {error}
              </Alert>
            )}
            <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy || finishingOidc}>
              {busy || finishingOidc ? <CircularProgress size={22} color="inherit" /> : mode === 'signIn' ? 'Sign in' : 'Create account'}
            </Button>
          </form>
          {mode === 'signIn' && <PasskeySignInButton />}
          {mode === 'signIn' && <OidcSignInButtons />}
          </>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
