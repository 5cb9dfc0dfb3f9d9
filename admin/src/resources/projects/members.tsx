// A project's members: everyone sees who is in it; OWNERs and ADMINs invite by email, change roles
// and remove members (only an OWNER touches OWNERs); any member may leave.
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import PersonRemoveIcon from '@mui/icons-material/PersonRemove';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useGetIdentity, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { InviteMemberMutation, RemoveMemberMutation, SetMemberRoleMutation } from '../../api/operations.ts';
import { formatDateTime } from '../../components/format.ts';
import { grantableRoles, mayTouchMember, roleMay, type ProjectRole } from './roles.ts';
import { useMutate } from '../../api/hooks.ts';

interface MemberRow {
  role: ProjectRole;
  joinedAt: string;
  user: { id: string; username: string; email?: string | null };
}

function InviteForm({ projectId, viewerRole }: { projectId: string; viewerRole: string }) {
  const mutate = useMutate();
  const notify = useNotify();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('CONTRIBUTOR');
  const [busy, setBusy] = useState(false);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await mutate(InviteMemberMutation, { projectId, email: email.trim(), role });
      notify(`Invitation sent to ${email.trim()} as ${role}`, { type: 'success' });
      setEmail('');
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card variant="outlined" component="form" onSubmit={invite} aria-label="Invite a member">
      <CardContent sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <Typography variant="subtitle1" component="h3" sx={{ width: '100%' }}>
          Invite someone
        </Typography>
        <TextField
          size="small"
          type="email"
          label="Email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          sx={{ flex: '1 1 240px', maxWidth: { sm: 420 } }}
          slotProps={{ htmlInput: { 'data-testid': 'invite-email' } }}
        />
        <FormControl size="small" sx={{ width: 180, flex: '0 0 180px' }}>
          <InputLabel id="invite-role-label">Role</InputLabel>
          <Select labelId="invite-role-label" label="Role" value={role} onChange={(event) => setRole(event.target.value as ProjectRole)} data-testid="invite-role">
            {grantableRoles(viewerRole).map((option) => (
              <MenuItem key={option} value={option}>
                {option}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Button type="submit" variant="contained" startIcon={<PersonAddIcon />} disabled={busy || !email.trim()} sx={{ mt: 0.5 }}>
          Invite
        </Button>
        <Typography variant="body2" color="text.secondary" sx={{ width: '100%' }}>
          They get an email with a link; they join once they accept it signed in with that address.
        </Typography>
      </CardContent>
    </Card>
  );
}

function MemberRoleCell({ projectId, member, viewerRole }: { projectId: string; member: MemberRow; viewerRole: string | null }) {
  const mutate = useMutate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  if (!mayTouchMember(viewerRole, member.role)) return <Chip size="small" label={member.role} data-testid="member-role" />;

  const change = async (role: ProjectRole) => {
    setBusy(true);
    try {
      await mutate(SetMemberRoleMutation, { projectId, userId: member.user.id, role });
      notify(`${member.user.username} is now ${role}`, { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Select
      size="small"
      value={member.role}
      disabled={busy}
      onChange={(event) => void change(event.target.value as ProjectRole)}
      inputProps={{ 'aria-label': `Role of ${member.user.username}` }}
      data-testid="member-role-select"
      sx={{ minWidth: 150 }}
    >
      {grantableRoles(viewerRole).map((option) => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </Select>
  );
}

function RemoveMemberButton({ projectId, member, self }: { projectId: string; member: MemberRow; self: boolean }) {
  const mutate = useMutate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const remove = async () => {
    setBusy(true);
    try {
      await mutate(RemoveMemberMutation, { projectId, userId: member.user.id });
      notify(self ? 'You left the project' : `${member.user.username} was removed`, { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  if (!confirming) {
    return (
      <Button size="small" color="error" startIcon={<PersonRemoveIcon />} onClick={() => setConfirming(true)} aria-label={self ? 'Leave the project' : `Remove ${member.user.username}`}>
        {self ? 'Leave' : 'Remove'}
      </Button>
    );
  }
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
      <Button size="small" variant="contained" color="error" disabled={busy} onClick={() => void remove()} autoFocus>
        {self ? 'Yes, leave' : `Yes, remove ${member.user.username}`}
      </Button>
      <Button size="small" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
    </Box>
  );
}

/** Project show tab: the members, and for OWNERs and ADMINs the controls to manage them. */
export function MembersPanel(_props: { label?: false }) {
  const project = useRecordContext();
  const { identity } = useGetIdentity();
  if (!project) return null;
  const projectId = String(project.id);
  const viewerRole = (project.viewerRole as string | null) ?? null;
  const canManage = roleMay(viewerRole, 'manageMembers');
  const members = (project.members ?? []) as MemberRow[];

  return (
    <Box sx={{ width: '100%', minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
      {canManage ? (
        <InviteForm projectId={projectId} viewerRole={viewerRole!} />
      ) : (
        <Alert severity="info" data-testid="members-read-only">
          Members are managed by the project's OWNERs and ADMINs{viewerRole ? `; you are ${viewerRole}` : ''}.
        </Alert>
      )}
      <Box sx={{ overflowX: 'auto', maxWidth: '100%' }}>
        <Table size="small" aria-label="Members" sx={{ '& td, & th': { px: { xs: 1, sm: 2 } } }}>
          <TableHead>
            <TableRow>
              <TableCell>User</TableCell>
              <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Email</TableCell>
              <TableCell>Role</TableCell>
              <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Joined</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {members.map((member) => {
              const self = identity?.id !== undefined && String(identity.id) === member.user.id;
              const removable = self || mayTouchMember(viewerRole, member.role);
              return (
                <TableRow key={member.user.id} data-testid="member" data-username={member.user.username}>
                  <TableCell>
                    {member.user.username}
                    {self && ' (you)'}
                  </TableCell>
                  <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>{member.user.email ?? '—'}</TableCell>
                  <TableCell>
                    <MemberRoleCell projectId={projectId} member={member} viewerRole={self ? null : viewerRole} />
                  </TableCell>
                  <TableCell sx={{ display: { xs: 'none', md: 'table-cell' }, whiteSpace: 'nowrap' }}>{formatDateTime(member.joinedAt)}</TableCell>
                  <TableCell align="right">{removable && <RemoveMemberButton projectId={projectId} member={member} self={self} />}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Box>
    </Box>
  );
}
