/**
 * Bottom left, always: the connection light — green only when the server answers and nothing waits,
 * amber when online with operations still unsent, grey offline — with the unsent count, the oldest
 * one's age and the last sync time. Then the shift and the register.
 */
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { DeskStatus } from '../api/types.ts';
import { age, driverName, duration, time } from '../format.ts';

export function connectionColor(s: DeskStatus | null): 'green' | 'yellow' | 'gray' {
  if (!s || !s.online) return 'gray';
  return s.unsentCount > 0 ? 'yellow' : 'green';
}

export function StatusBar({ status, cashier }: { status: DeskStatus | null; cashier: string }) {
  const { t, i18n } = useTranslation();
  const color = connectionColor(status);
  const label = !status || !status.online ? t('status.offline') : status.unsentCount > 0 ? t('status.onlinePending') : t('status.online');
  const shiftLeft = status?.shift.expiresAt ? Math.floor((new Date(status.shift.expiresAt).getTime() - Date.now()) / 60_000) : null;
  return (
    <Group justify="space-between" px="md" h="100%" wrap="nowrap" data-testid="status-bar">
      <Group gap="md" wrap="nowrap">
        <Group gap={8} wrap="nowrap" data-testid="connection" data-state={color}>
          <div
            style={{
              width: 16,
              height: 16,
              borderRadius: 8,
              background: `var(--mantine-color-${color}-6)`,
              boxShadow: color === 'green' ? '0 0 6px var(--mantine-color-green-4)' : undefined,
            }}
          />
          <Text fw={600} size="md">
            {label}
          </Text>
        </Group>
        {status && status.unsentCount > 0 && (
          <Text size="md" c={status.online ? 'yellow.8' : 'dimmed'} data-testid="unsent">
            {t('status.unsent', { count: status.unsentCount })}
            {status.oldestUnsentAt ? `, ${t('status.oldest', { age: age(status.oldestUnsentAt, Date.now(), i18n.language) })}` : ''}
          </Text>
        )}
        <Text size="sm" c="dimmed">
          {t('status.lastSync', { time: status?.lastSyncAt ? time(status.lastSyncAt) : t('status.never') })}
        </Text>
      </Group>
      <Group gap="md" wrap="nowrap">
        <Text size="md">{cashier}</Text>
        {status?.shift.open ? (
          <Badge
            size="lg"
            variant="light"
            color={shiftLeft !== null && shiftLeft <= 0 ? 'red' : shiftLeft !== null && shiftLeft < 120 ? 'orange' : 'blue'}
          >
            {t('status.shift', { number: status.shift.number })}
            {shiftLeft !== null &&
              (shiftLeft > 0
                ? ` · ${t('status.shiftLeft', { left: duration(shiftLeft, i18n.language) })}`
                : ` · ${t('status.shiftExpired')}`)}
          </Badge>
        ) : (
          <Badge size="lg" variant="light" color="gray">
            {t('status.shiftClosed')}
          </Badge>
        )}
        <Tooltip label={status?.register.warnings.join(', ') || driverName(status?.register.driver)}>
          <Badge
            size="lg"
            variant="filled"
            color={status?.register.state === 'ready' ? 'teal' : status?.register.state === 'reconciling' ? 'orange' : 'red'}
            data-testid="register-state"
          >
            {t(`status.register.${status?.register.state ?? 'unavailable'}`)}
          </Badge>
        </Tooltip>
      </Group>
    </Group>
  );
}
