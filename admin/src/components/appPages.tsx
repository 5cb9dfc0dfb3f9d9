// The web app's pages that are not react-admin resources: each one a route and, unless `menu` is
// false, a menu entry, shown to the roles it lists. EXTENSION POINT: add your page here (App.tsx
// registers the routes, Layout.tsx the menu entries). Resources (list/show/edit of a noun) are
// registered in App.tsx instead.
import AccountCircleIcon from '@mui/icons-material/AccountCircle';
import BarChartIcon from '@mui/icons-material/BarChart';
import GraphicEqIcon from '@mui/icons-material/GraphicEq';
import MicIcon from '@mui/icons-material/Mic';
import SpellcheckIcon from '@mui/icons-material/Spellcheck';
import { lazy, Suspense, type ComponentType, type ReactElement } from 'react';
import { Loading } from 'react-admin';
import type { Role } from '../api/authProvider.ts';

export interface AppPage {
  /** The route, relative to the app's base (e.g. '/usage'); may end with '/*'. */
  path: string;
  /** Who sees it: the menu leaves it out and the route does not exist for other roles. */
  roles: readonly Role[];
  /** 'mine': the signed-in user's own things; 'admin': the site administration group. */
  section: 'mine' | 'admin';
  label: string;
  icon: ComponentType;
  element: ReactElement;
  /** False: a route only (reached by links), no menu entry. */
  menu?: boolean;
}

export const EVERYONE: readonly Role[] = ['ADMIN', 'USER'];
export const ADMINS: readonly Role[] = ['ADMIN'];

/** A page whose code (and libraries, e.g. charts) loads when it is first opened. */
function lazyPage(load: () => Promise<{ default: ComponentType }>): ReactElement {
  const Page = lazy(load);
  return (
    <Suspense fallback={<Loading />}>
      <Page />
    </Suspense>
  );
}

export const APP_PAGES: AppPage[] = [
  // ---- every signed-in user: account pages (usage & quota, API keys, provider keys, webhooks), one tab each
  {
    path: '/account/*',
    roles: EVERYONE,
    section: 'mine',
    label: 'Account',
    icon: AccountCircleIcon,
    element: lazyPage(() => import('../resources/account/index.tsx').then((module) => ({ default: module.AccountPage }))),
  },

  // ---- every signed-in user: vocabulary sets (README, "Vocabulary and context")
  {
    path: '/vocabulary',
    roles: EVERYONE,
    section: 'mine',
    label: 'Vocabulary',
    icon: SpellcheckIcon,
    element: lazyPage(() => import('../resources/vocabulary/VocabularyPage.tsx').then((module) => ({ default: module.VocabularyPage }))),
  },

  // ---- every signed-in user: live transcription from the microphone (README, "Web app: live transcription")
  {
    path: '/live',
    roles: EVERYONE,
    section: 'mine',
    label: 'Live',
    icon: GraphicEqIcon,
    element: lazyPage(() => import('../resources/live/LivePage.tsx').then((module) => ({ default: module.LivePage }))),
  },

  // ---- projects: a contributor's Record screen (the projects they record in, then one project's prompts)
  {
    path: '/record',
    roles: EVERYONE,
    section: 'mine',
    label: 'Record',
    icon: MicIcon,
    element: lazyPage(() => import('../resources/record/index.tsx').then((module) => ({ default: module.RecordProjectsPage }))),
  },
  {
    path: '/record/:projectId',
    roles: EVERYONE,
    section: 'mine',
    label: 'Record',
    icon: MicIcon,
    menu: false,
    element: lazyPage(() => import('../resources/record/index.tsx').then((module) => ({ default: module.RecordPage }))),
  },

  // ---- site administrators
  {
    path: '/usage',
    roles: ADMINS,
    section: 'admin',
    label: 'Usage',
    icon: BarChartIcon,
    element: lazyPage(() => import('../resources/usage/index.tsx').then((module) => ({ default: module.UsagePage }))),
  },
];

export const pagesFor = (role: unknown): AppPage[] => APP_PAGES.filter((page) => page.roles.includes(role as Role));
