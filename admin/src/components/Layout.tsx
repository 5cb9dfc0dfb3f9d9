import BarChartIcon from '@mui/icons-material/BarChart';
import { Layout, Menu, type LayoutProps } from 'react-admin';

function ConsoleMenu() {
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItem name="users" />
      <Menu.ResourceItem name="jobs" />
      <Menu.ResourceItem name="projects" />
      <Menu.Item to="/usage" primaryText="Usage" leftIcon={<BarChartIcon />} />
      <Menu.ResourceItem name="audit" />
      <Menu.ResourceItem name="webhooks" />
      <Menu.ResourceItem name="outbox" />
    </Menu>
  );
}

export function ConsoleLayout(props: LayoutProps) {
  return <Layout {...props} menu={ConsoleMenu} />;
}
