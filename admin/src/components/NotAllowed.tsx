import BlockIcon from '@mui/icons-material/Block';
import { Box, Button, Typography } from '@mui/material';
import { NotFound, Title } from 'react-admin';
import { Link, useLocation } from 'react-router-dom';

/**
 * The screens only site administrators have (App.tsx registers them for admins only). Another user
 * who follows a link to one sees why it is not there, instead of "not found" or an error.
 */
export const ADMIN_SCREENS = ['users', 'jobs', 'projects', 'audit', 'webhooks', 'outbox', 'usage', 'prompts'];

/** What a route nobody registered for this role shows: a refusal for admin screens, else "not found". */
export function CatchAll() {
  const { pathname } = useLocation();
  const first = pathname.split('/').filter(Boolean)[0] ?? '';
  return ADMIN_SCREENS.includes(first) ? <NotAllowed /> : <NotFound />;
}

export function NotAllowed() {
  return (
    <Box data-testid="not-allowed" sx={{ p: { xs: 2, sm: 4 }, textAlign: 'center' }}>
      <Title title="Not allowed" />
      <BlockIcon color="disabled" sx={{ fontSize: 64 }} />
      <Typography variant="h5" gutterBottom>
        This screen is for site administrators
      </Typography>
      <Typography variant="body1" color="text.secondary" sx={{ mb: 2 }}>
        Your account can see its own jobs and account pages. Ask an administrator if you need more.
      </Typography>
      <Button component={Link} to="/" variant="contained">
        Back to my jobs
      </Button>
    </Box>
  );
}
