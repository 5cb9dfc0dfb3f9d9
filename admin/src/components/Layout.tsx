import { Divider, ListSubheader } from '@mui/material';
import { createElement } from 'react';
import { Layout, Menu, usePermissions, useResourceDefinitions, useSidebarState, type LayoutProps } from 'react-admin';
import { isAdmin } from '../api/authProvider.ts';
import { pagesFor, type AppPage } from './appPages.tsx';
import { VerifyEmailBanner } from './emailVerification/VerifyEmailBanner.tsx';

/** Which menu group a resource belongs to: `options.section` as registered in App.tsx. */
const sectionOf = (options: unknown): 'mine' | 'admin' => ((options as { section?: string } | undefined)?.section === 'admin' ? 'admin' : 'mine');

function PageItems({ pages }: { pages: AppPage[] }) {
  return (
    <>
      {pages
        .filter((page) => page.menu !== false)
        .map((page) => (
          <Menu.Item key={page.path} to={page.path.replace(/\/\*$/, '')} primaryText={page.label} leftIcon={createElement(page.icon)} />
        ))}
    </>
  );
}

/**
 * What the signed-in role may use, and nothing else: the user's own screens first, then, for site
 * administrators, the administration group. Resources come from what App.tsx registered for the
 * role; other pages from appPages.tsx.
 */
function AppMenu() {
  const { permissions } = usePermissions();
  const resources = useResourceDefinitions();
  const [open] = useSidebarState();
  const pages = pagesFor(permissions);
  const listed = Object.values(resources).filter((resource) => resource.hasList);
  const inSection = (section: 'mine' | 'admin') => listed.filter((resource) => sectionOf(resource.options) === section);
  return (
    <Menu>
      {isAdmin(permissions) && <Menu.DashboardItem />}
      {inSection('mine').map((resource) => (
        <Menu.ResourceItem key={resource.name} name={resource.name} />
      ))}
      <PageItems pages={pages.filter((page) => page.section === 'mine')} />
      {isAdmin(permissions) && [
        <Divider key="divider" sx={{ my: 1 }} />,
        open ? (
          <ListSubheader key="heading" sx={{ bgcolor: 'transparent', lineHeight: '32px' }}>
            Administration
          </ListSubheader>
        ) : null,
        ...inSection('admin').map((resource) => <Menu.ResourceItem key={resource.name} name={resource.name} />),
        <PageItems key="pages" pages={pages.filter((page) => page.section === 'admin')} />,
      ]}
    </Menu>
  );
}

export function AppLayout(props: LayoutProps) {
  return (
    <Layout {...props} menu={AppMenu}>
      <VerifyEmailBanner />
      {props.children}
    </Layout>
  );
}
