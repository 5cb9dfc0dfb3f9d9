// The signed-in user's own jobs: the list, and the job page (shared with the admin console's).
import { Datagrid, DateField, FunctionField, List, SearchInput, SelectInput, TextField } from 'react-admin';
import { formatDuration } from '../../components/format.ts';
import { StatusField } from '../../components/StatusChip.tsx';
import { JobShow } from '../jobs/index.tsx';

const STATUS_CHOICES = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'].map((id) => ({ id, name: id }));

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="File name or transcript" />,
  <SelectInput key="status" source="status" choices={STATUS_CHOICES} alwaysOn emptyText="Any status" />,
];

export function MyJobList() {
  return (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} title="My jobs">
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="filename" emptyText="(no name)" sortable={false} />
        <StatusField label="Status" />
        <TextField source="provider" sortable={false} />
        <FunctionField label="Duration" sortable={false} render={(job) => formatDuration(job.mediaDurationSeconds)} />
        <DateField source="createdAt" label="Created" showTime />
      </Datagrid>
    </List>
  );
}

export const MyJobShow = JobShow;
