import { Navigate } from 'react-router-dom';
import { Loading, usePermissions } from 'react-admin';
import { isAdmin } from '../api/authProvider.ts';
import { Dashboard } from './Dashboard.tsx';

/** The first screen: the operations dashboard for site administrators, their own jobs for everyone else. */
export function Home() {
  const { permissions, isPending } = usePermissions();
  if (isPending) return <Loading />;
  return isAdmin(permissions) ? <Dashboard /> : <Navigate to="/myJobs" replace />;
}
