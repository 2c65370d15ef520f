/**
 * «Отчёты»: the shift report as the day closes — totals by kind and payment method, the cash that
 * should be in the drawer, cash-ups with their differences, the register's counters beside the
 * journal's with every difference red and explained — printed on the register or saved as PDF and
 * Excel; and the journal for any period, exported.
 */
import { Alert, Badge, Button, Grid, Group, NumberInput, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, download, ProblemError } from '../api/client.ts';
import { CashCountDialog } from '../components/cash-count-dialog.tsx';
import { ShiftTotalsTable, type Totals } from '../components/shift-totals.tsx';
import { dateTime, money } from '../format.ts';
import { DateField } from '@paydesk/ui-kit';

interface ShiftReport {
  shiftNumber: number;
  state: 'open' | 'closed';
  openedAt: string | null;
  closedAt: string | null;
  cashiers: string[];
  blocks: { key: string; name: string; count: number; sumKop: number; commissionKop: number; reversedKop: number; netKop: number }[];
  byMethod: { method: string; name: string; count: number; sumKop: number; returnsKop: number; netKop: number }[];
  byProvider: {
    code: string;
    name: string;
    count: number;
    amountKop: number;
    commissionKop: number;
    confirmed: number;
    pending: number;
    failed: number;
  }[];
  commissionKop: number;
  reversals: { count: number; sumKop: number };
  cash: {
    carriedKop: number;
    openingFloatKop: number;
    cashInKop: number;
    cashOutKop: number;
    salesCashKop: number;
    returnsCashKop: number;
    expectedDrawerKop: number;
    counts: { at: string; countedKop: number; expectedKop: number; differenceKop: number; cashierName: string }[];
  };
  journal: Totals;
  register: Totals | null;
  registerSource: 'live' | 'z_report' | 'unavailable';
  differences: { field: string; label: string; explanation: string }[];
  sync: { unsent: number; rejected: number };
  pendingCount: number;
}

function MoneyRow({
  label,
  value,
  strong,
  color,
  testId,
}: {
  label: string;
  value: number;
  strong?: boolean;
  color?: string;
  testId?: string;
}) {
  return (
    <Table.Tr>
      <Table.Td fw={strong ? 700 : undefined}>{label}</Table.Td>
      <Table.Td ta="right" fw={strong ? 700 : undefined} c={color} data-testid={testId}>
        {money(value)}
      </Table.Td>
    </Table.Tr>
  );
}

export function ReportsScreen() {
  const { t } = useTranslation();
  const [report, setReport] = useState<ShiftReport | null>(null);
  const [shift, setShift] = useState<number | ''>('');
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const [counting, setCounting] = useState(false);
  const [from, setFrom] = useState(() => new Date().toISOString().slice(0, 10));
  const [to, setTo] = useState(() => new Date().toISOString().slice(0, 10));
  const [format, setFormat] = useState<string | null>('xlsx');

  const load = useCallback((n: number | '') => {
    api<ShiftReport>('GET', `/api/reports/shift${n ? `?shift=${n}` : ''}`)
      .then(setReport)
      .catch((e: unknown) => {
        setReport(null);
        setMessage({ color: 'red', text: e instanceof ProblemError ? e.message : String(e) });
      });
  }, []);
  useEffect(() => load(''), [load]);

  const act = (fn: () => Promise<unknown>, ok?: string): void => {
    fn()
      .then(() => ok && setMessage({ color: 'green', text: ok }))
      .catch((e: unknown) => setMessage({ color: 'red', text: e instanceof ProblemError ? e.message : String(e) }));
  };
  const shiftQuery = report ? `shift=${report.shiftNumber}&` : '';
  const dayStart = (d: string): string => new Date(`${d}T00:00:00`).toISOString();
  const nextDay = (d: string): string => new Date(new Date(`${d}T00:00:00`).getTime() + 86_400_000).toISOString();

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end">
          <Title order={2} data-testid="report-title">
            {t('reports.shift')}
            {report ? ` № ${report.shiftNumber}` : ''}
          </Title>
          {report && (
            <Badge size="lg" color={report.state === 'open' ? 'green' : 'gray'}>
              {report.state === 'open' ? t('reports.open') : t('reports.closed')}
            </Badge>
          )}
          <NumberInput
            w={120}
            label={t('reports.shiftNumber')}
            min={1}
            allowDecimal={false}
            value={shift}
            onChange={(v) => setShift(typeof v === 'number' ? v : '')}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                setMessage(null);
                load(shift);
              }
            }}
          />
          <Button
            variant="default"
            onClick={() => {
              setMessage(null);
              load(shift);
            }}
          >
            {t('reports.show')}
          </Button>
        </Group>
        <Group>
          <Button
            variant="light"
            disabled={!report}
            onClick={() => act(() => download(`/api/reports/shift?${shiftQuery}format=pdf`))}
            data-testid="report-pdf"
          >
            {t('reports.pdf')}
          </Button>
          <Button variant="light" disabled={!report} onClick={() => act(() => download(`/api/reports/shift?${shiftQuery}format=xlsx`))}>
            {t('reports.xlsx')}
          </Button>
          <Button
            variant="light"
            disabled={!report}
            onClick={() =>
              act(() => api('POST', '/api/reports/shift/print', report ? { shift: report.shiftNumber } : {}), t('reports.printed'))
            }
            data-testid="report-print"
          >
            {t('reports.print')}
          </Button>
          <Button disabled={report?.state !== 'open'} onClick={() => setCounting(true)} data-testid="report-count">
            {t('reports.count')}
          </Button>
        </Group>
      </Group>
      {message && (
        <Alert color={message.color} data-testid="report-message">
          {message.text}
        </Alert>
      )}
      {report && (
        <>
          <Text c="dimmed">
            {dateTime(report.openedAt)} — {report.state === 'closed' ? dateTime(report.closedAt) : t('reports.now')} ·{' '}
            {report.cashiers.join(', ')}
          </Text>
          <Grid gap="md">
            <Grid.Col span={{ base: 12, lg: 7 }}>
              <Paper withBorder p="md" radius="md">
                <Table fz="md" verticalSpacing={4} data-testid="report-blocks">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('reports.kind')}</Table.Th>
                      <Table.Th ta="right">{t('reports.countCol')}</Table.Th>
                      <Table.Th ta="right">{t('reports.accepted')}</Table.Th>
                      <Table.Th ta="right">{t('reports.commission')}</Table.Th>
                      <Table.Th ta="right">{t('reports.reversed')}</Table.Th>
                      <Table.Th ta="right">{t('reports.net')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {report.blocks.map((b) => (
                      <Table.Tr key={b.key}>
                        <Table.Td>{b.name}</Table.Td>
                        <Table.Td ta="right">{b.count}</Table.Td>
                        <Table.Td ta="right">{money(b.sumKop)}</Table.Td>
                        <Table.Td ta="right">{money(b.commissionKop)}</Table.Td>
                        <Table.Td ta="right">{money(b.reversedKop)}</Table.Td>
                        <Table.Td ta="right" fw={700}>
                          {money(b.netKop)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                    {report.byMethod.map((m) => (
                      <Table.Tr key={m.method} bg="var(--mantine-color-gray-0)">
                        <Table.Td>{m.name}</Table.Td>
                        <Table.Td ta="right">{m.count}</Table.Td>
                        <Table.Td ta="right">{money(m.sumKop)}</Table.Td>
                        <Table.Td />
                        <Table.Td ta="right">{money(m.returnsKop)}</Table.Td>
                        <Table.Td ta="right" fw={700}>
                          {money(m.netKop)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                {report.blocks.length === 0 && (
                  <Text c="dimmed" mt="sm">
                    {t('reports.noPayments')}
                  </Text>
                )}
              </Paper>
              {report.byProvider.length > 0 && (
                <Paper withBorder p="md" radius="md" mt="md">
                  <Title order={4} mb="xs">
                    {t('reports.providers')}
                  </Title>
                  <Table fz="sm">
                    <Table.Tbody>
                      {report.byProvider.map((p) => (
                        <Table.Tr key={p.code}>
                          <Table.Td>{p.name}</Table.Td>
                          <Table.Td ta="right">{p.count}</Table.Td>
                          <Table.Td ta="right">{money(p.amountKop)}</Table.Td>
                          <Table.Td ta="right">{t('reports.forwarded', { confirmed: p.confirmed, pending: p.pending })}</Table.Td>
                          <Table.Td ta="right" c={p.failed ? 'red' : undefined}>
                            {p.failed ? t('reports.failed', { count: p.failed }) : ''}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Paper>
              )}
              <Paper withBorder p="md" radius="md" mt="md">
                <Group justify="space-between" mb="xs">
                  <Title order={4}>{t('reports.reconciliation')}</Title>
                  <Text c="dimmed" size="sm">
                    {t(`reports.source.${report.registerSource}`)}
                  </Text>
                </Group>
                <Group gap="xl" mb={4}>
                  <Text w={180} />
                  <Text fw={700}>{t('reports.journal')}</Text>
                  <Text fw={700}>{t('reports.register')}</Text>
                </Group>
                <ShiftTotalsTable totals={report.journal} compare={report.register} />
                {report.register && report.differences.length === 0 && (
                  <Alert color="green" mt="xs" data-testid="report-match">
                    {t('reports.match')}
                  </Alert>
                )}
                {report.differences.map((d) => (
                  <Alert key={d.field} color="red" mt="xs" title={d.label} data-testid="report-difference">
                    {d.explanation}
                  </Alert>
                ))}
              </Paper>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <Paper withBorder p="md" radius="md">
                <Title order={4} mb="xs">
                  {t('reports.drawer')}
                </Title>
                <Table fz="md" verticalSpacing={4}>
                  <Table.Tbody>
                    {report.cash.carriedKop !== 0 && <MoneyRow label={t('reports.carried')} value={report.cash.carriedKop} />}
                    <MoneyRow label={t('reports.float')} value={report.cash.openingFloatKop} />
                    <MoneyRow label={t('reports.salesCash')} value={report.cash.salesCashKop} />
                    <MoneyRow label={t('reports.returnsCash')} value={-report.cash.returnsCashKop} />
                    <MoneyRow label={t('reports.cashIn')} value={report.cash.cashInKop} />
                    <MoneyRow label={t('reports.cashOut')} value={-report.cash.cashOutKop} />
                    <MoneyRow label={t('reports.expected')} value={report.cash.expectedDrawerKop} strong testId="report-expected" />
                  </Table.Tbody>
                </Table>
              </Paper>
              <Paper withBorder p="md" radius="md" mt="md">
                <Title order={4} mb="xs">
                  {t('reports.counts')}
                </Title>
                {report.cash.counts.length === 0 ? (
                  <Text c="dimmed">{t('reports.noCounts')}</Text>
                ) : (
                  <Table fz="sm" data-testid="report-counts">
                    <Table.Tbody>
                      {report.cash.counts.map((c) => (
                        <Table.Tr key={c.at}>
                          <Table.Td>{dateTime(c.at)}</Table.Td>
                          <Table.Td>{c.cashierName}</Table.Td>
                          <Table.Td ta="right">{money(c.countedKop)}</Table.Td>
                          <Table.Td ta="right" fw={700} c={c.differenceKop === 0 ? 'green' : 'red'}>
                            {c.differenceKop > 0 ? '+' : ''}
                            {money(c.differenceKop)}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Paper>
              {(report.sync.unsent > 0 || report.sync.rejected > 0 || report.pendingCount > 0) && (
                <Alert color={report.sync.rejected || report.pendingCount ? 'red' : 'yellow'} mt="md">
                  {[
                    report.sync.unsent ? t('reports.unsent', { count: report.sync.unsent }) : '',
                    report.sync.rejected ? t('reports.rejected', { count: report.sync.rejected }) : '',
                    report.pendingCount ? t('reports.pending', { count: report.pendingCount }) : '',
                  ]
                    .filter(Boolean)
                    .join(' ')}
                </Alert>
              )}
              <Paper withBorder p="md" radius="md" mt="md">
                <Title order={4} mb="xs">
                  {t('reports.journalExport')}
                </Title>
                <Group align="flex-end">
                  <DateField label={t('reports.from')} w={140} value={from} onChange={setFrom} />
                  <DateField label={t('reports.to')} w={140} value={to} onChange={setTo} />
                  <Select
                    w={100}
                    label={t('reports.format')}
                    data={['xlsx', 'pdf', 'csv']}
                    value={format}
                    onChange={setFormat}
                    allowDeselect={false}
                  />
                  <Button
                    variant="light"
                    disabled={!from || !to}
                    onClick={() =>
                      act(() =>
                        download(
                          `/api/reports/journal?format=${format ?? 'xlsx'}&from=${encodeURIComponent(dayStart(from))}&to=${encodeURIComponent(nextDay(to))}`,
                        ),
                      )
                    }
                  >
                    {t('reports.export')}
                  </Button>
                </Group>
              </Paper>
            </Grid.Col>
          </Grid>
        </>
      )}
      <CashCountDialog
        opened={counting}
        expectedKop={report?.cash.expectedDrawerKop ?? null}
        onClose={() => setCounting(false)}
        onDone={(r) => {
          setCounting(false);
          setMessage({
            color: r.differenceKop === 0 ? 'green' : 'yellow',
            text: t('reports.countRecorded', { difference: money(r.differenceKop) }),
          });
          load(report?.shiftNumber ?? '');
        }}
      />
    </Stack>
  );
}
