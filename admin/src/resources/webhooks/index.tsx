import PowerIcon from '@mui/icons-material/Power';
import { Alert } from '@mui/material';
import {
  BooleanField,
  Button,
  Datagrid,
  DateField,
  DeleteWithConfirmButton,
  FunctionField,
  List,
  NumberField,
  SearchInput,
  SelectInput,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  useNotify,
  useRecordContext,
  useUpdate,
} from 'react-admin';

const webhookFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="URL or event" />,
  <SelectInput
    key="enabled"
    source="enabled"
    alwaysOn
    emptyText="Enabled or not"
    choices={[
      { id: 'true', name: 'Enabled' },
      { id: 'false', name: 'Disabled' },
    ]}
  />,
];

function Scope() {
  return (
    <Alert severity="info" sx={{ mb: 1 }}>
      {/* TODO(webhooks): the API lists only the viewer's webhooks and those of projects they own or
          administer (`webhooks`); an admin-wide listing needs a new query. */}
      Webhooks you created and those of projects you own or administer.
    </Alert>
  );
}

function EnableButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const [update, { isPending }] = useUpdate();
  if (!record || record.enabled) return null;
  return (
    <Button
      label="Enable"
      disabled={isPending}
      onClick={(event) => {
        event.stopPropagation();
        update(
          'webhooks',
          { id: record.id, data: { enabled: true }, previousData: record },
          {
            mutationMode: 'pessimistic',
            onSuccess: () => notify('Webhook enabled', { type: 'success' }),
            onError: (error) => notify((error as Error).message, { type: 'error' }),
          },
        );
      }}
    >
      <PowerIcon />
    </Button>
  );
}

export function WebhookList() {
  return (
    <List filters={webhookFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} aside={undefined} title="Webhooks">
      <Scope />
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="url" />
        <FunctionField label="Events" render={(hook) => (hook.events ?? []).join(', ')} />
        <TextField source="project.name" label="Project" emptyText="—" sortable={false} />
        <BooleanField source="enabled" />
        <NumberField source="failureCount" label="Failures" />
        <TextField source="lastStatus" label="Last status" emptyText="—" />
        <DateField source="lastDeliveredAt" label="Last delivered" showTime emptyText="never" />
        <EnableButton />
      </Datagrid>
    </List>
  );
}

function WebhookActions() {
  return (
    <TopToolbar>
      <EnableButton />
      <DeleteWithConfirmButton mutationMode="pessimistic" confirmTitle="Delete this webhook?" confirmContent="Events stop being sent to it." />
    </TopToolbar>
  );
}

export function WebhookShow() {
  return (
    <Show actions={<WebhookActions />}>
      <SimpleShowLayout>
        <TextField source="url" />
        <FunctionField label="Events" render={(hook) => (hook.events ?? []).join(', ')} />
        <TextField source="project.name" label="Project" emptyText="—" />
        <BooleanField source="enabled" />
        <DateField source="disabledAt" showTime emptyText="—" />
        <NumberField source="failureCount" label="Failures in a row" />
        <TextField source="lastStatus" emptyText="—" />
        <TextField source="lastError" emptyText="—" />
        <DateField source="lastAttemptAt" showTime emptyText="never" />
        <DateField source="lastDeliveredAt" showTime emptyText="never" />
        <DateField source="createdAt" showTime />
      </SimpleShowLayout>
    </Show>
  );
}
