import AssignmentIcon from '@mui/icons-material/Assignment';
import FolderIcon from '@mui/icons-material/Folder';
import HistoryIcon from '@mui/icons-material/History';
import MailIcon from '@mui/icons-material/Mail';
import PeopleIcon from '@mui/icons-material/People';
import WebhookIcon from '@mui/icons-material/Webhook';
import { lazy, Suspense } from 'react';
import { Admin, CustomRoutes, Loading, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { Provider as UrqlProvider } from 'urql';
import { ConsoleLayout } from './components/Layout.tsx';
import { Dashboard } from './components/Dashboard.tsx';
import { LoginPage } from './components/LoginPage.tsx';
import { AuditList, AuditShow } from './resources/audit/index.tsx';
import { JobList, JobShow } from './resources/jobs/index.tsx';
import { OutboxList } from './resources/outbox/index.tsx';
import { ProjectEdit, ProjectList, ProjectShow } from './resources/projects/index.tsx';
import { UserEdit, UserList, UserShow } from './resources/users/index.tsx';
import { WebhookList, WebhookShow } from './resources/webhooks/index.tsx';
import { api, authProvider, dataProvider } from './runtime.ts';

// The usage page carries the chart library: loaded when first opened.
const UsagePage = lazy(() => import('./resources/usage/index.tsx').then((module) => ({ default: module.UsagePage })));

export function App() {
  return (
    <UrqlProvider value={api.client}>
      {/* No transitions: react-admin redirects (to /login, after logout) must land at once, or its
          auth checks keep re-running against the old location. */}
      <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')} useTransitions={false}>
        <Admin
          title="Parlance console"
          dataProvider={dataProvider}
          authProvider={authProvider}
          loginPage={LoginPage}
          dashboard={Dashboard}
          layout={ConsoleLayout}
          requireAuth
          disableTelemetry
        >
          <Resource name="users" list={UserList} show={UserShow} edit={UserEdit} icon={PeopleIcon} recordRepresentation="username" />
          <Resource name="jobs" list={JobList} show={JobShow} icon={AssignmentIcon} recordRepresentation={(job) => job.filename ?? job.id} />
          <Resource name="projects" list={ProjectList} show={ProjectShow} edit={ProjectEdit} icon={FolderIcon} recordRepresentation="name" />
          <Resource name="prompts" recordRepresentation="text" />
          <Resource name="audit" list={AuditList} show={AuditShow} icon={HistoryIcon} options={{ label: 'Audit log' }} />
          <Resource name="webhooks" list={WebhookList} show={WebhookShow} icon={WebhookIcon} recordRepresentation="url" />
          <Resource name="outbox" list={OutboxList} icon={MailIcon} options={{ label: 'Outbox' }} />
          <CustomRoutes>
            <Route
              path="/usage"
              element={
                <Suspense fallback={<Loading />}>
                  <UsagePage />
                </Suspense>
              }
            />
          </CustomRoutes>
        </Admin>
      </BrowserRouter>
    </UrqlProvider>
  );
}
