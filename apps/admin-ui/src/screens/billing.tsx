/** «Лицевые счета»: find an account by number, address, owner or ЕЛС, and its card: debts, meters, readings, payments. */
import { Badge, Button, Card, Grid, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { Page } from '../components/page.tsx';
import { date, dateTime, meterValue, money } from '../format.ts';

interface AccountRow {
  number: string;
  els: string | null;
  city: string | null;
  street: string | null;
  house: string | null;
  flat: string | null;
  ownerName: string | null;
  status: string;
}

interface AccountCard {
  account: { number: string; els: string | null; address: string; ownerName: string | null; status: string };
  debts: {
    serviceCode: string;
    service: string;
    supplier: string | null;
    period: string;
    dueKop: number;
    penaltyKop: number;
    paidKop: number;
    debtKop: number;
  }[];
  totalDebtKop: number;
  meters: {
    id: string;
    serial: string;
    service: string;
    lastValue: string | null;
    lastDate: string | null;
    verificationDue: string | null;
    active: boolean;
  }[];
  readings: { opId: string; meterSerial: string; value: string; readAt: string; period: string; submittedAt: string; review: boolean }[];
  payments: {
    opId: string;
    number: string;
    acceptedAt: string;
    totalKop: number;
    commissionKop: number;
    method: string;
    state: string;
    desk: string;
  }[];
}

const period = (p: string): string => p.split('-').reverse().join('.');

export function BillingScreen({ account, onOpen }: { account: string | undefined; onOpen: (n: string) => void }) {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 250);
  const [rows, setRows] = useState<AccountRow[]>([]);
  const [total, setTotal] = useState(0);
  const [card, setCard] = useState<AccountCard | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!debounced.trim()) {
      setRows([]);
      return;
    }
    api<{ items: AccountRow[]; total: number }>('GET', `/api/v1/accounts?limit=50&q=${encodeURIComponent(debounced.trim())}`)
      .then((r) => {
        setRows(r.items);
        setTotal(r.total);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [debounced]);
  useEffect(() => {
    setCard(null);
    if (!account) return;
    api<AccountCard>('GET', `/api/v1/accounts/${encodeURIComponent(account)}/card`)
      .then(setCard)
      .catch((e: unknown) => setError(errorText(e)));
  }, [account]);

  return (
    <Page title="Лицевые счета" error={error}>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Card withBorder>
            <TextInput
              placeholder="Номер, улица, фамилия или ЕЛС"
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
              autoFocus
              data-testid="account-search"
            />
            {debounced && (
              <Text c="dimmed" size="sm" mt={4}>
                Найдено: {total}
              </Text>
            )}
            <Stack gap={4} mt="sm">
              {rows.map((r) => (
                <Button
                  key={r.number}
                  variant={account === r.number ? 'light' : 'subtle'}
                  justify="flex-start"
                  h="auto"
                  py={6}
                  onClick={() => onOpen(r.number)}
                  data-testid={`account-${r.number}`}
                >
                  <Stack gap={0} align="flex-start">
                    <Text fw={700}>
                      {r.number}{' '}
                      {r.status === 'closed' && (
                        <Badge color="gray" size="xs">
                          закрыт
                        </Badge>
                      )}
                    </Text>
                    <Text size="sm" c="dimmed">
                      {[r.street, r.house && `д. ${r.house}`, r.flat && `кв. ${r.flat}`].filter(Boolean).join(', ')} · {r.ownerName ?? ''}
                    </Text>
                  </Stack>
                </Button>
              ))}
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          {!card && <Text c="dimmed">Найдите счёт слева, чтобы открыть его карточку.</Text>}
          {card && (
            <Stack data-testid="account-card">
              <Card withBorder>
                <Group justify="space-between">
                  <div>
                    <Title order={3}>
                      Лицевой счёт {card.account.number} {card.account.status === 'closed' && <Badge color="gray">закрыт</Badge>}
                    </Title>
                    <Text>{card.account.address}</Text>
                    <Text c="dimmed">
                      {card.account.ownerName ?? '—'}
                      {card.account.els ? ` · ЕЛС ${card.account.els}` : ''}
                    </Text>
                  </div>
                  <Stack gap={0} align="flex-end">
                    <Text c="dimmed" size="sm">
                      Долг
                    </Text>
                    <Text fw={700} size="xl" c={card.totalDebtKop > 0 ? 'red' : 'green'} data-testid="account-debt">
                      {money(card.totalDebtKop)}
                    </Text>
                  </Stack>
                </Group>
              </Card>
              <Card withBorder>
                <Title order={4} mb="xs">
                  Начисления и долги
                </Title>
                <Table fz="sm" striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Период</Table.Th>
                      <Table.Th>Услуга</Table.Th>
                      <Table.Th>Поставщик</Table.Th>
                      <Table.Th ta="right">Начислено</Table.Th>
                      <Table.Th ta="right">Пени</Table.Th>
                      <Table.Th ta="right">Оплачено</Table.Th>
                      <Table.Th ta="right">Долг</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {card.debts.map((d) => (
                      <Table.Tr key={`${d.serviceCode}-${d.period}`}>
                        <Table.Td>{period(d.period)}</Table.Td>
                        <Table.Td>{d.service}</Table.Td>
                        <Table.Td>{d.supplier ?? '—'}</Table.Td>
                        <Table.Td ta="right">{money(d.dueKop)}</Table.Td>
                        <Table.Td ta="right">{money(d.penaltyKop)}</Table.Td>
                        <Table.Td ta="right">{money(d.paidKop)}</Table.Td>
                        <Table.Td ta="right" fw={700}>
                          {money(d.debtKop)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Card>
              <Grid>
                <Grid.Col span={{ base: 12, xl: 6 }}>
                  <Card withBorder h="100%">
                    <Title order={4} mb="xs">
                      Счётчики
                    </Title>
                    <Table fz="sm">
                      <Table.Tbody>
                        {card.meters.map((m) => (
                          <Table.Tr key={m.id}>
                            <Table.Td>{m.service}</Table.Td>
                            <Table.Td ff="monospace">{m.serial}</Table.Td>
                            <Table.Td>
                              {meterValue(m.lastValue)} ({date(m.lastDate)})
                            </Table.Td>
                            <Table.Td
                              c={m.verificationDue && m.verificationDue < new Date().toISOString().slice(0, 10) ? 'red' : undefined}
                            >
                              поверка {date(m.verificationDue)}
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                    {card.meters.length === 0 && <Text c="dimmed">Счётчиков нет.</Text>}
                    <Title order={5} mt="sm">
                      Последние показания
                    </Title>
                    {card.readings.map((r) => (
                      <Text key={r.opId} size="sm">
                        {r.meterSerial}: {meterValue(r.value)} на {date(r.readAt)} за {period(r.period)}{' '}
                        {r.review && (
                          <Badge color="orange" size="xs">
                            на проверке
                          </Badge>
                        )}
                      </Text>
                    ))}
                    {card.readings.length === 0 && (
                      <Text c="dimmed" size="sm">
                        Показаний не передавали.
                      </Text>
                    )}
                  </Card>
                </Grid.Col>
                <Grid.Col span={{ base: 12, xl: 6 }}>
                  <Card withBorder h="100%">
                    <Title order={4} mb="xs">
                      Платежи
                    </Title>
                    <Table fz="sm">
                      <Table.Tbody>
                        {card.payments.map((p) => (
                          <Table.Tr key={p.opId}>
                            <Table.Td>{dateTime(p.acceptedAt)}</Table.Td>
                            <Table.Td>{p.number}</Table.Td>
                            <Table.Td>{p.desk}</Table.Td>
                            <Table.Td ta="right" fw={600}>
                              {money(p.totalKop)}
                            </Table.Td>
                            <Table.Td>
                              {p.state === 'reversed' ? (
                                <Badge color="red" size="xs">
                                  сторно
                                </Badge>
                              ) : p.method === 'card' ? (
                                'карта'
                              ) : (
                                'наличные'
                              )}
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                    {card.payments.length === 0 && <Text c="dimmed">Платежей не было.</Text>}
                  </Card>
                </Grid.Col>
              </Grid>
            </Stack>
          )}
        </Grid.Col>
      </Grid>
    </Page>
  );
}
