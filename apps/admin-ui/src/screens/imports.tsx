/**
 * «Загрузка и выгрузка»: the billing's files in (accounts, charges, meters) with a progress bar and the
 * row-by-row error report, and the registries of a supplier's day out.
 */
import { Alert, Badge, Button, Card, FileInput, Grid, Group, Progress, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportReportView } from '@paydesk/protocol';
import { api, download, errorText } from '../api/client.ts';
import { Page } from '../components/page.tsx';
import { dateTime, today } from '../format.ts';
import { DateField } from '@paydesk/ui-kit';

/** The report as the server answers it (GET /api/v1/imports/{id}); the list's items are the same without errors. */
type ImportView = Omit<ImportReportView, 'errors'> & { errors?: ImportReportView['errors'] };

const KINDS = [
  { value: 'accounts', label: 'Лицевые счета', columns: 'number; els; city; street; house; building; flat; owner; status' },
  { value: 'charges', label: 'Начисления и долги', columns: 'account; service; period; due; penalty; charge' },
  {
    value: 'meters',
    label: 'Счётчики',
    columns: 'account; service; serial; digits; fraction_digits; verification_due; jump_threshold; last_value; last_date',
  },
];
const STATUS: Record<ImportView['status'], [string, string]> = {
  validating: ['проверка', 'blue'],
  applying: ['загрузка', 'blue'],
  done: ['загружен', 'green'],
  failed: ['не загружен', 'red'],
};

export function ImportsScreen() {
  const [kind, setKind] = useState('accounts');
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState('auto');
  const [current, setCurrent] = useState<ImportView | null>(null);
  const [recent, setRecent] = useState<ImportView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadRecent = useCallback(() => {
    void api<{ items: ImportView[] }>('GET', '/api/v1/imports')
      .then((r) => setRecent(r.items))
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    loadRecent();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [loadRecent]);

  const watch = (id: string): void => {
    void api<ImportView>('GET', `/api/v1/imports/${id}`)
      .then((v) => {
        setCurrent(v);
        if (v.status === 'validating' || v.status === 'applying') timer.current = setTimeout(() => watch(id), 400);
        else loadRecent();
      })
      .catch((e: unknown) => setError(errorText(e)));
  };

  const upload = async (): Promise<void> => {
    if (!file) return;
    setError(null);
    setCurrent(null);
    try {
      const r = await api<{ importId: string }>(
        'POST',
        `/api/v1/imports/${kind}?encoding=${encoding}&fileName=${encodeURIComponent(file.name)}`,
        file,
        'text/csv',
      );
      watch(r.importId);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const percent =
    current && current.totalRows > 0 ? Math.round((current.processedRows / current.totalRows) * 100) : current?.status === 'done' ? 100 : 0;
  return (
    <Page title="Загрузка и выгрузка" error={error}>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Card withBorder>
            <Title order={4} mb="sm">
              Загрузить файл биллинга
            </Title>
            <Stack>
              <Group grow>
                <Select
                  label="Что загружаем"
                  data={KINDS}
                  value={kind}
                  onChange={(v) => setKind(v ?? 'accounts')}
                  allowDeselect={false}
                  data-testid="import-kind"
                />
                <Select
                  label="Кодировка"
                  data={[
                    { value: 'auto', label: 'определить' },
                    { value: 'utf-8', label: 'UTF-8' },
                    { value: 'windows-1251', label: 'Windows-1251' },
                  ]}
                  value={encoding}
                  onChange={(v) => setEncoding(v ?? 'auto')}
                  allowDeselect={false}
                />
              </Group>
              <Text size="sm" c="dimmed">
                Первая строка — названия колонок:{' '}
                <Text span ff="monospace">
                  {KINDS.find((k) => k.value === kind)?.columns}
                </Text>
                . Разделитель «;» или «,». Файл с ошибками не загружается целиком — сначала исправьте строки из отчёта.
              </Text>
              <FileInput
                label="Файл CSV"
                placeholder="Выберите файл"
                value={file}
                onChange={setFile}
                accept=".csv,.txt,text/csv"
                clearable
                data-testid="import-file"
              />
              <Group>
                <Button onClick={() => void upload()} disabled={!file} data-testid="import-upload">
                  Загрузить
                </Button>
              </Group>
              {current && (
                <Stack gap="xs" data-testid="import-progress">
                  <Group justify="space-between">
                    <Text fw={600}>{current.fileName}</Text>
                    <Badge color={STATUS[current.status][1]} data-testid="import-status">
                      {STATUS[current.status][0]}
                    </Badge>
                  </Group>
                  <Progress
                    value={percent}
                    animated={current.status === 'validating' || current.status === 'applying'}
                    color={current.status === 'failed' ? 'red' : undefined}
                  />
                  <Text size="sm">
                    Строк: {current.totalRows}, изменилось: {current.changedRows}
                    {current.closedRows ? `, закрыто (нет в снимке): ${current.closedRows}` : ''}, ошибок: {current.errorCount}
                  </Text>
                  {(current.errors?.length ?? 0) > 0 && (
                    <Table fz="sm" striped data-testid="import-errors">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Строка</Table.Th>
                          <Table.Th>Колонка</Table.Th>
                          <Table.Th>Что не так</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {current.errors?.map((e) => (
                          <Table.Tr key={`${e.line}-${e.column ?? ''}-${e.message}`}>
                            <Table.Td>{e.line}</Table.Td>
                            <Table.Td>{e.column ?? ''}</Table.Td>
                            <Table.Td c="red">{e.message}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  )}
                </Stack>
              )}
            </Stack>
          </Card>
          <Card withBorder mt="md">
            <Title order={4} mb="sm">
              Последние загрузки
            </Title>
            <Table fz="sm" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Начата</Table.Th>
                  <Table.Th>Файл</Table.Th>
                  <Table.Th>Вид</Table.Th>
                  <Table.Th>Итог</Table.Th>
                  <Table.Th ta="right">Строк</Table.Th>
                  <Table.Th ta="right">Изменено</Table.Th>
                  <Table.Th ta="right">Ошибок</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {recent.map((r) => (
                  <Table.Tr key={r.importId} style={{ cursor: 'pointer' }} onClick={() => watch(r.importId)}>
                    <Table.Td>{dateTime(r.startedAt)}</Table.Td>
                    <Table.Td>{r.fileName}</Table.Td>
                    <Table.Td>{KINDS.find((k) => k.value === r.kind)?.label ?? r.kind}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS[r.status][1]} variant="light">
                        {STATUS[r.status][0]}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{r.totalRows}</Table.Td>
                    <Table.Td ta="right">{r.changedRows}</Table.Td>
                    <Table.Td ta="right" c={r.errorCount ? 'red' : undefined}>
                      {r.errorCount}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <RegistryCard onError={setError} />
        </Grid.Col>
      </Grid>
    </Page>
  );
}

function RegistryCard({ onError }: { onError: (e: string | null) => void }) {
  const [suppliers, setSuppliers] = useState<{ value: string; label: string }[]>([]);
  const [supplier, setSupplier] = useState<string | null>(null);
  const [date, setDate] = useState(today());
  const [format, setFormat] = useState('sber');
  useEffect(() => {
    void api<{ items: { inn: string; name: string }[] }>('GET', '/api/v1/suppliers?limit=500')
      .then((r) => {
        setSuppliers(r.items.map((s) => ({ value: s.inn, label: `${s.name} (${s.inn})` })));
        setSupplier((cur) => cur ?? r.items[0]?.inn ?? null);
      })
      .catch(() => undefined);
  }, []);
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Реестр платежей поставщику
      </Title>
      <Stack>
        <Select label="Поставщик" data={suppliers} value={supplier} onChange={setSupplier} searchable data-testid="registry-supplier" />
        <Group grow>
          <DateField label="День" w={140} value={date} onChange={setDate} />
          <Select
            label="Формат"
            data={[
              { value: 'sber', label: 'Сбербанк (txt)' },
              { value: 'csv', label: 'CSV' },
              { value: 'xlsx', label: 'Excel' },
            ]}
            value={format}
            onChange={(v) => setFormat(v ?? 'sber')}
            allowDeselect={false}
          />
        </Group>
        <Group>
          <Button
            variant="light"
            disabled={!supplier}
            onClick={() => {
              onError(null);
              download(`/api/v1/registries?date=${date}&supplier=${supplier ?? ''}&format=${format}`).catch((e: unknown) =>
                onError(errorText(e)),
              );
            }}
          >
            Скачать реестр
          </Button>
        </Group>
        <Alert color="gray">
          Биллинг может забирать платежи и показания сам — по ленте{' '}
          <Text span ff="monospace">
            GET /api/v1/billing/feed
          </Text>{' '}
          (см. документацию интеграции).
        </Alert>
      </Stack>
    </Card>
  );
}
