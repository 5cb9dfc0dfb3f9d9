import { useGetIdentity } from 'react-admin';

/**
 * Whether the record is the signed-in admin: nobody is offered to deactivate, demote or delete themselves here
 * (their own account is deleted from the account page, with their password).
 */
export function useIsSelf(record: { id?: unknown } | undefined): boolean {
  const { identity } = useGetIdentity();
  return Boolean(record && identity && String(identity.id) === String(record.id));
}
