import DeleteForeverIcon from '@mui/icons-material/DeleteForever';
import { useState } from 'react';
import { Button, Confirm, useNotify, useRecordContext, useRedirect } from 'react-admin';
import { AdminDeleteUserMutation } from '../../api/erasureOperations.ts';
import { useMutate } from '../../api/hooks.ts';
import { useIsSelf } from './useIsSelf.ts';

/** Erases the user shown (adminDeleteUser), after a confirmation; the server refuses the last OWNER of a project. Not offered for the signed-in admin. */
export function DeleteUserButton() {
  const record = useRecordContext<{ id: string; username: string }>();
  const mutate = useMutate();
  const notify = useNotify();
  const redirect = useRedirect();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const self = useIsSelf(record);
  if (!record || self) return null;
  const confirm = async () => {
    setBusy(true);
    try {
      await mutate(AdminDeleteUserMutation, { id: record.id });
      notify(`${record.username} was deleted`, { type: 'success' });
      redirect('list', 'users');
    } catch (failure) {
      notify(failure instanceof Error ? failure.message : String(failure), { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <>
      <Button label="Delete user" onClick={() => setOpen(true)} color="error" disabled={busy}>
        <DeleteForeverIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title={`Delete ${record.username} for good?`}
        content="Their jobs, files, uploads, live sessions and recordings, keys, webhooks and memberships are removed; usage and audit rows stay under an anonymous name. This cannot be undone."
        confirm="Delete user"
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
