import PowerIcon from '@mui/icons-material/Power';
import { Alert } from '@mui/material';
import {
  AutocompleteInput,
  BooleanField,
  BooleanInput,
  Button,
  Datagrid,
  DateField,
  DeleteWithConfirmButton,
  FunctionField,
  List,
  NumberField,
  ReferenceInput,
  SearchInput,
  SelectInput,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  useListContext,
  useNotify,
  useRecordContext,
  useUpdate,
} from 'react-admin';

const webhookFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="URL or event" />,
  <BooleanInput key="allUsers" source="allUsers" label="All users" alwaysOn helperText={false} />,
  <ReferenceInput key="ownerId" source="ownerId" reference="users" alwaysOn>
    <AutocompleteInput label="Owner" optionText="username" filterToQuery={(q: string) => ({ q })} sx={{ minWidth: 220 }} />
  </ReferenceInput>,
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
  const { filterValues } = useListContext();
  const everyone = filterValues.allUsers === true || filterValues.allUsers === 'true' || Boolean(filterValues.ownerId);
  return (
    <Alert severity="info" sx={{ mb: 1 }}>
      {everyone
        ? "Every user's webhooks (with an owner chosen, that user's)."
        : 'Webhooks you created and those of projects you own or administer.'}
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
    <List
      filters={webhookFilters}
      filterDefaultValues={{ allUsers: true }}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      aside={undefined}
      title="Webhooks"
    >
      <Scope />
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="url" />
        <TextField source="owner.username" label="Owner" />
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
        <TextField source="owner.username" label="Owner" />
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
