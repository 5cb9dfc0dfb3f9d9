import MicIcon from '@mui/icons-material/Mic';
import { Alert, Button } from '@mui/material';
import {
  Datagrid,
  DateField,
  DeleteWithConfirmButton,
  Edit,
  EditButton,
  FunctionField,
  Link,
  List,
  NumberField,
  Show,
  SimpleForm,
  Tab,
  TabbedShowLayout,
  TabbedShowLayoutTabs,
  TextField,
  TextInput,
  TopToolbar,
  usePermissions,
  useRecordContext,
} from 'react-admin';
import type { MouseEvent } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { MembersPanel } from './members.tsx';
import { PromptsPanel } from './prompts.tsx';
import { ExportsPanel, ReviewQueue } from './review.tsx';
import { roleMay } from './roles.ts';
import { ProjectRedactionPanel } from '../redaction/ProjectRedactionPanel.tsx';
import { ProjectVocabularyPanel } from '../vocabulary/ProjectVocabularyPanel.tsx';

export function ProjectList() {
  return (
    <List perPage={25} sort={{ field: 'createdAt', order: 'DESC' }}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        {/* A link, so the project opens from the keyboard too (rows are mouse targets only). */}
        <FunctionField
          source="name"
          sortable={false}
          render={(record) => (
            <Link to={`/projects/${record.id}/show`} onClick={(event: MouseEvent) => event.stopPropagation()}>
              {record.name}
            </Link>
          )}
        />
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
      {roleMay(role, 'record') && (
        <Button component={RouterLink} to={`/record/${record?.id}`} size="small" startIcon={<MicIcon />}>
          Record
        </Button>
      )}
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

/** The tabs the viewer's role has a use for: the review queue for reviewers, exports for OWNERs and ADMINs (site admins see both). */
function ProjectTabs() {
  const record = useRecordContext();
  const { permissions } = usePermissions();
  if (!record) return null;
  const role = record.viewerRole as string | null;
  const siteAdmin = permissions === 'ADMIN';
  return (
    // Scrollable tabs: five of them are wider than a phone.
    <TabbedShowLayout tabs={<TabbedShowLayoutTabs variant="scrollable" scrollButtons="auto" allowScrollButtonsMobile />}>
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
        <MembersPanel label={false} />
      </Tab>
      <Tab label="Prompts" path="prompts">
        <PromptsPanel label={false} />
      </Tab>
      <Tab label="Redaction" path="redaction">
        <ProjectRedactionPanel label={false} />
      </Tab>
      <Tab label="Vocabulary" path="vocabulary">
        <ProjectVocabularyPanel label={false} />
      </Tab>
      {(siteAdmin || roleMay(role, 'review')) && (
        <Tab label="Review queue" path="review">
          <ReviewQueue label={false} />
        </Tab>
      )}
      {(siteAdmin || roleMay(role, 'export')) && (
        <Tab label="Exports" path="exports">
          <ExportsPanel label={false} />
        </Tab>
      )}
    </TabbedShowLayout>
  );
}

export function ProjectShow() {
  return (
    // width 0 / min-width 100%: the page takes the layout's width without its content (tables, tabs)
    // widening the layout past a phone's screen; wide parts scroll inside it instead.
    <Show actions={<ProjectShowActions />} sx={{ width: 0, minWidth: '100%' }}>
      <ProjectTabs />
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
