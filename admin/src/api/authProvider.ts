// react-admin's auth provider over the Session: who may enter (admins), when to go back to the
// login page (a 401 the refresh token cannot cure), and who is signed in.
import type { AuthProvider } from 'react-admin';
import type { ApiClient } from './client.ts';
import type { Session } from './session.ts';

export interface LoginParams {
  username?: string;
  password?: string;
  /** An access token (or ADMIN API key) pasted instead of a password. */
  token?: string;
}

export function createAuthProvider(session: Session, api: ApiClient): AuthProvider {
  return {
    async login(params: LoginParams) {
      if (params.token) await session.useToken(params.token);
      else await session.login(params.username ?? '', params.password ?? '');
    },
    async logout() {
      await session.logout();
      api.dispose();
    },
    async checkAuth() {
      if (!session.active) throw new Error('Please sign in.');
      const token = await session.token();
      if (!token) throw new Error('Your session has ended. Please sign in again.');
    },
    async checkError(error: { status?: number } | undefined) {
      if (error?.status !== 401) return;
      // The access token may just have run out: one refresh, else back to the login page.
      const token = session.refreshToken ? await session.refresh().catch(() => null) : null;
      if (!token) {
        session.clear();
        throw new Error('Your session has ended. Please sign in again.');
      }
    },
    async getIdentity() {
      const user = session.user;
      if (!user) throw new Error('Not signed in.');
      return { id: user.id, fullName: user.username };
    },
    async getPermissions() {
      return session.user?.role ?? null;
    },
  };
}
