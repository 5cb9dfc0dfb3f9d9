// A project's redaction policy on its page: the kinds redacted from every job of the project and
// whether the redaction is mandatory for everyone but OWNERs. OWNERs change it; others read it.
import { Alert, Button, Checkbox, FormControlLabel, FormGroup, Stack, Switch, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useNotify, useRecordContext } from 'react-admin';
import { useClient, useQuery } from 'urql';
import type { RedactionKind } from '../../gql/graphql.ts';
import { REDACTION_KINDS, toggledKinds } from './kinds.ts';
import { ProjectRedactionQuery, SetProjectRedactionPolicyMutation } from './operations.ts';

export function ProjectRedactionPanel(_props: { label?: string | false }) {
  const record = useRecordContext();
  const projectId = record ? String(record.id) : '';
  const [{ data, error, fetching }] = useQuery({ query: ProjectRedactionQuery, variables: { id: projectId }, pause: !projectId });
  const project = data?.project;
  const client = useClient();
  const notify = useNotify();
  const [kinds, setKinds] = useState<RedactionKind[]>([]);
  const [mandatory, setMandatory] = useState(false);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (!project) return;
    setKinds(project.redact);
    setMandatory(project.redactionMandatory);
  }, [project]);
  if (fetching && !project) return null;
  if (error || !project) return <Alert severity="error">{error?.graphQLErrors[0]?.message ?? 'The policy could not be loaded.'}</Alert>;
  const isOwner = project.viewerRole === 'OWNER';

  const save = async () => {
    setSaving(true);
    const result = await client.mutation(SetProjectRedactionPolicyMutation, { projectId, redact: kinds, mandatory }).toPromise();
    setSaving(false);
    if (result.error) notify(result.error.graphQLErrors[0]?.message ?? result.error.message, { type: 'error' });
    else notify('Redaction policy saved.', { type: 'success' });
  };

  return (
    <Stack spacing={2} data-testid="project-redaction" sx={{ maxWidth: 720 }}>
      <Typography variant="body2" color="text.secondary">
        Kinds redacted from every job of this project, on top of what each job asks for. Mandatory: everyone but the project&apos;s
        OWNERs reads only redacted transcripts, downloads and exports, and hears the playback audio silenced over them.
      </Typography>
      <FormGroup row>
        {REDACTION_KINDS.map((kind) => (
          <FormControlLabel
            key={kind.value}
            label={kind.label}
            control={
              <Checkbox
                name={`policy-${kind.value}`}
                checked={kinds.includes(kind.value)}
                onChange={(event) => setKinds(toggledKinds(kinds, kind.value, event.target.checked))}
                disabled={!isOwner || saving}
              />
            }
          />
        ))}
      </FormGroup>
      <FormControlLabel
        control={<Switch name="redactionMandatory" checked={mandatory} onChange={(event) => setMandatory(event.target.checked)} disabled={!isOwner || saving} />}
        label="Mandatory for everyone but OWNERs"
      />
      {isOwner ? (
        <div>
          <Button variant="contained" onClick={save} disabled={saving || (mandatory && kinds.length === 0)}>
            Save policy
          </Button>
        </div>
      ) : (
        <Typography variant="body2">Only the project&apos;s OWNERs change the policy.</Typography>
      )}
    </Stack>
  );
}
