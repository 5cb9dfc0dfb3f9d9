// Cancel, retry and delete: offered only when the job's status allows them (status.ts), after a
// confirmation, from the job page's toolbar and from each row of the lists.
import CancelIcon from '@mui/icons-material/Cancel';
import ReplayIcon from '@mui/icons-material/Replay';
import { Box, IconButton, Tooltip } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type MouseEvent } from 'react';
import { Button, Confirm, DeleteWithConfirmButton, useDataProvider, useNotify, useRecordContext, useResourceContext } from 'react-admin';
import type { ParlanceDataProvider } from '../../api/dataProvider.ts';
import { patchCachedJob } from './live.ts';
import { mayCancel, mayRetry } from './status.ts';

const COMMANDS = {
  cancel: {
    label: 'Cancel job',
    done: 'Job cancelled',
    title: 'Cancel this job?',
    content: 'A queued job is removed from the queue; a running one stops at its next chunk.',
    applies: mayCancel,
    color: 'warning',
    Icon: CancelIcon,
  },
  retry: {
    label: 'Retry',
    done: 'Job queued again',
    title: 'Retry this job?',
    content: 'The job is queued again and transcribed from where it stopped.',
    applies: mayRetry,
    color: 'primary',
    Icon: ReplayIcon,
  },
} as const;

/** Cancel or retry the record's job, after a confirmation: a toolbar button, or an icon for a row. */
export function JobCommand({ kind, variant = 'button' }: { kind: keyof typeof COMMANDS; variant?: 'button' | 'icon' }) {
  const record = useRecordContext();
  const resource = useResourceContext() ?? 'jobs';
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const command = COMMANDS[kind];
  if (!record || !command.applies(record.status)) return null;

  const run = async () => {
    setBusy(true);
    try {
      const { data } = await (kind === 'cancel' ? dataProvider.cancelJob(record.id) : dataProvider.retryJob(record.id));
      patchCachedJob(queryClient, resource, data as never);
      notify(command.done, { type: 'success' });
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  const openConfirm = (event: MouseEvent) => {
    event.stopPropagation();
    setOpen(true);
  };
  const { Icon } = command;
  return (
    <>
      {variant === 'icon' ? (
        <Tooltip title={command.label}>
          <IconButton size="small" aria-label={command.label} onClick={openConfirm} disabled={busy} color={command.color}>
            <Icon fontSize="small" />
          </IconButton>
        </Tooltip>
      ) : (
        <Button label={command.label} onClick={openConfirm} disabled={busy} color={command.color}>
          <Icon />
        </Button>
      )}
      <Confirm
        isOpen={open}
        loading={busy}
        title={command.title}
        content={command.content}
        confirm={command.label}
        cancel="Keep"
        onConfirm={run}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

export function DeleteJobButton({ redirect }: { redirect?: false | 'list' }) {
  return (
    <DeleteWithConfirmButton
      mutationMode="pessimistic"
      redirect={redirect}
      confirmTitle="Delete this job?"
      confirmContent="Its transcript and stored media are removed for good (usage already recorded stays)."
    />
  );
}

/** The actions of one row: cancel or retry when they apply, and delete. */
export function JobRowActions() {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 0.5 }} onClick={(event) => event.stopPropagation()}>
      <JobCommand kind="cancel" variant="icon" />
      <JobCommand kind="retry" variant="icon" />
      <DeleteJobButton redirect={false} />
    </Box>
  );
}
