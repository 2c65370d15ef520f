/** A screen's frame: its title, its actions on the right, and the last error in red. */
import { Alert, Group, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function Page({
  title,
  actions,
  error,
  children,
}: {
  title: string;
  actions?: ReactNode;
  error?: string | null;
  children: ReactNode;
}) {
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{title}</Title>
        {actions && <Group>{actions}</Group>}
      </Group>
      {error && (
        <Alert color="red" data-testid="page-error">
          {error}
        </Alert>
      )}
      {children}
    </Stack>
  );
}
