import { Box } from '@mui/material';
import { Datagrid, DateField, List, SelectInput, TextField, useRecordContext } from 'react-admin';

const outboxFilters = [
  <SelectInput
    key="unsent"
    source="unsent"
    alwaysOn
    emptyText="All emails"
    choices={[
      { id: 'true', name: 'Not sent' },
      { id: 'false', name: 'All (sent too)' },
    ]}
  />,
];

function Body() {
  const record = useRecordContext();
  return record ? (
    <Box component="pre" sx={{ m: 0, p: 1.5, bgcolor: 'grey.100', borderRadius: 1, fontSize: 12, whiteSpace: 'pre-wrap' }}>
      {record.body}
    </Box>
  ) : null;
}

/** Emails the server sent or meant to send (invitations): what SMTP did not deliver can be forwarded by hand. */
export function OutboxList() {
  return (
    <List filters={outboxFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} title="Outbox">
      <Datagrid bulkActionButtons={false} rowClick="expand" expand={<Body />}>
        <DateField source="createdAt" showTime sortable={false} />
        <TextField source="to" sortable={false} />
        <TextField source="subject" sortable={false} />
        <DateField source="sentAt" showTime emptyText="not sent" sortable={false} />
        <TextField source="error" emptyText="—" sortable={false} />
      </Datagrid>
    </List>
  );
}
