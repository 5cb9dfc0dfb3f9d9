import BlockIcon from '@mui/icons-material/Block';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { Alert, Box, Card, CardContent, LinearProgress, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import {
  ArrayField,
  BooleanField,
  BooleanInput,
  Button,
  ChipField,
  Confirm,
  Datagrid,
  DateField,
  Edit,
  EditButton,
  FunctionField,
  List,
  NumberField,
  NumberInput,
  Pagination,
  SaveButton,
  ReferenceManyField,
  SearchInput,
  SelectInput,
  Show,
  SimpleForm,
  Tab,
  TabbedShowLayout,
  TextField,
  Toolbar,
  TopToolbar,
  useDataProvider,
  useNotify,
  useRecordContext,
  useUpdate,
} from 'react-admin';
import type { ParlanceDataProvider, UsageRow } from '../../api/dataProvider.ts';
import { formatMinutes, formatUsd } from '../../components/format.ts';
import { StatusField } from '../../components/StatusChip.tsx';
import { DeleteUserButton } from './DeleteUserButton.tsx';
import { useIsSelf } from './useIsSelf.ts';

const ROLE_CHOICES = [
  { id: 'USER', name: 'User' },
  { id: 'ADMIN', name: 'Admin' },
];
const ACTIVE_CHOICES = [
  { id: 'true', name: 'Active' },
  { id: 'false', name: 'Deactivated' },
];

const userFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Username or email" />,
  <SelectInput key="role" source="role" choices={ROLE_CHOICES} alwaysOn emptyText="Any role" />,
  <SelectInput key="isActive" source="isActive" label="Status" choices={ACTIVE_CHOICES} alwaysOn emptyText="Any status" />,
];

function QuotaText() {
  const record = useRecordContext();
  if (!record) return null;
  const minutes = record.quota?.monthlyAudioMinutes;
  return <span>{minutes === null || minutes === undefined ? 'none' : `${minutes} min / month`}</span>;
}

export function UserList() {
  return (
    <List filters={userFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="username" />
        <TextField source="email" />
        <ChipField source="role" sortable={false} size="small" />
        <BooleanField source="isActive" label="Active" sortable={false} />
        <BooleanField source="emailVerified" label="Email verified" sortable={false} />
        <FunctionField label="Quota" sortable={false} render={() => <QuotaText />} />
        <FunctionField
          label="Used this month"
          sortable={false}
          render={(record) => formatMinutes(record.quota?.usedAudioSecondsThisMonth ?? null)}
        />
        <DateField source="createdAt" label="Joined" showTime />
      </Datagrid>
    </List>
  );
}

/** Activates or deactivates the user shown, after a confirmation; not offered for the signed-in admin. */
function ActiveToggle() {
  const record = useRecordContext();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [update, { isPending }] = useUpdate();
  const self = useIsSelf(record);
  if (!record || self) return null;
  const active = Boolean(record.isActive);
  const confirm = () =>
    update(
      'users',
      { id: record.id, data: { isActive: !active }, previousData: record },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          notify(active ? `${record.username} is deactivated` : `${record.username} is active again`, { type: 'success' });
          setOpen(false);
        },
        onError: (error) => {
          notify((error as Error).message, { type: 'error' });
          setOpen(false);
        },
      },
    );
  return (
    <>
      <Button
        label={active ? 'Deactivate' : 'Activate'}
        onClick={() => setOpen(true)}
        color={active ? 'error' : 'primary'}
        disabled={isPending}
      >
        {active ? <BlockIcon /> : <CheckCircleIcon />}
      </Button>
      <Confirm
        isOpen={open}
        loading={isPending}
        title={active ? `Deactivate ${record.username}?` : `Activate ${record.username}?`}
        content={
          active
            ? 'Their tokens and API keys stop working at once, and they cannot sign in until activated again.'
            : 'They can sign in and use their API keys again.'
        }
        confirm={active ? 'Deactivate' : 'Activate'}
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

function UserShowActions() {
  return (
    <TopToolbar>
      <ActiveToggle />
      <EditButton />
      <DeleteUserButton />
    </TopToolbar>
  );
}

/** The quota and this month's usage of the user shown. */
function QuotaAndUsage() {
  const record = useRecordContext();
  const dataProvider = useDataProvider<ParlanceDataProvider>();
  const notify = useNotify();
  const [usage, setUsage] = useState<UsageRow | null | undefined>(undefined);
  useEffect(() => {
    if (!record) return;
    let live = true;
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    dataProvider.usage({ from, to: null, groupBy: 'USER' }).then(
      (rows) => live && setUsage(rows.find((row) => row.key === record.id) ?? null),
      (error: Error) => {
        if (live) setUsage(null);
        notify(error.message, { type: 'error' });
      },
    );
    return () => {
      live = false;
    };
  }, [record, dataProvider, notify]);
  if (!record) return null;
  const quota = record.quota;
  const limitSeconds = quota?.monthlyAudioMinutes != null ? quota.monthlyAudioMinutes * 60 : null;
  const used = (quota?.usedAudioSecondsThisMonth ?? 0) + (quota?.reservedAudioSeconds ?? 0);
  return (
    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
      <Card variant="outlined" sx={{ minWidth: 280 }}>
        <CardContent>
          <Typography variant="subtitle2" color="text.secondary">
            Monthly quota (UTC month)
          </Typography>
          <Typography variant="h6">{limitSeconds === null ? 'No quota' : `${quota.monthlyAudioMinutes} minutes`}</Typography>
          {limitSeconds !== null && limitSeconds > 0 && (
            <LinearProgress
              variant="determinate"
              value={Math.min(100, (used / limitSeconds) * 100)}
              sx={{ my: 1 }}
              color={used >= limitSeconds ? 'error' : 'primary'}
            />
          )}
          <Typography variant="body2">Used: {formatMinutes(quota?.usedAudioSecondsThisMonth ?? 0)}</Typography>
          <Typography variant="body2">Reserved by work in progress: {formatMinutes(quota?.reservedAudioSeconds ?? 0)}</Typography>
          {quota?.remainingAudioSeconds != null && (
            <Typography variant="body2">Remaining: {formatMinutes(quota.remainingAudioSeconds)}</Typography>
          )}
          {quota?.resetsAt && (
            <Typography variant="body2" color="text.secondary">
              Resets {new Date(quota.resetsAt).toLocaleDateString()}
            </Typography>
          )}
        </CardContent>
      </Card>
      <Card variant="outlined" sx={{ minWidth: 280 }}>
        <CardContent>
          <Typography variant="subtitle2" color="text.secondary">
            Usage this month
          </Typography>
          {usage === undefined ? (
            <LinearProgress sx={{ my: 2 }} />
          ) : usage === null ? (
            <Typography variant="body2">No usage recorded this month.</Typography>
          ) : (
            <>
              <Typography variant="h6">{formatMinutes(usage.audioSeconds)}</Typography>
              <Typography variant="body2">
                {usage.jobs} records ({usage.liveSessions} live sessions)
              </Typography>
              <Typography variant="body2">Estimated cost: {formatUsd(usage.costUsd)}</Typography>
            </>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}

export function UserShow() {
  return (
    <Show actions={<UserShowActions />}>
      <TabbedShowLayout>
        <Tab label="Summary">
          <TextField source="id" />
          <TextField source="username" />
          <TextField source="email" emptyText="—" />
          <ChipField source="role" size="small" />
          <BooleanField source="isActive" label="Active" />
          <BooleanField source="emailVerified" label="Email verified" />
          <DateField source="createdAt" label="Joined" showTime />
        </Tab>
        <Tab label="Jobs" path="jobs">
          <ReferenceManyField reference="jobs" target="userId" perPage={10} pagination={<Pagination />} label={false}>
            <Datagrid rowClick="show" bulkActionButtons={false} empty={<Typography sx={{ p: 2 }}>No jobs.</Typography>}>
              <TextField source="filename" emptyText="(no name)" sortable={false} />
              <StatusField label="Status" />
              <NumberField source="progress" options={{ style: 'percent' }} sortable={false} />
              <TextField source="provider" sortable={false} />
              <DateField source="createdAt" showTime sortable={false} />
            </Datagrid>
          </ReferenceManyField>
        </Tab>
        <Tab label="API keys" path="keys">
          <Alert severity="info" sx={{ mb: 1 }}>
            Names and prefixes only: secrets are shown once, to their owner, when a key is created.
          </Alert>
          <ArrayField source="apiKeys" label={false}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography sx={{ p: 2 }}>No API keys.</Typography>}>
              <TextField source="name" />
              <TextField source="prefix" />
              <FunctionField label="Scopes" render={(key) => (key.scopes ?? []).join(', ')} />
              <DateField source="createdAt" showTime />
              <DateField source="lastUsedAt" label="Last used" showTime emptyText="never" />
              <DateField source="expiresAt" emptyText="never" />
              <DateField source="revokedAt" emptyText="—" />
            </Datagrid>
          </ArrayField>
        </Tab>
        <Tab label="Quota & usage" path="quota">
          <QuotaAndUsage />
        </Tab>
      </TabbedShowLayout>
    </Show>
  );
}

/** Save only: users are never deleted (the API has no such mutation); deactivate them instead. */
function UserEditToolbar() {
  return (
    <Toolbar>
      <SaveButton />
    </Toolbar>
  );
}

/** Role and active state, except for the signed-in admin's own record (the API refuses both). */
function RoleAndActiveInputs() {
  const record = useRecordContext();
  const self = useIsSelf(record);
  if (self) {
    return (
      <Alert severity="info" sx={{ my: 1 }}>
        This is you: another admin can change your role or deactivate you.
      </Alert>
    );
  }
  return (
    <>
      <SelectInput source="role" choices={ROLE_CHOICES} validate={(value) => (value ? undefined : 'Required')} />
      <BooleanInput source="isActive" label="Active (deactivated users cannot sign in; their keys stop working)" />
    </>
  );
}

export function UserEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="show">
      <SimpleForm toolbar={<UserEditToolbar />}>
        <TextField source="username" />
        <RoleAndActiveInputs />
        <NumberInput
          source="monthlyAudioMinutes"
          label="Monthly quota (minutes)"
          min={0}
          step={1}
          helperText="Empty: no quota"
          parse={(value: string) => (value === '' || value === null ? null : Number(value))}
        />
      </SimpleForm>
    </Edit>
  );
}
