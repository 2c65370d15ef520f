/**
 * «Кассы и пункты»: points of payment acceptance and their desks — create a desk and show its
 * one-time enrollment code, rename, move to another point, revoke, issue a new code; a desk's
 * history of syncs and rejections.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Drawer,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Desk, Point } from '../api/types.ts';
import { DeskVersion, OnlineBadge, Problems } from '../components/desk-health.tsx';
import { Page } from '../components/page.tsx';
import { ago, dateTime } from '../format.ts';
import type { Me } from './login.tsx';

interface HistoryItem {
  seq: number;
  opId: string;
  type: string;
  outcome: string;
  code: string | null;
  message: string | null;
  receivedAt: string;
}

type Dialog = { kind: 'point'; point: Point | null } | { kind: 'desk'; desk: Desk | null } | null;

export function DesksScreen({ me }: { me: Me }) {
  const admin = me.role === 'admin';
  const [points, setPoints] = useState<Point[]>([]);
  const [desks, setDesks] = useState<Desk[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [code, setCode] = useState<{ desk: string; code: string; expiresAt: string } | null>(null);
  const [history, setHistory] = useState<Desk | null>(null);

  const load = useCallback(() => {
    Promise.all([api<{ items: Point[] }>('GET', '/api/v1/points?limit=500'), api<{ items: Desk[] }>('GET', '/api/v1/desks')])
      .then(([p, d]) => {
        setPoints(p.items);
        setDesks(d.items);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);

  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await fn();
      load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Page
      title="Кассы и пункты"
      error={error}
      actions={
        admin && (
          <>
            <Button variant="light" onClick={() => setDialog({ kind: 'point', point: null })} data-testid="point-new">
              Новый пункт
            </Button>
            <Button onClick={() => setDialog({ kind: 'desk', desk: null })} disabled={points.length === 0} data-testid="desk-new">
              Новая касса
            </Button>
          </>
        )
      }
    >
      {points.map((p) => (
        <Card withBorder key={p.id} data-testid={`point-${p.code}`}>
          <Group justify="space-between" mb="xs">
            <div>
              <Title order={4}>
                {p.name}{' '}
                <Text span c="dimmed" size="sm">
                  ({p.code})
                </Text>{' '}
                {!p.active && <Badge color="gray">закрыт</Badge>}
              </Title>
              <Text c="dimmed" size="sm">
                {p.address || 'адрес не указан'}
              </Text>
            </div>
            {admin && (
              <Button variant="subtle" size="xs" onClick={() => setDialog({ kind: 'point', point: p })}>
                Изменить пункт
              </Button>
            )}
          </Group>
          <Table verticalSpacing={6}>
            <Table.Tbody>
              {desks
                .filter((d) => d.pointId === p.id)
                .map((d) => (
                  <Table.Tr key={d.id} data-testid={`desk-row-${d.name}`}>
                    <Table.Td fw={600} w={200}>
                      {d.name}
                    </Table.Td>
                    <Table.Td w={170}>
                      <OnlineBadge desk={d} />
                    </Table.Td>
                    <Table.Td w={170}>{d.enrolled ? ago(d.lastSeenAt) : ''}</Table.Td>
                    <Table.Td w={90}>
                      <DeskVersion desk={d} />
                    </Table.Td>
                    <Table.Td>
                      <Problems desk={d} />
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end">
                        <Button size="xs" variant="default" onClick={() => setHistory(d)}>
                          История
                        </Button>
                        {admin && (
                          <Button size="xs" variant="default" onClick={() => setDialog({ kind: 'desk', desk: d })}>
                            Изменить
                          </Button>
                        )}
                        {admin && (
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() =>
                              void act(async () => {
                                const r = await api<{ enrollmentCode: string; expiresAt: string }>(
                                  'POST',
                                  `/api/v1/desks/${d.id}/enrollment`,
                                );
                                setCode({ desk: d.name, code: r.enrollmentCode, expiresAt: r.expiresAt });
                              })
                            }
                          >
                            Новый код
                          </Button>
                        )}
                        {admin && !d.revoked && d.enrolled && (
                          <Button
                            size="xs"
                            color="red"
                            variant="light"
                            onClick={() => {
                              if (
                                window.confirm(
                                  `Отозвать ключ кассы «${d.name}»? Касса перестанет отправлять операции до новой регистрации.`,
                                )
                              )
                                void act(() => api('POST', `/api/v1/desks/${d.id}/revoke`));
                            }}
                            data-testid={`revoke-${d.name}`}
                          >
                            Отозвать
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
          {desks.every((d) => d.pointId !== p.id) && <Text c="dimmed">В пункте нет касс.</Text>}
        </Card>
      ))}
      {points.length === 0 && <Alert color="blue">Пунктов ещё нет. Создайте пункт приёма, затем кассы в нём.</Alert>}

      <PointDialog
        dialog={dialog}
        onClose={() => setDialog(null)}
        onSaved={() => {
          setDialog(null);
          load();
        }}
      />
      <DeskDialog
        dialog={dialog}
        points={points}
        onClose={() => setDialog(null)}
        onCreated={(c) => setCode(c)}
        onSaved={() => {
          setDialog(null);
          load();
        }}
      />
      <Modal opened={code !== null} onClose={() => setCode(null)} title={<Title order={3}>Код регистрации кассы</Title>} size="lg">
        {code && (
          <Stack data-testid="enrollment-code-dialog">
            <Text>
              Введите этот код на кассе «{code.desk}» (Настройки → Регистрация) вместе с адресом сервера. Код одноразовый и действует до{' '}
              {dateTime(code.expiresAt)}.
            </Text>
            <Code block fz={28} ta="center" data-testid="enrollment-code">
              {code.code}
            </Code>
            <Text c="dimmed" size="sm">
              Адрес сервера: <Code>{window.location.origin}</Code>
            </Text>
            <Button data-autofocus onClick={() => setCode(null)}>
              Готово
            </Button>
          </Stack>
        )}
      </Modal>
      <HistoryDrawer desk={history} onClose={() => setHistory(null)} />
    </Page>
  );
}

function PointDialog({ dialog, onClose, onSaved }: { dialog: Dialog; onClose: () => void; onSaved: () => void }) {
  const point = dialog?.kind === 'point' ? dialog.point : null;
  const [form, setForm] = useState({ code: '', name: '', address: '' });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setForm({ code: point?.code ?? '', name: point?.name ?? '', address: point?.address ?? '' });
    setError(null);
  }, [dialog, point]);
  const save = async (): Promise<void> => {
    try {
      if (point) await api('PATCH', `/api/v1/points/${point.id}`, { name: form.name, address: form.address });
      else await api('POST', '/api/v1/points', form);
      onSaved();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal
      opened={dialog?.kind === 'point'}
      onClose={onClose}
      title={<Title order={3}>{point ? 'Пункт приёма' : 'Новый пункт приёма'}</Title>}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <TextInput
            label="Код"
            description="Латиница и цифры, например P2"
            value={form.code}
            disabled={point !== null}
            onChange={(e) => setForm({ ...form, code: e.currentTarget.value })}
            data-autofocus
            data-testid="point-code"
          />
          <TextInput
            label="Название"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            data-testid="point-name"
          />
          <TextInput
            label="Адрес"
            value={form.address}
            onChange={(e) => setForm({ ...form, address: e.currentTarget.value })}
            data-testid="point-address"
          />
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Отмена
            </Button>
            <Button type="submit" data-testid="point-save">
              Сохранить
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeskDialog({
  dialog,
  points,
  onClose,
  onSaved,
  onCreated,
}: {
  dialog: Dialog;
  points: Point[];
  onClose: () => void;
  onSaved: () => void;
  onCreated: (c: { desk: string; code: string; expiresAt: string }) => void;
}) {
  const desk = dialog?.kind === 'desk' ? dialog.desk : null;
  const [name, setName] = useState('');
  const [pointId, setPointId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setName(desk?.name ?? '');
    setPointId(desk?.pointId ?? points[0]?.id ?? null);
    setError(null);
  }, [dialog, desk, points]);
  const save = async (): Promise<void> => {
    try {
      if (desk) await api('PATCH', `/api/v1/desks/${desk.id}`, { name, ...(pointId && pointId !== desk.pointId ? { pointId } : {}) });
      else {
        const r = await api<{ enrollmentCode: string; expiresAt: string }>('POST', '/api/v1/desks', {
          name,
          ...(pointId ? { pointId } : {}),
        });
        onCreated({ desk: name, code: r.enrollmentCode, expiresAt: r.expiresAt });
      }
      onSaved();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal opened={dialog?.kind === 'desk'} onClose={onClose} title={<Title order={3}>{desk ? 'Касса' : 'Новая касса'}</Title>}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <TextInput
            label="Название"
            placeholder="Касса 2"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
            data-testid="desk-name"
          />
          <Select
            label="Пункт"
            data={points.map((p) => ({ value: p.id, label: `${p.name} (${p.code})` }))}
            value={pointId}
            onChange={setPointId}
            allowDeselect={false}
            data-testid="desk-point"
          />
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Отмена
            </Button>
            <Button type="submit" data-testid="desk-save">
              {desk ? 'Сохранить' : 'Создать и получить код'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function HistoryDrawer({ desk, onClose }: { desk: Desk | null; onClose: () => void }) {
  const [items, setItems] = useState<HistoryItem[]>([]);
  const [outcome, setOutcome] = useState('all');
  useEffect(() => {
    if (!desk) return;
    void api<{ items: HistoryItem[] }>('GET', `/api/v1/desks/${desk.id}/history?limit=200${outcome === 'all' ? '' : `&outcome=${outcome}`}`)
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
  }, [desk, outcome]);
  return (
    <Drawer
      opened={desk !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Title order={3}>История кассы «{desk?.name}»</Title>}
    >
      <SegmentedControl
        mb="sm"
        value={outcome}
        onChange={setOutcome}
        data={[
          { value: 'all', label: 'Все' },
          { value: 'rejected', label: 'Отклонённые' },
          { value: 'applied_with_review', label: 'На разборе' },
        ]}
      />
      <Table fz="sm" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>№</Table.Th>
            <Table.Th>Получено</Table.Th>
            <Table.Th>Операция</Table.Th>
            <Table.Th>Итог</Table.Th>
            <Table.Th>Причина</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((i) => (
            <Table.Tr key={`${i.seq}-${i.opId}`}>
              <Table.Td>{i.seq}</Table.Td>
              <Table.Td>{dateTime(i.receivedAt)}</Table.Td>
              <Table.Td>{i.type}</Table.Td>
              <Table.Td>
                <Badge color={i.outcome === 'rejected' ? 'red' : i.outcome === 'applied' ? 'green' : 'orange'} variant="light">
                  {i.outcome === 'rejected' ? 'отклонена' : i.outcome === 'applied' ? 'принята' : 'на разборе'}
                </Badge>
              </Table.Td>
              <Table.Td>{i.message ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {items.length === 0 && <Text c="dimmed">Операций нет.</Text>}
    </Drawer>
  );
}
