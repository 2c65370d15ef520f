/** «Отчёты»: the shift report and the journals (filled by the reports slice of the desk). */
import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getToken, ProblemError } from '../api/client.ts';
import { ShiftTotalsTable, type Totals } from '../components/shift-totals.tsx';
import { money } from '../format.ts';

interface ShiftReport {
  shiftNumber: number | null;
  journal: Totals;
  register: Totals | null;
  differences: string[];
  blocks: { name: string; count: number; sumKop: number }[];
}

export function ReportsScreen() {
  const { t } = useTranslation();
  const [report, setReport] = useState<ShiftReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<ShiftReport>('GET', '/api/reports/shift?format=json').then(setReport).catch((e: unknown) => setError(e instanceof ProblemError ? e.message : String(e)));
  }, []);
  const download = (format: 'pdf' | 'xlsx'): void => {
    window.open(`/api/reports/shift?format=${format}&token=${encodeURIComponent(getToken() ?? '')}`, '_blank');
  };
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>{t('reports.shift')}{report?.shiftNumber ? ` № ${report.shiftNumber}` : ''}</Title>
        <Group>
          <Button variant="light" onClick={() => download('pdf')}>{t('reports.pdf')}</Button>
          <Button variant="light" onClick={() => download('xlsx')}>{t('reports.xlsx')}</Button>
          <Button variant="light" onClick={() => void api('POST', '/api/reports/shift/print')}>{t('reports.print')}</Button>
        </Group>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {report && (
        <Group align="flex-start" gap="xl">
          <Paper withBorder p="md" radius="md" miw={420}>
            <ShiftTotalsTable totals={report.journal} compare={report.register} />
            {report.differences.map((d) => <Alert key={d} color="red" mt="xs">{d}</Alert>)}
          </Paper>
          <Paper withBorder p="md" radius="md" miw={300}>
            {report.blocks.map((b) => (
              <Group key={b.name} justify="space-between"><Text>{b.name} ({b.count})</Text><Text fw={700}>{money(b.sumKop)}</Text></Group>
            ))}
          </Paper>
        </Group>
      )}
    </Stack>
  );
}
