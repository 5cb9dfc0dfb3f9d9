import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, Tooltip, Typography } from '@mui/material';
import { useState, type ReactNode } from 'react';

/**
 * A secret the API returns once (an API key, a webhook's signing secret): shown in a dialog until the
 * user closes it, then forgotten (the caller drops it from its state in onClose).
 */
export function SecretOnce({ title, secret, children, onClose }: { title: string; secret: string | null; children?: ReactNode; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin): the text can still be selected by hand.
    }
  };
  return (
    <Dialog open={secret !== null} onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="secret-once-title">
      <DialogTitle id="secret-once-title">{title}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy it now: it is shown this once and never again.
        </Alert>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 1, bgcolor: 'action.hover', borderRadius: 1 }}>
          <Typography
            data-testid="secret-once"
            component="code"
            sx={{ fontFamily: 'monospace', wordBreak: 'break-all', flex: 1, userSelect: 'all' }}
          >
            {secret}
          </Typography>
          <Tooltip title={copied ? 'Copied' : 'Copy'}>
            <IconButton aria-label="Copy" onClick={copy}>
              <ContentCopyIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        </Box>
        {children}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} variant="contained">
          I have copied it
        </Button>
      </DialogActions>
    </Dialog>
  );
}
