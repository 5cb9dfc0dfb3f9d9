// The signed-in user's account: usage and quota, API keys, provider keys and webhooks, one tab each
// (each tab its own URL under /account, so it can be linked to and survives a reload).
import { Box, Tab, Tabs, Typography } from '@mui/material';
import { Title } from 'react-admin';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { ApiKeysPanel } from './ApiKeysPanel.tsx';
import { ChangePasswordPanel } from './ChangePasswordPanel.tsx';
import { DeleteAccountPanel } from './DeleteAccountPanel.tsx';
import { PasskeysPanel } from './PasskeysPanel.tsx';
import { ProviderKeysPanel } from './ProviderKeysPanel.tsx';
import { TwoFactorCard } from './TwoFactorCard.tsx';
import { UsagePanel } from './UsagePanel.tsx';
import { WebhooksPanel } from './WebhooksPanel.tsx';

const TABS = [
  { path: 'usage', label: 'Usage & quota', element: <UsagePanel /> },
  { path: 'api-keys', label: 'API keys', element: <ApiKeysPanel /> },
  { path: 'provider-keys', label: 'Provider keys', element: <ProviderKeysPanel /> },
  { path: 'webhooks', label: 'Webhooks', element: <WebhooksPanel /> },
  { path: 'two-factor', label: 'Two-factor', element: <TwoFactorCard /> },
  { path: 'passkeys', label: 'Passkeys', element: <PasskeysPanel /> },
  { path: 'password', label: 'Password', element: <ChangePasswordPanel /> },
  { path: 'delete', label: 'Delete account', element: <DeleteAccountPanel /> },
] as const;

export function AccountPage() {
  const location = useLocation();
  const current = TABS.find((tab) => location.pathname.endsWith(`/account/${tab.path}`))?.path ?? false;
  return (
    // contain: react-admin's layout is as wide as its content's widest row (min-width: fit-content); contained,
    // this page takes the width it is given, and its tabs and tables scroll inside it at phone width.
    <Box sx={{ p: { xs: 1, sm: 2 }, maxWidth: 1100, contain: 'inline-size' }}>
      <Title title="Account" />
      <Typography variant="h5" gutterBottom>
        Your account
      </Typography>
      <Tabs value={current} variant="scrollable" scrollButtons="auto" allowScrollButtonsMobile sx={{ mb: 2 }} aria-label="Account">
        {TABS.map((tab) => (
          <Tab key={tab.path} value={tab.path} label={tab.label} component={Link} to={`/account/${tab.path}`} />
        ))}
      </Tabs>
      <Routes>
        {TABS.map((tab) => (
          <Route key={tab.path} path={tab.path} element={tab.element} />
        ))}
        <Route path="*" element={<Navigate to="usage" replace />} />
      </Routes>
    </Box>
  );
}
