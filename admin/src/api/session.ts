// The signed-in person's session (any active user; the role decides what the app shows): an access token in memory, the refresh token in sessionStorage (this
// tab only, gone when it closes). The access token is refreshed shortly before it expires, one
// refresh at a time (refresh tokens rotate, and presenting a used one revokes the whole login).
import type { Client } from '@urql/core';
import { ApiError, toApiError, unwrap } from './client.ts';
import { CompleteLoginMutation } from './mfaOperations.ts';
import { LoginWithPasskeyMutation, PasskeyLoginOptionsMutation } from './passkeyOperations.ts';
import type { CompleteLoginInput } from '../gql/graphql.ts';
import {
  CompleteOidcSignInMutation,
  LoginMutation,
  LogoutMutation,
  MeQuery,
  RefreshSessionMutation,
  RegisterMutation,
  SignInOptionsQuery,
} from './operations.ts';

export interface SessionUser {
  id: string;
  username: string;
  email?: string | null;
  role: string;
  isActive?: boolean;
}

/** The part of the Web Storage API we use (sessionStorage in the browser). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

export interface SessionOptions {
  /** An urql client that sends no credentials (login, refresh, logout). */
  anonymous: Client;
  storage?: KeyValueStorage;
  /** The clock, for tests. */
  now?: () => number;
  /** Called when the session ends by itself (the refresh token was refused). */
  onExpired?: () => void;
}

const REFRESH_KEY = 'parlance.refreshToken';
const TOKEN_KEY = 'parlance.pastedToken';
const USER_KEY = 'parlance.user';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  user: SessionUser;
}

export class Session {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private issuedAt = 0;
  private refreshing: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly storage: KeyValueStorage;
  private readonly now: () => number;

  constructor(private readonly options: SessionOptions) {
    this.storage = options.storage ?? memoryStorage();
    this.now = options.now ?? Date.now;
    // A pasted token has no refresh token: it is the whole session, kept for this tab.
    const pasted = this.storage.getItem(TOKEN_KEY);
    if (pasted) this.accessToken = pasted;
  }

  get user(): SessionUser | null {
    const raw = this.storage.getItem(USER_KEY);
    try {
      return raw ? (JSON.parse(raw) as SessionUser) : null;
    } catch {
      return null;
    }
  }

  get refreshToken(): string | null {
    return this.storage.getItem(REFRESH_KEY);
  }

  /** Whether there is anything to authenticate with (an access token, or a refresh token to get one). */
  get active(): boolean {
    return this.accessToken !== null || this.refreshToken !== null;
  }

  /** When the current access token expires (ms since the epoch), 0 when unknown. */
  get accessTokenExpiresAt(): number {
    return this.expiresAt;
  }

  /** Signs in with a username or email and a password. */
  async login(login: string, password: string): Promise<SessionUser> {
    const result = await this.options.anonymous.mutation(LoginMutation, { input: { login, password } }).toPromise();
    const payload = unwrap(result).login;
    this.accept(payload);
    return payload.user;
  }

  /** The second step of a login that answered MFA_REQUIRED: the challenge and a proof (a code). */
  async completeLogin(input: CompleteLoginInput): Promise<SessionUser> {
    const result = await this.options.anonymous.mutation(CompleteLoginMutation, { input }).toPromise();
    const payload = unwrap(result).completeLogin;
    this.accept(payload);
    return payload.user;
  }

  /**
   * Passkey request options (JSON text) for the browser: any passkey of the site, or with the `challenge`
   * of an MFA_REQUIRED answer, the passkeys of that account (then completeLogin with `passkey`).
   */
  async passkeyOptions(challenge?: string): Promise<string> {
    const result = await this.options.anonymous.mutation(PasskeyLoginOptionsMutation, { challenge: challenge ?? null }).toPromise();
    return unwrap(result).passkeyLoginOptions;
  }

  /** Signs in with a passkey alone: `authenticate` turns the server's options into the browser's answer. */
  async loginWithPasskey(authenticate: (optionsJson: string) => Promise<string>): Promise<SessionUser> {
    const response = await authenticate(await this.passkeyOptions());
    const result = await this.options.anonymous.mutation(LoginWithPasskeyMutation, { response }).toPromise();
    const payload = unwrap(result).loginWithPasskey;
    this.accept(payload);
    return payload.user;
  }

  /** Creates an account (when the server's registration is open) and signs in with it. */
  async register(input: { username: string; email: string; password: string; invitationToken?: string | null }): Promise<SessionUser> {
    const result = await this.options.anonymous.mutation(RegisterMutation, { input }).toPromise();
    const payload = unwrap(result).register;
    this.accept(payload);
    return payload.user;
  }

  /** Ends a sign-in through an external OIDC issuer: trades the callback's one-time code for a session. */
  async completeOidcSignIn(code: string): Promise<SessionUser> {
    const result = await this.options.anonymous.mutation(CompleteOidcSignInMutation, { code }).toPromise();
    const payload = unwrap(result).completeOidcSignIn;
    this.accept(payload);
    return payload.user;
  }

  /** What the login page offers besides a password (public, asked without credentials). */
  async signInOptions() {
    return unwrap(await this.options.anonymous.query(SignInOptionsQuery, {}).toPromise()).signInOptions;
  }

  /** Continues with a token pair the server handed this session (changePassword's answer). */
  adopt(payload: Tokens): void {
    this.accept(payload);
  }

  /** Uses an access token or API key pasted by the user (what it may do is what the key's scopes allow). */
  async useToken(token: string): Promise<SessionUser> {
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    const result = await this.options.anonymous
      .query(MeQuery, {}, { fetchOptions: { headers: { authorization: `Bearer ${trimmed}` } } })
      .toPromise();
    const me = unwrap(result).me;
    if (!me) throw new ApiError('That token was not accepted.', 'UNAUTHENTICATED', 401);
    this.clear();
    this.accessToken = trimmed;
    this.storage.setItem(TOKEN_KEY, trimmed);
    this.storage.setItem(USER_KEY, JSON.stringify(me));
    return me;
  }

  /**
   * The access token to send now: refreshed first when it is missing or about to expire.
   * Null when there is no session.
   */
  async token(): Promise<string | null> {
    if (this.accessToken && (!this.expiresAt || this.now() < this.expiresAt - this.margin())) return this.accessToken;
    if (!this.refreshToken) return this.accessToken;
    return this.refresh();
  }

  /** Exchanges the refresh token for a new pair (one exchange at a time). */
  refresh(): Promise<string | null> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<string | null> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return null;
    const result = await this.options.anonymous.mutation(RefreshSessionMutation, { refreshToken }).toPromise();
    if (result.error) {
      const code = result.error.graphQLErrors[0]?.extensions?.code;
      if (code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT' || code === 'FORBIDDEN') {
        this.clear();
        this.options.onExpired?.();
        return null;
      }
      throw toApiError(result.error);
    }
    this.accept(result.data!.refreshSession);
    return this.accessToken;
  }

  /** Ends the session on the server (refresh token revoked) and forgets every token. */
  async logout(): Promise<void> {
    const refreshToken = this.refreshToken;
    this.clear();
    if (refreshToken) {
      await this.options.anonymous.mutation(LogoutMutation, { refreshToken }).toPromise().catch(() => undefined);
    }
  }

  /** Forgets every token without telling the server. */
  clear(): void {
    this.accessToken = null;
    this.expiresAt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.storage.removeItem(REFRESH_KEY);
    this.storage.removeItem(TOKEN_KEY);
    this.storage.removeItem(USER_KEY);
  }

  private accept(payload: Tokens): void {
    this.accessToken = payload.accessToken;
    this.issuedAt = this.now();
    this.expiresAt = Date.parse(payload.accessTokenExpiresAt) || 0;
    this.storage.removeItem(TOKEN_KEY);
    this.storage.setItem(REFRESH_KEY, payload.refreshToken);
    this.storage.setItem(USER_KEY, JSON.stringify(payload.user));
    this.schedule();
  }

  /** Refresh this long before expiry: a fifth of the token's life, between 5 s and 60 s. */
  private margin(): number {
    const life = this.expiresAt - this.issuedAt;
    return Math.min(60_000, Math.max(5_000, life / 5));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.expiresAt || !this.refreshToken) return;
    const delay = Math.max(1_000, this.expiresAt - this.margin() - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh().catch(() => {
        // A network failure: try again before the token runs out.
        if (this.now() < this.expiresAt) this.timer = setTimeout(() => void this.refresh().catch(() => undefined), 5_000);
      });
    }, delay);
    // In Node (tests) the timer must not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }
}
