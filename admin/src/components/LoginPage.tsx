import GraphicEqIcon from '@mui/icons-material/GraphicEq';
import { Alert, Avatar, Box, Button, Card, CardContent, CircularProgress, Tab, Tabs, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useLogin, useNotify } from 'react-admin';

/** Username or email and password, or a pasted access token. Only admins get in. */
export function LoginPage() {
  const login = useLogin();
  const notify = useNotify();
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(mode === 'password' ? { username, password } : { token });
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : 'Sign-in failed.';
      setError(message);
      notify(message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100' }}>
      <Card sx={{ width: 420 }}>
        <CardContent>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, mb: 2 }}>
            <Avatar sx={{ bgcolor: 'primary.main' }}>
              <GraphicEqIcon />
            </Avatar>
            <Box>
              <Typography variant="h6">Parlance console</Typography>
              <Typography variant="body2" color="text.secondary">
                For administrators
              </Typography>
            </Box>
          </Box>
          <Tabs value={mode} onChange={(_event, value) => setMode(value)} sx={{ mb: 2 }}>
            <Tab value="password" label="Password" />
            <Tab value="token" label="Access token" />
          </Tabs>
          <form onSubmit={submit} aria-label="Sign in">
            {mode === 'password' ? (
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
              </>
            ) : (
              <TextField
                label="Access token"
                name="token"
                helperText="An access token, or an API key with the ADMIN scope"
                value={token}
                onChange={(event) => setToken(event.target.value)}
                fullWidth
                required
                multiline
                minRows={3}
                margin="dense"
              />
            )}
            {error && (
              <Alert severity="error" sx={{ mt: 2 }} role="alert" data-testid="login-error">
                {error}
              </Alert>
            )}
            <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
              {busy ? <CircularProgress size={22} color="inherit" /> : 'Sign in'}
            </Button>
          </form>
        </CardContent>
      </Card>
    </Box>
  );
}
