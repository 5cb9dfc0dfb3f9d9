import AssignmentIcon from '@mui/icons-material/Assignment';
import FolderIcon from '@mui/icons-material/Folder';
import HistoryIcon from '@mui/icons-material/History';
import MailIcon from '@mui/icons-material/Mail';
import PeopleIcon from '@mui/icons-material/People';
import RecordVoiceOverIcon from '@mui/icons-material/RecordVoiceOver';
import WebhookIcon from '@mui/icons-material/Webhook';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { Provider as UrqlProvider } from 'urql';
import { isAdmin } from './api/authProvider.ts';
import { pagesFor } from './components/appPages.tsx';
import { Home } from './components/Home.tsx';
import { VerifyEmailPage } from './components/emailVerification/VerifyEmailPage.tsx';
import { AppLayout } from './components/Layout.tsx';
import { LoginPage } from './components/LoginPage.tsx';
import { ForgotPasswordPage } from './components/passwords/ForgotPasswordPage.tsx';
import { ResetPasswordPage } from './components/passwords/ResetPasswordPage.tsx';
import { CatchAll } from './components/NotAllowed.tsx';
import { AuditList, AuditShow } from './resources/audit/index.tsx';
import { JobList, JobShow } from './resources/jobs/index.tsx';
import { MyJobCreate, MyJobList, MyJobShow } from './resources/myJobs/index.tsx';
import { OutboxList } from './resources/outbox/index.tsx';
import { ProjectEdit, ProjectList, ProjectShow } from './resources/projects/index.tsx';
import { UserEdit, UserList, UserShow } from './resources/users/index.tsx';
import { WebhookList, WebhookShow } from './resources/webhooks/index.tsx';
import { api, authProvider, dataProvider } from './runtime.ts';

/** Admin-only resources carry this option: the menu puts them under "Administration". */
const ADMIN_SECTION = { section: 'admin' } as const;

/**
 * The screens each role may use. react-admin asks getPermissions (the user's site role, 'ADMIN' or
 * 'USER') and registers what this returns; nothing else exists for that role (a link to another
 * role's screen lands on CatchAll's refusal).
 *
 * EXTENSION POINTS, one block per area:
 * - resources (list/show/edit of a noun): add a <Resource> in the block of your area below;
 * - other pages (a route and a menu entry): add them to APP_PAGES in components/appPages.tsx.
 */
function screensFor(permissions: unknown) {
  const admin = isAdmin(permissions);
  return (
    <>
      {/* ---- every signed-in user: their jobs (upload, follow, cancel, retry, delete) */}
      <Resource
        name="myJobs"
        list={MyJobList}
        show={MyJobShow}
        create={MyJobCreate}
        icon={RecordVoiceOverIcon}
        options={{ label: 'My jobs' }}
        recordRepresentation={(job) => job.filename ?? job.id}
      />

      {/* ---- every signed-in user: account pages (usage & quota, API keys, provider keys, webhooks) */}

      {/* ---- every signed-in user: the transcript view */}

      {/* ---- projects: record (contributors), review (reviewers, owners) */}
      {/* Every user's projects (every project for site admins); each tab offers what the viewer's project role may do.
          The Record screen is in appPages.tsx. */}
      <Resource name="projects" list={ProjectList} show={ProjectShow} edit={ProjectEdit} icon={FolderIcon} recordRepresentation="name" />
      <Resource name="prompts" recordRepresentation="text" />

      {/* ---- site administrators: everything the operations console has */}
      {admin && (
        <>
          <Resource name="users" list={UserList} show={UserShow} edit={UserEdit} icon={PeopleIcon} options={ADMIN_SECTION} recordRepresentation="username" />
          <Resource
            name="jobs"
            list={JobList}
            show={JobShow}
            icon={AssignmentIcon}
            options={{ ...ADMIN_SECTION, label: 'All jobs' }}
            recordRepresentation={(job) => job.filename ?? job.id}
          />
          <Resource name="audit" list={AuditList} show={AuditShow} icon={HistoryIcon} options={{ ...ADMIN_SECTION, label: 'Audit log' }} />
          <Resource name="webhooks" list={WebhookList} show={WebhookShow} icon={WebhookIcon} options={ADMIN_SECTION} recordRepresentation="url" />
          <Resource name="outbox" list={OutboxList} icon={MailIcon} options={{ ...ADMIN_SECTION, label: 'Outbox' }} />
        </>
      )}

      <CustomRoutes>
        {pagesFor(permissions).map((page) => (
          <Route key={page.path} path={page.path} element={page.element} />
        ))}
      </CustomRoutes>
    </>
  );
}

export function App() {
  return (
    <UrqlProvider value={api.client}>
      {/* No transitions: react-admin redirects (to /login, after logout) must land at once, or its
          auth checks keep re-running against the old location. */}
      <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')} useTransitions={false}>
        <Admin
          title="Parlance"
          dataProvider={dataProvider}
          authProvider={authProvider}
          loginPage={LoginPage}
          dashboard={Home}
          layout={AppLayout}
          catchAll={CatchAll}
          requireAuth
          disableTelemetry
        >
          {screensFor}
          {/* Open to anyone, signed in or not: the page the verification email links to. */}
          <CustomRoutes noLayout>
            <Route path="/verify-email" element={<VerifyEmailPage />} />
            {/* Password reset: asking for a link, and the page the link opens. */}
            <Route path="/forgot-password" element={<ForgotPasswordPage />} />
            <Route path="/reset-password" element={<ResetPasswordPage />} />
          </CustomRoutes>
        </Admin>
      </BrowserRouter>
    </UrqlProvider>
  );
}
