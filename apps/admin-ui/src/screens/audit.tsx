/** «Аудит»: who did what and when, from which desk; the hash chain checked on request. */
import { Alert, Badge, Button, Card, Code, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { Page } from '../components/page.tsx';
import { dateTime } from '../format.ts';

interface Entry {
  id: number;
  at: string;
  actorType: 'user' | 'desk' | 'system';
  actorName: string | null;
  action: string;
  target: string | null;
  details: unknown;
}

export function AuditScreen() {
  const [action, setAction] = useState('');
  const [debounced] = useDebouncedValue(action, 250);
  const [items, setItems] = useState<Entry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<{ ok: boolean; entries: number; brokenAt?: number; reason?: string } | null>(null);
  const load = useCallback(
    (before?: number) => {
      api<{ items: Entry[] }>(
        'GET',
        `/api/v1/audit?limit=100${debounced ? `&action=${encodeURIComponent(debounced)}` : ''}${before ? `&before=${before}` : ''}`,
      )
        .then((r) => setItems((cur) => (before ? [...cur, ...r.items] : r.items)))
        .catch((e: unknown) => setError(errorText(e)));
    },
    [debounced],
  );
  useEffect(() => load(), [load]);
  return (
    <Page
      title="Аудит"
      error={error}
      actions={
        <Button
          variant="light"
          onClick={() =>
            void api<typeof verify>('GET', '/api/v1/audit/verify')
              .then(setVerify)
              .catch((e: unknown) => setError(errorText(e)))
          }
          data-testid="audit-verify"
        >
          Проверить целостность
        </Button>
      }
    >
      {verify &&
        (verify.ok ? (
          <Alert color="green" data-testid="audit-ok">
            Цепочка журнала цела: {verify.entries} записей, ни одна не изменена и не удалена.
          </Alert>
        ) : (
          <Alert color="red" data-testid="audit-broken">
            Журнал повреждён на записи {verify.brokenAt}: {verify.reason}.
          </Alert>
        ))}
      <Card withBorder>
        <TextInput
          placeholder="Действие, например desk.create или import"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
          w={360}
          mb="sm"
        />
        <Table fz="sm" striped data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>№</Table.Th>
              <Table.Th>Когда</Table.Th>
              <Table.Th>Кто</Table.Th>
              <Table.Th>Действие</Table.Th>
              <Table.Th>Над чем</Table.Th>
              <Table.Th>Подробности</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{e.id}</Table.Td>
                <Table.Td>{dateTime(e.at)}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge size="xs" variant="light" color={e.actorType === 'desk' ? 'teal' : e.actorType === 'system' ? 'gray' : 'indigo'}>
                      {e.actorType === 'desk' ? 'касса' : e.actorType === 'system' ? 'система' : 'сотрудник'}
                    </Badge>
                    {e.actorName ?? ''}
                  </Group>
                </Table.Td>
                <Table.Td ff="monospace">{e.action}</Table.Td>
                <Table.Td ff="monospace" fz="xs">
                  {e.target ?? ''}
                </Table.Td>
                <Table.Td>
                  <Code fz="xs">{JSON.stringify(e.details)}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {items.length === 0 && <Text c="dimmed">Записей нет.</Text>}
        {items.length >= 100 && (
          <Button variant="subtle" mt="sm" onClick={() => load(items[items.length - 1]?.id)}>
            Ещё
          </Button>
        )}
      </Card>
    </Page>
  );
}
