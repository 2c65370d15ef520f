/**
 * «Показания ПУ»: account → its meters → the new value and its date (today by default). Every finding
 * of the checks shows next to its meter: errors block, a confirmation is asked once, warnings inform.
 */
import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import type { AccountDetails, Meter } from '../api/types.ts';
import { AccountSearch } from '../components/account-search.tsx';
import { period } from '../format.ts';

interface Finding {
  code: string;
  severity: 'error' | 'confirm' | 'warning';
  message: string;
}

export function ReadingsScreen({ accountNumber, onAccount }: { accountNumber: string | null; onAccount: (n: string | null) => void }) {
  const { t } = useTranslation();
  const [account, setAccount] = useState<AccountDetails | null>(null);
  useEffect(() => {
    if (!accountNumber) {
      setAccount(null);
      return;
    }
    void api<AccountDetails>('GET', `/api/accounts/${encodeURIComponent(accountNumber)}`).then(setAccount);
  }, [accountNumber]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && accountNumber) onAccount(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [accountNumber, onAccount]);

  return (
    <Stack gap="md">
      <Title order={2}>{t('readings.title')}</Title>
      {!accountNumber && <AccountSearch onOpen={(n) => onAccount(n)} />}
      {account && (
        <Stack gap="md">
          <Paper withBorder p="md" radius="md">
            <Group justify="space-between">
              <Stack gap={0}>
                <Title order={3} ff="monospace">
                  {account.number}
                </Title>
                <Text size="lg">
                  {account.address} · {account.ownerName}
                </Text>
              </Stack>
              <Button variant="subtle" onClick={() => onAccount(null)}>
                {t('billing.back')}
              </Button>
            </Group>
          </Paper>
          {account.meters.length === 0 && <Text c="dimmed">{t('readings.noMeters')}</Text>}
          {account.meters.map((m, i) => (
            <MeterReading key={m.id} account={account.number} meter={m} autoFocus={i === 0} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function MeterReading({ account, meter, autoFocus }: { account: string; meter: Meter; autoFocus: boolean }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [date, setDate] = useState(new Date().toLocaleDateString('en-CA'));
  const [findings, setFindings] = useState<Finding[]>([]);
  const [toConfirm, setToConfirm] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [opId, setOpId] = useState(newOpId());
  const [last, setLast] = useState({ value: meter.lastValue, date: meter.lastDate });

  const submit = async (confirmed: string[]): Promise<void> => {
    setError(null);
    try {
      const r = await api<{ period: string; consumption: string | null; findings: Finding[] }>('POST', '/api/readings', {
        opId,
        accountNumber: account,
        meterId: meter.id,
        value,
        date,
        confirmed,
      });
      setFindings(r.findings);
      setToConfirm([]);
      setSaved(t('readings.saved', { period: period(r.period), consumption: r.consumption ?? '—' }));
      setLast({ value, date });
      setValue('');
      setOpId(newOpId());
    } catch (e) {
      if (e instanceof ProblemError) {
        const f = (e.body['findings'] as Finding[] | undefined) ?? [];
        setFindings(f);
        setToConfirm((e.body['confirm'] as string[] | undefined) ?? []);
        if (e.code !== 'reading.needs_confirmation' && e.code !== 'reading.rejected') setError(e.message);
      } else setError(String(e));
    }
  };

  return (
    <Paper withBorder p="md" radius="md" data-testid={`meter-${meter.serial}`}>
      <Group align="flex-end" gap="lg">
        <Stack gap={0} miw={240}>
          <Text fw={700} size="lg">
            {meter.serviceName}
          </Text>
          <Text c="dimmed">
            {t('readings.serial')} {meter.serial}
            {meter.verificationDue
              ? ` · ${t('readings.verification', { date: meter.verificationDue.split('-').reverse().join('.') })}`
              : ''}
          </Text>
          <Text>
            {t('readings.last')}: <b>{last.value ?? '—'}</b>
            {last.date ? ` (${last.date.split('-').reverse().join('.')})` : ''}
          </Text>
        </Stack>
        <TextInput
          size="lg"
          w={200}
          label={t('readings.value')}
          value={value}
          autoFocus={autoFocus}
          onChange={(e) => {
            setValue(e.currentTarget.value.replace(/[^\d.,]/g, ''));
            setFindings([]);
            setToConfirm([]);
            setSaved(null);
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), void submit(toConfirm.length ? toConfirm : []))}
          data-testid="reading-value"
        />
        <TextInput size="lg" w={170} type="date" label={t('readings.date')} value={date} onChange={(e) => setDate(e.currentTarget.value)} />
        <Button
          size="lg"
          disabled={!value}
          onClick={() => void submit(toConfirm)}
          color={toConfirm.length ? 'orange' : undefined}
          data-testid="reading-submit"
        >
          {toConfirm.length ? t('readings.confirm') : t('readings.save')}
        </Button>
      </Group>
      <Stack gap={6} mt={findings.length || saved || error ? 'sm' : 0}>
        {findings.map((f) => (
          <Alert
            key={f.code}
            color={f.severity === 'error' ? 'red' : f.severity === 'confirm' ? 'orange' : 'yellow'}
            variant={f.severity === 'error' ? 'filled' : 'light'}
            data-finding={f.code}
          >
            {f.message}
          </Alert>
        ))}
        {saved && (
          <Alert color="green" variant="light" data-testid="reading-saved">
            {saved}
          </Alert>
        )}
        {error && (
          <Alert color="red" variant="filled">
            {error}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
