// "Run again": the job's media transcribed again as a new job, with the original's settings
// prefilled and editable (rerunJob); opens the new job once it is queued.
import AutorenewIcon from '@mui/icons-material/Autorenew';
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { useState } from 'react';
import { Button, useNotify, useRecordContext, useRedirect, useResourceContext } from 'react-admin';
import { useClient } from 'urql';
import { unwrap } from '../../api/client.ts';
import { useMutate } from '../../api/hooks.ts';
import { EMPTY_OPTIONS, JobOptionsFields, type OptionsDraft } from '../myJobs/create/JobOptionsFields.tsx';
import { RerunJobMutation, RerunSettingsQuery } from './rerunOperations.ts';


function draftOf(job: {
  providers: OptionsDraft['providers'];
  model?: string | null;
  language?: string | null;
  diarize: boolean;
  translateTo?: string | null;
  translationEngine?: OptionsDraft['translationEngine'] | null;
  sentimentRequested: boolean;
  summaryRequested: boolean;
}): OptionsDraft {
  return {
    ...EMPTY_OPTIONS,
    providers: job.providers,
    model: job.model ?? '',
    language: job.language ?? '',
    diarize: job.diarize,
    translateTo: job.translateTo ?? '',
    translationEngine: job.translationEngine ?? '',
    sentiment: job.sentimentRequested,
    summarize: job.summaryRequested,
  };
}

const blankToNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** Every setting explicit: the form shows the original's, so what is on screen is what runs. */
function rerunInput(draft: OptionsDraft) {
  const translateTo = blankToNull(draft.translateTo);
  return {
    provider: null,
    providers: draft.providers.length > 0 ? draft.providers : null,
    model: blankToNull(draft.model),
    language: blankToNull(draft.language),
    diarize: draft.diarize,
    translateTo,
    translationEngine: translateTo && draft.translationEngine ? draft.translationEngine : null,
    sentiment: draft.sentiment,
    summarize: draft.summarize,
  };
}

export function RerunJobButton() {
  const record = useRecordContext();
  const resource = useResourceContext() ?? 'jobs';
  const client = useClient();
  const mutate = useMutate();
  const notify = useNotify();
  const redirect = useRedirect();
  const [draft, setDraft] = useState<OptionsDraft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!record) return null;

  const open = async () => {
    setError(null);
    setBusy(true);
    try {
      const { job } = unwrap(await client.query(RerunSettingsQuery, { id: String(record.id) }, { requestPolicy: 'network-only' }).toPromise());
      if (!job) throw new Error('The job is gone.');
      setDraft(draftOf(job));
    } catch (failure) {
      notify((failure as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const submit = async () => {
    if (!draft) return;
    setBusy(true);
    setError(null);
    try {
      const { rerunJob } = await mutate(RerunJobMutation, { id: String(record.id), input: rerunInput(draft) });
      setDraft(null);
      notify('Queued as a new job', { type: 'success' });
      redirect('show', resource, rerunJob.id);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button label="Run again" onClick={open} disabled={busy}>
        <AutorenewIcon />
      </Button>
      <Dialog open={draft !== null} onClose={() => !busy && setDraft(null)} maxWidth="md" fullWidth aria-labelledby="rerun-title">
        <DialogTitle id="rerun-title">Run this job again</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            The same media is transcribed again as a new job of yours, with these settings. This job stays as it is.
          </DialogContentText>
          {draft && <JobOptionsFields value={draft} onChange={setDraft} disabled={busy} />}
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert">
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setDraft(null)} disabled={busy}>
            Cancel
          </MuiButton>
          <MuiButton onClick={submit} disabled={busy} variant="contained">
            Start new job
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
