import { Alert, Typography } from '@mui/material';
import {
  ArrayField,
  ChipField,
  Datagrid,
  DateField,
  DeleteWithConfirmButton,
  Edit,
  EditButton,
  List,
  NumberField,
  Pagination,
  ReferenceManyField,
  Show,
  SimpleForm,
  Tab,
  TabbedShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  useRecordContext,
} from 'react-admin';
import { ExportsPanel, ReviewQueue } from './review.tsx';

export function ProjectList() {
  return (
    <List perPage={25} sort={{ field: 'createdAt', order: 'DESC' }}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="name" sortable={false} />
        <TextField source="description" emptyText="—" sortable={false} />
        <TextField source="owners" label="Owners" sortable={false} />
        <NumberField source="membersCount" label="Members" sortable={false} />
        <NumberField source="promptsCount" label="Prompts" sortable={false} />
        <TextField source="viewerRole" label="Your role" emptyText="not a member" sortable={false} />
        <DateField source="createdAt" label="Created" showTime sortable={false} />
      </Datagrid>
    </List>
  );
}

/** Only a project's OWNERs and ADMINs change it; a site admin who is not a member only looks. */
function ProjectShowActions() {
  const record = useRecordContext();
  const role = record?.viewerRole;
  return (
    <TopToolbar>
      {(role === 'OWNER' || role === 'ADMIN') && <EditButton />}
      {role === 'OWNER' && (
        <DeleteWithConfirmButton
          mutationMode="pessimistic"
          confirmTitle={`Delete ${record?.name}?`}
          confirmContent="Its members, invitations, prompts and jobs (with their media) are removed for good."
        />
      )}
    </TopToolbar>
  );
}

function NotMemberNote() {
  const record = useRecordContext();
  if (!record || record.viewerRole) return null;
  return (
    <Alert severity="info" sx={{ mb: 1 }}>
      You see this project as a site admin. Managing it (settings, members, prompts, reviews) is for its members.
    </Alert>
  );
}

export function ProjectShow() {
  return (
    <Show actions={<ProjectShowActions />}>
      <TabbedShowLayout>
        <Tab label="Summary">
          <NotMemberNote />
          <TextField source="name" />
          <TextField source="description" emptyText="—" />
          <TextField source="viewerRole" label="Your role" emptyText="not a member" />
          <DateField source="createdAt" showTime />
          <NumberField source="membersCount" label="Members" />
          <NumberField source="promptsCount" label="Prompts" />
        </Tab>
        <Tab label="Members" path="members">
          <ArrayField source="members" label={false}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography sx={{ p: 2 }}>No members.</Typography>}>
              <TextField source="user.username" label="User" />
              <TextField source="user.email" label="Email" emptyText="—" />
              <ChipField source="role" size="small" />
              <DateField source="joinedAt" showTime />
            </Datagrid>
          </ArrayField>
        </Tab>
        <Tab label="Prompts" path="prompts">
          <ReferenceManyField reference="prompts" target="projectId" perPage={25} pagination={<Pagination />} label={false}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography sx={{ p: 2 }}>No prompts yet.</Typography>}>
              <TextField source="text" sortable={false} />
              <NumberField source="recordingsCount" label="Recordings" sortable={false} />
            </Datagrid>
          </ReferenceManyField>
        </Tab>
        <Tab label="Review queue" path="review">
          <ReviewQueue label={false} />
        </Tab>
        <Tab label="Exports" path="exports">
          <ExportsPanel label={false} />
        </Tab>
      </TabbedShowLayout>
    </Show>
  );
}

export function ProjectEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show">
      <SimpleForm>
        <TextInput source="name" validate={(value: string) => (value?.trim() ? undefined : 'Required')} fullWidth />
        <TextInput source="description" multiline fullWidth />
      </SimpleForm>
    </Edit>
  );
}
