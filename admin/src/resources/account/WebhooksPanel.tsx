import { Alert, Box, Button, Card, CardContent, Checkbox, Chip, FormControlLabel, FormGroup, MenuItem, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Confirm, useNotify } from 'react-admin';
import * as ops from '../../api/operations.ts';
import { formatDateTime } from '../../components/format.ts';
import type { WebhookFieldsFragment } from '../../gql/graphql.ts';
import { SecretOnce } from './SecretOnce.tsx';
import { useLoaded, useMutate } from '../../api/hooks.ts';

const EVENTS: { event: string; help: string }[] = [
  { event: 'job.completed', help: 'a job finished' },
  { event: 'job.failed', help: 'a job failed' },
  { event: 'recording.submitted', help: "a project's recording arrived" },
  { event: 'recording.reviewed', help: "a project's recording was reviewed" },
];

function CreateWebhook({ projects, onCreated }: { projects: { id: string; name: string }[]; onCreated: (secret: string) => void }) {
  const mutate = useMutate();
  const notify = useNotify();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['job.completed', 'job.failed']);
  const [projectId, setProjectId] = useState('');
  const [busy, setBusy] = useState(false);
  const toggle = (event: string) => setEvents((current) => (current.includes(event) ? current.filter((e) => e !== event) : [...current, event]));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const data = await mutate(ops.CreateWebhookMutation, { input: { url: url.trim(), events, projectId: projectId || null } });
      setUrl('');
      onCreated(data.createWebhook.secret);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined">
      <CardContent component="form" onSubmit={submit} aria-label="Add a webhook">
        <Typography variant="subtitle1" gutterBottom>
          Add a webhook
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          <TextField
            label="URL"
            placeholder="https://hooks.example.com/parlance"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            required
            size="small"
            sx={{ flex: 1, minWidth: 260 }}
          />
          {projects.length > 0 && (
            <TextField select label="For" value={projectId} onChange={(e) => setProjectId(e.target.value)} size="small" sx={{ minWidth: 220 }}>
              <MenuItem value="">Your own jobs</MenuItem>
              {projects.map((project) => (
                <MenuItem key={project.id} value={project.id}>
                  Project {project.name}
                </MenuItem>
              ))}
            </TextField>
          )}
        </Box>
        <FormGroup row sx={{ my: 1 }}>
          {EVENTS.map(({ event, help }) => (
            <FormControlLabel
              key={event}
              control={<Checkbox checked={events.includes(event)} onChange={() => toggle(event)} />}
              label={`${event} (${help})`}
            />
          ))}
        </FormGroup>
        <Button type="submit" variant="contained" disabled={busy || !url.trim() || events.length === 0}>
          Add webhook
        </Button>
      </CardContent>
    </Card>
  );
}

function WebhookCard({ hook, onEnable, onDelete }: { hook: WebhookFieldsFragment; onEnable: () => void; onDelete: () => void }) {
  return (
    <Card variant="outlined" data-testid="webhook-row">
      <CardContent sx={{ display: 'grid', gap: 0.5 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
          <Typography variant="subtitle2" sx={{ wordBreak: 'break-all', flex: 1, minWidth: 200 }}>
            {hook.url}
          </Typography>
          <Chip size="small" label={hook.enabled ? 'enabled' : 'disabled'} color={hook.enabled ? 'success' : 'warning'} />
          {!hook.enabled && (
            <Button size="small" onClick={onEnable}>
              Enable
            </Button>
          )}
          <Button size="small" color="error" onClick={onDelete}>
            Delete
          </Button>
        </Box>
        <Typography variant="body2">
          {hook.events.join(', ')} · {hook.project ? `project ${hook.project.name}` : 'your own jobs'}
          {hook.owner ? ` · added by ${hook.owner.username}` : ''}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          Last delivered {hook.lastDeliveredAt ? formatDateTime(hook.lastDeliveredAt) : 'never'}
          {hook.lastStatus !== null && hook.lastStatus !== undefined ? ` · last answer ${hook.lastStatus}` : ''}
          {hook.failureCount > 0 ? ` · ${hook.failureCount} failures in a row` : ''}
          {hook.lastError ? ` · ${hook.lastError}` : ''}
        </Typography>
      </CardContent>
    </Card>
  );
}

export function WebhooksPanel() {
  const loaded = useLoaded(ops.MyWebhooksQuery, {});
  const mutate = useMutate();
  const notify = useNotify();
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<WebhookFieldsFragment | null>(null);
  const projects = (loaded.data?.projects.edges ?? [])
    .map((edge) => edge.node)
    .filter((project) => project.viewerRole === 'OWNER' || project.viewerRole === 'ADMIN');

  const act = async (run: () => Promise<unknown>, done: string) => {
    try {
      await run();
      notify(done, { type: 'success' });
      loaded.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };

  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Typography variant="body2" color="text.secondary">
        Parlance POSTs events to your URL, signed with the webhook&apos;s secret (header <code>x-parlance-signature</code>).
        After repeated failures a webhook is disabled; enable it again here.
      </Typography>
      <CreateWebhook
        projects={projects}
        onCreated={(created) => {
          setSecret(created);
          loaded.reload();
        }}
      />
      {loaded.error && <Alert severity="error">{loaded.error}</Alert>}
      {loaded.data?.webhooks.length === 0 && <Typography>No webhooks yet.</Typography>}
      {loaded.data?.webhooks.map((hook) => (
        <WebhookCard
          key={hook.id}
          hook={hook}
          onEnable={() => act(() => mutate(ops.EnableWebhookMutation, { id: hook.id }), 'Webhook enabled')}
          onDelete={() => setDeleting(hook)}
        />
      ))}
      <SecretOnce title="The webhook's signing secret" secret={secret} onClose={() => setSecret(null)} />
      <Confirm
        isOpen={deleting !== null}
        title="Delete this webhook?"
        content={`Events stop being sent to ${deleting?.url ?? ''}.`}
        confirm="Delete"
        onConfirm={() => {
          const hook = deleting;
          setDeleting(null);
          if (hook) void act(() => mutate(ops.DeleteWebhookMutation, { id: hook.id }), 'Webhook deleted');
        }}
        onClose={() => setDeleting(null)}
      />
    </Box>
  );
}
