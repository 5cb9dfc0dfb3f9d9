import { Box, Typography } from '@mui/material';
import {
  AutocompleteInput,
  Datagrid,
  DateField,
  FunctionField,
  List,
  ReferenceInput,
  Show,
  SimpleShowLayout,
  TextField,
  TextInput,
  useRecordContext,
} from 'react-admin';

const auditFilters = [
  <TextInput key="action" source="action" label="Action" alwaysOn helperText="e.g. user.roleChanged" />,
  <ReferenceInput key="actorId" source="actorId" reference="users" alwaysOn>
    <AutocompleteInput label="Actor" optionText="username" filterToQuery={(q: string) => ({ q })} sx={{ minWidth: 220 }} />
  </ReferenceInput>,
  <TextInput key="targetId" source="targetId" label="Target id" alwaysOn />,
];

function Details() {
  const record = useRecordContext();
  if (!record) return null;
  return (
    <Box component="pre" sx={{ m: 0, p: 1.5, bgcolor: 'grey.100', borderRadius: 1, fontSize: 12, overflow: 'auto' }}>
      {typeof record.detailsObject === 'string' ? record.detailsObject : JSON.stringify(record.detailsObject, null, 2)}
    </Box>
  );
}

export function AuditList() {
  return (
    <List filters={auditFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={50}>
      <Datagrid rowClick="show" bulkActionButtons={false} expand={<Details />}>
        <DateField source="createdAt" label="When" showTime sortable={false} />
        <TextField source="actor.username" label="Actor" emptyText="(system)" sortable={false} />
        <TextField source="action" sortable={false} />
        <TextField source="targetType" label="Target" emptyText="—" sortable={false} />
        <TextField source="targetId" label="Target id" emptyText="—" sortable={false} />
        <TextField source="requestId" label="Request id" emptyText="—" sortable={false} />
      </Datagrid>
    </List>
  );
}

export function AuditShow() {
  return (
    <Show>
      <SimpleShowLayout>
        <DateField source="createdAt" showTime />
        <TextField source="actor.username" label="Actor" emptyText="(system)" />
        <TextField source="action" />
        <TextField source="targetType" emptyText="—" />
        <TextField source="targetId" emptyText="—" />
        <TextField source="requestId" emptyText="—" />
        <FunctionField label="Details" render={() => <Details />} />
        <Typography variant="caption" color="text.secondary">
          The audit log is append-only.
        </Typography>
      </SimpleShowLayout>
    </Show>
  );
}
