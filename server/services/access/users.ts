/** Who may see a user and their private fields (email, quota). Changing users is admin-only (schema scopes). */
import type { Viewer } from '../../context.ts';
import type { Prisma } from '../../db/db.ts';

/** Users the viewer may open by id (`node`): themself; every user for admins. */
export function visibleUserWhere(viewer: Viewer): Prisma.UserWhereInput {
  return viewer.isAdmin ? {} : { id: viewer.user.id };
}

/**
 * Email and quota of `user`: shown to the user themself and to admins. `signedInAs` is the user a
 * register, login or refreshSession answer has just signed in: that answer is theirs, though the
 * request carried no credentials.
 */
export function maySeePrivateUserFields(viewer: Viewer | null, user: { id: string }, signedInAs: string | null): boolean {
  return signedInAs === user.id || (viewer !== null && (viewer.isAdmin || viewer.user.id === user.id));
}
