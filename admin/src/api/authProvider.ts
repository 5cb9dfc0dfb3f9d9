// react-admin's auth provider over the Session: who is signed in, their role (react-admin's
// permissions: what the app shows them), and when to go back to the login page (a 401 the refresh
// token cannot cure). Every active user may sign in; the API decides what each one may do.
import type { AuthProvider } from 'react-admin';
import type { ApiClient } from './client.ts';
import type { Session } from './session.ts';
import type { CompleteLoginInput } from '../gql/graphql.ts';

export interface LoginParams {
  username?: string;
  password?: string;
  /** An access token or API key pasted instead of a password. */
  token?: string;
  /** The second step of a login that answered MFA_REQUIRED (components/SecondFactorStep.tsx). */
  secondFactor?: CompleteLoginInput;
  /** A new account: registered, then signed in. */
  signUp?: { username: string; email: string; password: string; invitationToken?: string | null };
  /** The one-time code an external OIDC issuer's sign-in ended with (/auth/oidc/callback). */
  oidcCode?: string;
  /** Sign-in with a passkey alone: turns the server's options into the browser's answer (components/passkeys/). */
  passkey?: (optionsJson: string) => Promise<string>;
}

/** What react-admin's permissions hold: the signed-in user's site role. */
export type Role = 'ADMIN' | 'USER';

export const isAdmin = (permissions: unknown): boolean => permissions === 'ADMIN';

export function createAuthProvider(session: Session, api: ApiClient): AuthProvider {
  return {
    async login(params: LoginParams) {
      if (params.secondFactor) await session.completeLogin(params.secondFactor);
      else if (params.oidcCode) await session.completeOidcSignIn(params.oidcCode);
      else if (params.passkey) await session.loginWithPasskey(params.passkey);
      else if (params.signUp) await session.register(params.signUp);
      else if (params.token) await session.useToken(params.token);
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
    async getPermissions(): Promise<Role | null> {
      const role = session.user?.role;
      return role === 'ADMIN' || role === 'USER' ? role : null;
    },
  };
}
