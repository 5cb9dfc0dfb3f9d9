/**
 * Rows only their user sees and changes, admins included: API keys and provider keys. (Admins see
 * a user's API key names through User.apiKeys, an admin-scoped field.)
 */
import type { Viewer } from '../../context.ts';

export function ownRowsWhere(viewer: Viewer): { userId: string } {
  return { userId: viewer.user.id };
}
