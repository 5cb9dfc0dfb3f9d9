// The console's singletons: one session, one API client, one data provider per page load.
// The console is served by the API server itself: same origin for /graphql, /jobs and /sessions.
import { createAuthProvider } from './api/authProvider.ts';
import { createApiClient } from './api/client.ts';
import { createDataProvider } from './api/dataProvider.ts';
import { Session } from './api/session.ts';

const apiUrl = new URL('/graphql', window.location.origin).toString();
const anonymous = createApiClient({ url: apiUrl });

export const session = new Session({
  anonymous: anonymous.client,
  storage: window.sessionStorage,
  onExpired: () => window.location.assign(`${import.meta.env.BASE_URL}login`),
});
export const api = createApiClient({ url: apiUrl, getToken: () => session.token() });
export const dataProvider = createDataProvider(api.client);
export const authProvider = createAuthProvider(session, api);

/** Fetches a file of the API (a transcript, a recording) with the operator's token. */
export async function authorizedFetch(path: string): Promise<Response> {
  const token = await session.token();
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: string; errors?: { message: string }[] };
      message = body.errors?.[0]?.message ?? body.error ?? message;
    } catch {
      // not JSON
    }
    throw new Error(`Download failed: ${message}`);
  }
  return response;
}

/** Downloads a file of the API and hands it to the browser as `filename`. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const blob = await (await authorizedFetch(path)).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
