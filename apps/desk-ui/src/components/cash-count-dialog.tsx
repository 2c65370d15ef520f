/**
 * The cash-up: the cashier counts the drawer by banknote and coin (or types the total), sees the
 * difference against the expected cash as they go, and records it; the desk sends it to the server.
 */
import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import { inputToKop, money } from '../format.ts';

/** Faces in kopecks, as the desk's API takes them. */
const FACES: { kop: number; label: string }[] = [
  { kop: 500_000, label: '5000 ₽' },
  { kop: 200_000, label: '2000 ₽' },
  { kop: 100_000, label: '1000 ₽' },
  { kop: 50_000, label: '500 ₽' },
  { kop: 20_000, label: '200 ₽' },
  { kop: 10_000, label: '100 ₽' },
  { kop: 5_000, label: '50 ₽' },
  { kop: 1_000, label: '10 ₽' },
  { kop: 500, label: '5 ₽' },
  { kop: 200, label: '2 ₽' },
  { kop: 100, label: '1 ₽' },
  { kop: 50, label: '50 коп' },
  { kop: 10, label: '10 коп' },
];

export interface CashCountResult {
  countedKop: number;
  expectedKop: number;
  differenceKop: number;
}

export function CashCountDialog({
  opened,
  expectedKop,
  onClose,
  onDone,
}: {
  opened: boolean;
  expectedKop: number | null;
  onClose: () => void;
  onDone: (r: CashCountResult) => void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'faces' | 'total'>('faces');
  const [counts, setCounts] = useState<Record<number, number>>({});
  const [total, setTotal] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [opId, setOpId] = useState(newOpId());

  const counted = useMemo(
    () => (mode === 'faces' ? FACES.reduce((s, f) => s + f.kop * (counts[f.kop] ?? 0), 0) : inputToKop(total)),
    [mode, counts, total],
  );
  const difference = counted !== null && expectedKop !== null ? counted - expectedKop : null;

  const submit = async (): Promise<void> => {
    if (counted === null) return;
    setBusy(true);
    setError(null);
    try {
      const body =
        mode === 'faces'
          ? {
              opId,
              denominations: Object.fromEntries(
                FACES.filter((f) => (counts[f.kop] ?? 0) > 0).map((f) => [String(f.kop), counts[f.kop] ?? 0]),
              ),
            }
          : { opId, countedKop: counted };
      const r = await api<CashCountResult>('POST', '/api/cash/count', body);
      onDone(r);
      setCounts({});
      setTotal('');
      setOpId(newOpId());
    } catch (e) {
      setError(e instanceof ProblemError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} size="lg" title={<Title order={3}>{t('reports.count')}</Title>}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v)}
            data={[
              { value: 'faces', label: t('reports.byFaces') },
              { value: 'total', label: t('reports.byTotal') },
            ]}
          />
          {mode === 'faces' ? (
            <SimpleGrid cols={4} spacing="xs">
              {FACES.map((f, i) => (
                <NumberInput
                  key={f.kop}
                  label={f.label}
                  min={0}
                  max={100_000}
                  allowDecimal={false}
                  allowNegative={false}
                  value={counts[f.kop] ?? ''}
                  data-autofocus={i === 0 ? true : undefined}
                  onChange={(v) => setCounts((c) => ({ ...c, [f.kop]: typeof v === 'number' ? v : Number(v) || 0 }))}
                  data-testid={`face-${f.kop}`}
                />
              ))}
            </SimpleGrid>
          ) : (
            <TextInput
              size="lg"
              data-autofocus
              label={t('reports.countedTotal')}
              value={total}
              onChange={(e) => setTotal(e.currentTarget.value.replace(/[^\d.,]/g, ''))}
              data-testid="count-total"
            />
          )}
          <Group justify="space-between">
            <Stack gap={0}>
              <Text c="dimmed" size="sm">
                {t('reports.counted')}
              </Text>
              <Text fw={700} size="xl" data-testid="count-counted">
                {money(counted)}
              </Text>
            </Stack>
            <Stack gap={0}>
              <Text c="dimmed" size="sm">
                {t('reports.expected')}
              </Text>
              <Text fw={700} size="xl">
                {money(expectedKop)}
              </Text>
            </Stack>
            <Stack gap={0}>
              <Text c="dimmed" size="sm">
                {t('reports.difference')}
              </Text>
              <Text fw={700} size="xl" c={difference === null || difference === 0 ? 'green' : 'red'} data-testid="count-difference">
                {difference === null ? '—' : `${difference > 0 ? '+' : ''}${money(difference)}`}
              </Text>
            </Stack>
          </Group>
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={busy} disabled={counted === null} data-testid="count-submit">
              {t('reports.recordCount')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
