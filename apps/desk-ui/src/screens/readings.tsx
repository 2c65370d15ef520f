/**
 * «Показания ПУ»: account → its meters → the new value and its date (today by default). Every finding
 * of the checks shows next to its meter: errors block, a confirmation is asked once, warnings inform.
 * A meter past its verification date says so as soon as it is shown. A value below the previous one
 * is a question, not a confirmation: «Ошибка ввода» (focused, Enter or Esc: back to the value to
 * correct it) or «Счётчик перешёл через ноль» (Tab, then Enter), which alone takes the rollover.
 */
import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { verificationExpired } from '@paydesk/domain';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import type { AccountDetails, Meter } from '../api/types.ts';
import { AccountSearch } from '../components/account-search.tsx';
import { meterValue, period } from '../format.ts';
import { DateField } from '@paydesk/ui-kit';

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

const ROLLOVER = 'reading.rollover';
const dmy = (iso: string): string => iso.split('-').reverse().join('.');
function MeterReading({ account, meter, autoFocus }: { account: string; meter: Meter; autoFocus: boolean }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [date, setDate] = useState(new Date().toLocaleDateString('en-CA'));
  const [findings, setFindings] = useState<Finding[]>([]);
  const [toConfirm, setToConfirm] = useState<string[]>([]);
  /** What the reading would mean, from the desk's question: the consumption a rollover gives. */
  const [consumption, setConsumption] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [opId, setOpId] = useState(newOpId());
  const [last, setLast] = useState({ value: meter.lastValue, date: meter.lastDate });
  const field = useRef<HTMLInputElement>(null);
  const typo = useRef<HTMLButtonElement>(null);
  const rollover = useRef<HTMLButtonElement>(null);
  const askRollover = toConfirm.includes(ROLLOVER);
  const expired = verificationExpired(meter.verificationDue, date);

  // The question takes the focus on its safe answer: an Enter out of habit corrects, never confirms.
  useEffect(() => {
    if (askRollover) typo.current?.focus();
  }, [askRollover]);

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
      setConsumption(null);
      const rolled = r.findings.some((f) => f.code === ROLLOVER);
      setSaved(
        t(rolled ? 'readings.savedRollover' : 'readings.saved', { period: period(r.period), consumption: meterValue(r.consumption) }),
      );
      setLast({ value, date });
      setValue('');
      setOpId(newOpId());
    } catch (e) {
      if (e instanceof ProblemError) {
        const f = (e.body['findings'] as Finding[] | undefined) ?? [];
        setFindings(f);
        setToConfirm((e.body['confirm'] as string[] | undefined) ?? []);
        setConsumption((e.body['consumption'] as string | null | undefined) ?? null);
        if (e.code !== 'reading.needs_confirmation' && e.code !== 'reading.rejected') setError(e.message);
      } else setError(String(e));
    }
  };

  /** «Ошибка ввода»: nothing is sent; back in the field with the value selected, so typing replaces it. */
  const correct = (): void => {
    setFindings([]);
    setToConfirm([]);
    setConsumption(null);
    field.current?.focus();
    field.current?.select();
  };

  return (
    <Paper withBorder p="md" radius="md" data-testid={`meter-${meter.serial}`}>
      {expired && meter.verificationDue && (
        <Alert
          color="red"
          variant="light"
          mb="sm"
          data-testid="verification-expired"
          title={t('readings.expiredTitle', { date: dmy(meter.verificationDue) })}
        >
          {t('readings.expiredText')}
        </Alert>
      )}
      <Group align="flex-end" gap="lg">
        <Stack gap={0} miw={240}>
          <Text fw={700} size="lg">
            {meter.serviceName}
          </Text>
          <Text c={expired ? 'red.8' : 'dimmed'}>
            {t('readings.serial')} {meter.serial}
            {meter.verificationDue ? ` · ${t('readings.verification', { date: dmy(meter.verificationDue) })}` : ''}
          </Text>
          <Text>
            {t('readings.last')}: <b>{meterValue(last.value)}</b>
            {last.date ? ` (${dmy(last.date)})` : ''}
          </Text>
        </Stack>
        <TextInput
          ref={field}
          size="lg"
          w={200}
          label={t('readings.value')}
          value={value}
          autoFocus={autoFocus}
          onChange={(e) => {
            setValue(e.currentTarget.value.replace(/[^\d.,]/g, ''));
            setFindings([]);
            setToConfirm([]);
            setConsumption(null);
            setSaved(null);
          }}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            // The question stands until it is answered: Enter in the field only goes back to it.
            if (askRollover) typo.current?.focus();
            else void submit(toConfirm);
          }}
          data-testid="reading-value"
        />
        <DateField size="lg" w={170} label={t('readings.date')} value={date} onChange={setDate} />
        <Button
          size="lg"
          disabled={!value || askRollover}
          onClick={() => void submit(toConfirm)}
          color={toConfirm.length ? 'orange' : undefined}
          data-testid="reading-submit"
        >
          {toConfirm.length ? t('readings.confirm') : t('readings.save')}
        </Button>
      </Group>
      {askRollover && (
        <Alert
          color="orange"
          variant="light"
          mt="sm"
          data-testid="reading-rollover"
          title={t('readings.rolloverTitle', { value, last: last.value ?? '—' })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              // Esc answers «Ошибка ввода»; it does not leave the account.
              e.preventDefault();
              e.stopPropagation();
              correct();
            } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              e.preventDefault();
              (document.activeElement === typo.current ? rollover : typo).current?.focus();
            }
          }}
        >
          <Text mb="sm">{t('readings.rolloverQuestion')}</Text>
          <Group gap="sm">
            <Button ref={typo} size="md" variant="filled" onClick={correct} data-testid="rollover-typo">
              {t('readings.rolloverTypo')}
            </Button>
            <Button
              ref={rollover}
              size="md"
              variant="outline"
              color="orange"
              onClick={() => void submit(toConfirm)}
              data-testid="rollover-confirm"
            >
              {t('readings.rolloverConfirm', { consumption: meterValue(consumption) })}
            </Button>
          </Group>
        </Alert>
      )}
      <Stack gap={6} mt={findings.length || saved || error ? 'sm' : 0}>
        {findings
          // The rollover and the jump it brings are the question above while it is asked.
          .filter((f) => !askRollover || (f.code !== ROLLOVER && f.code !== 'reading.jump'))
          .map((f) => (
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
