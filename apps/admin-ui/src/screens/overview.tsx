/**
 * «Обзор»: every desk live (refreshed every 10 s), today's totals, payments per hour per point, and
 * the queues that need a person.
 */
import { Card, Group, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText } from '../api/client.ts';
import type { Desk } from '../api/types.ts';
import { LastSeen, OnlineBadge, Problems, ShiftText } from '../components/desk-health.tsx';
import { Page } from '../components/page.tsx';
import { ago, money } from '../format.ts';

interface Overview {
  day: string;
  desks: Desk[];
  today: { count: number; sumKop: number; commissionKop: number; byKind: Record<string, { count: number; sumKop: number }> };
  hourly: { points: string[]; hours: Record<string, number>[] };
  queues: { review: number; forwardingInTransit: number; forwardingFailed: number };
}

const COLORS = ['#4263eb', '#12b886', '#f59f00', '#e64980', '#7950f2', '#15aabf'];
const KINDS: [string, string][] = [
  ['billing', 'ЖКУ'],
  ['thirdparty', 'Третьи лица'],
  ['service', 'Услуги пункта'],
];

function Stat({ label, value, hint, color, testId }: { label: string; value: string; hint?: string; color?: string; testId?: string }) {
  return (
    <Card withBorder padding="md">
      <Text c="dimmed" size="sm">
        {label}
      </Text>
      <Text fw={700} size="xl" c={color} data-testid={testId}>
        {value}
      </Text>
      {hint && (
        <Text size="sm" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

export function OverviewScreen() {
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<Overview>('GET', '/api/v1/overview')
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, [load]);

  const online = data?.desks.filter((d) => d.online).length ?? 0;
  const active = data?.desks.filter((d) => !d.revoked && d.enrolled).length ?? 0;
  return (
    <Page title={`Обзор${data ? ` за ${data.day.split('-').reverse().join('.')}` : ''}`} error={error}>
      {data && (
        <>
          <SimpleGrid cols={{ base: 2, lg: 5 }}>
            <Stat label="Принято сегодня" value={money(data.today.sumKop)} hint={`${data.today.count} платежей`} testId="today-sum" />
            {KINDS.map(([k, name]) => (
              <Stat key={k} label={name} value={money(data.today.byKind[k]?.sumKop ?? 0)} hint={`${data.today.byKind[k]?.count ?? 0} шт`} />
            ))}
            <Stat label="Вознаграждение" value={money(data.today.commissionKop)} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 2, lg: 4 }}>
            <Stat label="Кассы на связи" value={`${online} из ${active}`} color={online < active ? 'red' : 'green'} testId="desks-online" />
            <Stat label="На разборе" value={String(data.queues.review)} color={data.queues.review ? 'orange' : undefined} />
            <Stat label="Передаётся поставщикам" value={String(data.queues.forwardingInTransit)} />
            <Stat
              label="Отказы поставщиков"
              value={String(data.queues.forwardingFailed)}
              color={data.queues.forwardingFailed ? 'red' : undefined}
            />
          </SimpleGrid>
          <Card withBorder>
            <Title order={4} mb="sm">
              Кассы
            </Title>
            <Table verticalSpacing="xs" striped data-testid="overview-desks">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Пункт</Table.Th>
                  <Table.Th>Касса</Table.Th>
                  <Table.Th>Связь</Table.Th>
                  <Table.Th>Была на связи</Table.Th>
                  <Table.Th>Кассир</Table.Th>
                  <Table.Th>Смена</Table.Th>
                  <Table.Th>Не отправлено</Table.Th>
                  <Table.Th>Что не так</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.desks.map((d) => (
                  <Table.Tr key={d.id} data-testid={`overview-desk-${d.name}`}>
                    <Table.Td>{d.pointName}</Table.Td>
                    <Table.Td fw={600}>{d.name}</Table.Td>
                    <Table.Td>
                      <OnlineBadge desk={d} />
                    </Table.Td>
                    <Table.Td data-testid={`last-seen-${d.name}`}>
                      <LastSeen desk={d} />
                    </Table.Td>
                    <Table.Td>{d.status?.cashier ?? '—'}</Table.Td>
                    <Table.Td>
                      <ShiftText desk={d} />
                    </Table.Td>
                    <Table.Td c={(d.status?.unsentCount ?? 0) > 0 ? 'orange' : undefined}>
                      {d.status?.unsentCount ?? 0}
                      {d.status?.oldestUnsentAt ? `, старейшая ${ago(d.status.oldestUnsentAt)}` : ''}
                    </Table.Td>
                    <Table.Td>
                      <Problems desk={d} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {data.desks.length === 0 && <Text c="dimmed">Касс ещё нет: создайте их в разделе «Кассы и пункты».</Text>}
          </Card>
          <Card withBorder>
            <Group justify="space-between" mb="sm">
              <Title order={4}>Платежи по часам, ₽</Title>
              <Text c="dimmed" size="sm">
                по пунктам, сегодня
              </Text>
            </Group>
            <div style={{ width: '100%', height: 280 }} data-testid="hourly-chart">
              <ResponsiveContainer>
                <BarChart
                  data={data.hourly.hours
                    .filter((h) => (h['hour'] ?? 0) >= 7 && (h['hour'] ?? 0) <= 21)
                    .map((h) => ({ ...Object.fromEntries(Object.entries(h).map(([k, v]) => [k, k === 'hour' ? `${v}:00` : v / 100])) }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="hour" />
                  <YAxis />
                  <Tooltip formatter={(v) => `${Number(v).toLocaleString('ru-RU', { minimumFractionDigits: 2 })} ₽`} />
                  <Legend />
                  {data.hourly.points.map((p, i) => (
                    <Bar key={p} dataKey={p} stackId="a" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Card>
        </>
      )}
    </Page>
  );
}
