import { Chip, type ChipProps } from '@mui/material';
import { useRecordContext } from 'react-admin';

const COLORS: Record<string, ChipProps['color']> = {
  QUEUED: 'default',
  PROCESSING: 'info',
  COMPLETED: 'success',
  FAILED: 'error',
  CANCELLED: 'warning',
  PENDING: 'default',
  APPROVED: 'success',
  REJECTED: 'error',
};

export function StatusChip({ status }: { status: string }) {
  return <Chip size="small" label={status} color={COLORS[status] ?? 'default'} data-testid="status-chip" />;
}

/** The record's `status` as a coloured chip, for lists. */
export function StatusField(_props: { label?: string; source?: string; sortable?: boolean }) {
  const record = useRecordContext();
  return record ? <StatusChip status={String(record.status)} /> : null;
}
