// The signed-in user's own jobs: the live list, a new job (files or a URL), and the job page
// (shared with the admins' list of every user's jobs).
import AddIcon from '@mui/icons-material/Add';
import { Alert, Box, Typography } from '@mui/material';
import { CreateButton, Datagrid, DateField, FunctionField, List, SearchInput, SelectInput, TextField, TopToolbar, useResourceContext } from 'react-admin';
import { formatDuration } from '../../components/format.ts';
import { StatusField } from '../../components/StatusChip.tsx';
import { JobShow } from '../jobs/index.tsx';
import { JobRowActions } from '../jobs/actions.tsx';
import { useMyJobsLive } from '../jobs/live.ts';
import { JobCards, JobProgress, usePhoneWidth } from '../jobs/rows.tsx';
import { STATUS_CHOICES } from '../jobs/status.ts';

export { MyJobCreate } from './create/MyJobCreate.tsx';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="File name or transcript" />,
  <SelectInput key="status" source="status" choices={STATUS_CHOICES} alwaysOn emptyText="Any status" />,
];

function ListActions() {
  return (
    <TopToolbar>
      <CreateButton label="New job" icon={<AddIcon />} />
    </TopToolbar>
  );
}

/** Said when live updates stopped (the socket gave up): the list still works, by refresh. */
function LiveStatus() {
  const stopped = useMyJobsLive(useResourceContext() ?? 'myJobs');
  return stopped ? (
    <Alert severity="warning" sx={{ m: 1 }}>
      Live updates stopped ({stopped}); refresh to see the latest.
    </Alert>
  ) : null;
}

function Empty() {
  return (
    <Box sx={{ textAlign: 'center', p: 4 }} data-testid="my-jobs-empty">
      <Typography variant="h6" gutterBottom>
        No jobs yet
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Upload audio or video files, or give the address of one, and follow the transcription here.
      </Typography>
      <CreateButton label="New job" icon={<AddIcon />} variant="contained" />
    </Box>
  );
}

export function MyJobList() {
  const phone = usePhoneWidth();
  // Outside <List>: it follows the user's jobs also while the list shows its empty page.
  return (
    <>
      <LiveStatus />
      <List
      filters={filters}
      actions={<ListActions />}
      empty={<Empty />}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      title="My jobs"
    >
      {phone ? (
        <JobCards />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="filename" emptyText="(no name)" sortable={false} />
          <StatusField label="Status" />
          <FunctionField label="Progress" render={() => <JobProgress />} />
          <TextField source="provider" sortable={false} />
          <FunctionField label="Duration" sortable={false} render={(job) => formatDuration(job.mediaDurationSeconds)} />
          <DateField source="createdAt" label="Created" showTime />
          <JobRowActions />
        </Datagrid>
      )}
      </List>
    </>
  );
}

export const MyJobShow = JobShow;
