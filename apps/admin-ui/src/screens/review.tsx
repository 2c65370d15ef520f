/** «Разбор»: anomalies from sync and forwarding with their context, and the decision that closes each. */
import { Alert, Badge, Button, Card, Code, Group, Modal, SegmentedControl, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { Page } from '../components/page.tsx';
import { dateTime } from '../format.ts';

interface Item {
  id: string;
  createdAt: string;
  kind: string;
  code: string;
  /** The code's Russian title (packages/protocol/src/review-codes.ts). */
  title: string;
  message: string;
  opId: string | null;
  /** The receipt number and account of the payment the item is about, when it is one. */
  paymentNumber: string | null;
  paymentAccount: string | null;
  deskName: string | null;
  context: unknown;
  status: 'open' | 'resolved';
  resolution: string | null;
  note: string | null;
  resolvedAt: string | null;
}

const RESOLUTIONS = [
  { value: 'accepted', label: 'Принято как есть' },
  { value: 'corrected_in_billing', label: 'Исправлено в биллинге' },
  { value: 'refunded', label: 'Деньги возвращены' },
  { value: 'dismissed', label: 'Не требует действий' },
];

export function ReviewScreen() {
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [items, setItems] = useState<Item[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [resolving, setResolving] = useState<Item | null>(null);
  const load = useCallback(() => {
    api<{ items: Item[]; total: number }>('GET', `/api/v1/review?status=${status}&limit=200`)
      .then((r) => {
        setItems(r.items);
        setTotal(r.total);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [status]);
  useEffect(load, [load]);
  return (
    <Page
      title="Разбор"
      error={error}
      actions={
        <SegmentedControl
          value={status}
          onChange={(v) => setStatus(v)}
          data={[
            { value: 'open', label: `Открытые${status === 'open' ? ` (${total})` : ''}` },
            { value: 'resolved', label: 'Закрытые' },
          ]}
        />
      }
    >
      {items.length === 0 && <Alert color="green">{status === 'open' ? 'Разбирать нечего.' : 'Закрытых пунктов нет.'}</Alert>}
      <Stack>
        {items.map((i) => (
          <Card withBorder key={i.id} data-testid={`review-${i.code}`}>
            <Group justify="space-between" align="flex-start">
              <Stack gap={2} style={{ flex: 1 }}>
                <Group gap="xs">
                  <Badge color={i.kind === 'forwarding' ? 'grape' : 'orange'} variant="light" tt="none" title={i.code}>
                    {i.title}
                  </Badge>
                  <Text c="dimmed" size="sm">
                    {dateTime(i.createdAt)}
                    {i.deskName ? ` · ${i.deskName}` : ''}
                  </Text>
                </Group>
                <Text fw={600}>{i.message}</Text>
                {i.paymentNumber && (
                  <Text size="sm" c="dimmed" data-testid={`review-payment-${i.paymentNumber}`}>
                    Платёж {i.paymentNumber}
                    {i.paymentAccount ? `, счёт ${i.paymentAccount}` : ''}
                  </Text>
                )}
                <details>
                  <summary style={{ cursor: 'pointer', color: 'var(--mantine-color-dimmed)' }}>Подробности</summary>
                  {i.opId && (
                    <Text size="sm" c="dimmed" mt={4}>
                      Операция{' '}
                      <Text span ff="monospace">
                        {i.opId}
                      </Text>
                    </Text>
                  )}
                  <Code block mt={4}>
                    {JSON.stringify(i.context, null, 2)}
                  </Code>
                </details>
                {i.status === 'resolved' && (
                  <Text size="sm" c="green">
                    Закрыт {dateTime(i.resolvedAt)}: {RESOLUTIONS.find((r) => r.value === i.resolution)?.label} — {i.note}
                  </Text>
                )}
              </Stack>
              {i.status === 'open' && (
                <Button onClick={() => setResolving(i)} data-testid={`resolve-${i.code}`}>
                  Решить
                </Button>
              )}
            </Group>
          </Card>
        ))}
      </Stack>
      <ResolveDialog
        item={resolving}
        onClose={() => setResolving(null)}
        onDone={() => {
          setResolving(null);
          load();
        }}
      />
    </Page>
  );
}

function ResolveDialog({ item, onClose, onDone }: { item: Item | null; onClose: () => void; onDone: () => void }) {
  const [resolution, setResolution] = useState<string | null>('accepted');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setResolution('accepted');
    setNote('');
    setError(null);
  }, [item]);
  const save = async (): Promise<void> => {
    if (!item) return;
    try {
      await api('POST', `/api/v1/review/${item.id}/resolve`, { resolution, note });
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal opened={item !== null} onClose={onClose} title={<Title order={3}>Решение по пункту разбора</Title>} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <Text>{item?.message}</Text>
          <Select
            label="Решение"
            data={RESOLUTIONS}
            value={resolution}
            onChange={setResolution}
            allowDeselect={false}
            data-testid="resolution"
          />
          <Textarea
            label="Что сделано"
            description="Остаётся в журнале аудита"
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            minRows={3}
            data-autofocus
            data-testid="resolution-note"
          />
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Отмена
            </Button>
            <Button type="submit" disabled={!note.trim()} data-testid="resolution-save">
              Закрыть пункт
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
