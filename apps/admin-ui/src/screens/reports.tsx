/**
 * «Отчёты»: the server's reports with their filters — period, point, desk, grouping — on screen, as a
 * chart where a person would rather look than read, and as PDF, Excel or CSV.
 */
import { Button, Card, Group, Select, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, download, errorText } from '../api/client.ts';
import type { Desk, Point, ReportDoc } from '../api/types.ts';
import { Page } from '../components/page.tsx';
import { ReportView } from '../components/report-view.tsx';
import { today } from '../format.ts';
import { DateField } from '@paydesk/ui-kit';

/** Which column pairs a report charts: the label and the money series. */
const CHARTS: Record<string, { label: string; series: { key: string; name: string; color: string }[] }> = {
  summary: {
    label: 'label',
    series: [
      { key: 'billingKop', name: 'ЖКУ', color: '#4263eb' },
      { key: 'thirdpartyKop', name: 'Третьи лица', color: '#12b886' },
      { key: 'serviceKop', name: 'Услуги', color: '#f59f00' },
    ],
  },
  commission: { label: 'name', series: [{ key: 'commissionKop', name: 'Вознаграждение', color: '#7950f2' }] },
  suppliers: {
    label: 'supplier',
    series: [
      { key: 'amountKop', name: 'Основной долг', color: '#4263eb' },
      { key: 'penaltyKop', name: 'Пени', color: '#e64980' },
    ],
  },
};

function Chart({ name, doc }: { name: string; doc: ReportDoc }) {
  const spec = CHARTS[name];
  const rows = doc.sections[0]?.rows ?? [];
  if (!spec || rows.length === 0) return null;
  const data = rows.map((r) => ({
    label: String(r.cells[spec.label] ?? ''),
    ...Object.fromEntries(spec.series.map((s) => [s.key, Number(r.cells[s.key] ?? 0) / 100])),
  }));
  return (
    <Card withBorder>
      <div style={{ width: '100%', height: 260 }} data-testid="report-chart">
        <ResponsiveContainer>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis />
            <Tooltip formatter={(v) => `${Number(v).toLocaleString('ru-RU', { minimumFractionDigits: 2 })} ₽`} />
            <Legend />
            {spec.series.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.name} stackId="a" fill={s.color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

export function ReportsScreen() {
  const [list, setList] = useState<{ name: string; title: string }[]>([]);
  const [name, setName] = useState('summary');
  const [from, setFrom] = useState(today());
  const [to, setTo] = useState(today());
  const [groupBy, setGroupBy] = useState('desk');
  const [point, setPoint] = useState<string | null>(null);
  const [desk, setDesk] = useState<string | null>(null);
  const [points, setPoints] = useState<Point[]>([]);
  const [desks, setDesks] = useState<Desk[]>([]);
  const [doc, setDoc] = useState<ReportDoc | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void Promise.all([
      api<{ items: { name: string; title: string }[] }>('GET', '/api/v1/reports'),
      api<{ items: Point[] }>('GET', '/api/v1/points?limit=500'),
      api<{ items: Desk[] }>('GET', '/api/v1/desks'),
    ])
      .then(([r, p, d]) => {
        setList(r.items);
        setPoints(p.items);
        setDesks(d.items);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  const query = `from=${from}&to=${to}&groupBy=${groupBy}${point ? `&point=${point}` : ''}${desk ? `&desk=${desk}` : ''}`;
  const load = useCallback(() => {
    setError(null);
    api<ReportDoc>('GET', `/api/v1/reports/${name}?${query}`)
      .then(setDoc)
      .catch((e: unknown) => {
        setDoc(null);
        setError(errorText(e));
      });
  }, [name, query]);
  useEffect(load, [load]);

  return (
    <Page
      title="Отчёты"
      error={error}
      actions={['pdf', 'xlsx', 'csv'].map((f) => (
        <Button
          key={f}
          variant="light"
          onClick={() => void download(`/api/v1/reports/${name}?${query}&format=${f}`).catch((e: unknown) => setError(errorText(e)))}
          data-testid={`report-${f}`}
        >
          {f === 'xlsx' ? 'Excel' : f.toUpperCase()}
        </Button>
      ))}
    >
      <Card withBorder>
        <Group align="flex-end">
          <Select
            label="Отчёт"
            w={380}
            data={list.map((r) => ({ value: r.name, label: r.title }))}
            value={name}
            onChange={(v) => setName(v ?? 'summary')}
            allowDeselect={false}
            data-testid="report-name"
          />
          {name !== 'desks' && <DateField label="С" w={140} value={from} onChange={setFrom} data-testid="report-from" />}
          {name !== 'desks' && <DateField label="По" w={140} value={to} onChange={setTo} data-testid="report-to" />}
          {name === 'summary' && (
            <Select
              label="Группировка"
              w={150}
              data={[
                { value: 'desk', label: 'по кассам' },
                { value: 'point', label: 'по пунктам' },
                { value: 'cashier', label: 'по кассирам' },
                { value: 'day', label: 'по дням' },
              ]}
              value={groupBy}
              onChange={(v) => setGroupBy(v ?? 'desk')}
              allowDeselect={false}
            />
          )}
          <Select
            label="Пункт"
            w={200}
            clearable
            placeholder="все"
            data={points.map((p) => ({ value: p.id, label: p.name }))}
            value={point}
            onChange={(v) => {
              setPoint(v);
              setDesk(null);
            }}
          />
          <Select
            label="Касса"
            w={200}
            clearable
            placeholder="все"
            data={desks.filter((d) => !point || d.pointId === point).map((d) => ({ value: d.id, label: `${d.name} (${d.pointCode})` }))}
            value={desk}
            onChange={setDesk}
          />
        </Group>
        {doc && (
          <Text c="dimmed" size="sm" mt="xs">
            {doc.meta.map((m) => `${m.label}: ${m.value}`).join(' · ')}
          </Text>
        )}
      </Card>
      {doc && <Chart name={name} doc={doc} />}
      {doc && <ReportView doc={doc} />}
    </Page>
  );
}
