/** The register or the sync needs attention: said plainly, with what to do, until it is fixed. */
import { Alert, Progress, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { DeskStatus } from '../api/types.ts';

export function Banners({ status }: { status: DeskStatus | null }) {
  const { t } = useTranslation();
  if (!status) return null;
  const items: { key: string; color: string; text: string }[] = [];
  // Offline is normal: said in a line that takes no focus, so typing goes on into the field it was in.
  if (!status.online && status.enrolled) items.push({ key: 'offline', color: 'gray', text: t('offline.text') });
  if (status.fatal) items.push({ key: 'fatal', color: 'red', text: t('banners.fatal', { message: status.fatal }) });
  if (status.register.state === 'reconciling') items.push({ key: 'reconciling', color: 'orange', text: t('banners.reconciling') });
  for (const w of status.register.warnings)
    items.push({ key: w, color: w === 'fn_expiring' ? 'yellow' : 'red', text: t(`banners.${w}`, { defaultValue: w }) });
  if (status.clock.warning) items.push({ key: 'clock', color: 'red', text: status.clock.warning });
  if (status.rejectedCount > 0)
    items.push({ key: 'rejected', color: 'orange', text: t('banners.rejected', { count: status.rejectedCount }) });
  const loading = status.reference.loading || (!status.reference.loaded && status.enrolled);
  if (items.length === 0 && !loading) return null;
  const total = status.reference.rows + (status.reference.remaining ?? 0);
  return (
    <Stack gap={6} mb="sm" data-testid="banners">
      {loading && (
        <Alert
          color="blue"
          variant="light"
          title={t('banners.reference', { rows: status.reference.rows, remaining: status.reference.remaining ?? '…' })}
        >
          <Progress value={total > 0 ? (status.reference.rows / total) * 100 : 5} animated />
        </Alert>
      )}
      {items.map((i) => (
        <Alert
          key={i.key}
          color={i.color}
          variant={i.key === 'offline' ? 'light' : 'filled'}
          data-banner={i.key}
          data-testid={i.key === 'offline' ? 'offline-banner' : undefined}
          role={i.key === 'offline' ? 'status' : 'alert'}
          py={i.key === 'offline' ? 6 : undefined}
        >
          {i.text}
        </Alert>
      ))}
    </Stack>
  );
}
