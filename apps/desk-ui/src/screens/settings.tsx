/** «Настройки» (administrators): the server, sync and pull intervals, the register's driver and address. */
import { Alert, Button, Group, NumberInput, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { driverName, taxSystemName } from '../format.ts';
import { api, ProblemError } from '../api/client.ts';
import type { Cashier } from '../api/types.ts';
import { setLanguage } from '../i18n/index.ts';

interface Settings {
  deskId: string | null;
  deskName: string | null;
  epoch: number | null;
  serverUrl: string | null;
  syncIntervalSeconds: number;
  pullIntervalSeconds: number;
  register: { driver: string; url: string | null; user: string | null };
  registerActive: { driver: string; url?: string };
  terminal: { driver: string | null; url: string | null };
  terminalActive: { driver: string; url?: string };
  billingName: string;
  point: { address: string | null; place: string | null; orgName: string | null; orgInn: string | null };
  agent: { type: string; phone: string | null; operatorPhone: string | null; taxSystem: string };
}

export function SettingsScreen({ cashier }: { cashier: Cashier }) {
  const { t, i18n } = useTranslation();
  const [s, setS] = useState<Settings | null>(null);
  const [server, setServer] = useState('');
  const [sync, setSync] = useState<number | string>(30);
  const [pull, setPull] = useState<number | string>(60);
  const [driver, setDriver] = useState('virtual');
  const [url, setUrl] = useState('');
  const [terminal, setTerminal] = useState('standalone');
  const [terminalUrl, setTerminalUrl] = useState('');
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const admin = cashier.role === 'admin';

  useEffect(() => {
    void api<Settings>('GET', '/api/settings').then((x) => {
      setS(x);
      setServer(x.serverUrl ?? '');
      setSync(x.syncIntervalSeconds);
      setPull(x.pullIntervalSeconds);
      setDriver(x.register.driver);
      setUrl(x.register.url ?? '');
      setTerminal(x.terminal.driver ?? x.terminalActive.driver);
      setTerminalUrl(x.terminal.url ?? '');
    });
  }, []);

  const save = async (): Promise<void> => {
    try {
      const r = await api<{ restartNeeded: boolean }>('PUT', '/api/settings', {
        ...(server ? { serverUrl: server } : {}),
        syncIntervalSeconds: Number(sync),
        pullIntervalSeconds: Number(pull),
        register: driver === 'virtual' ? { driver } : { driver, url },
        terminal: terminal === 'kkmserver' ? { driver: terminal, url: terminalUrl } : { driver: terminal },
      });
      setMessage({ color: 'green', text: r.restartNeeded ? `${t('settings.saved')}. ${t('settings.restart')}` : t('settings.saved') });
    } catch (e) {
      setMessage({ color: 'red', text: e instanceof ProblemError ? e.message : String(e) });
    }
  };

  if (!s) return <Text>{t('common.loading')}</Text>;
  return (
    <Stack gap="md" maw={760}>
      <Title order={2}>{t('settings.title')}</Title>
      {!admin && <Alert color="gray">{t('settings.adminOnly')}</Alert>}
      <Paper withBorder p="md" radius="md">
        <Stack>
          <Text c="dimmed">
            {s.deskName} · {s.deskId} · эпоха {s.epoch}
          </Text>
          <TextInput
            size="md"
            label={t('settings.server')}
            value={server}
            onChange={(e) => setServer(e.currentTarget.value)}
            disabled={!admin}
          />
          <Group grow>
            <NumberInput size="md" label={t('settings.sync')} min={5} max={3600} value={sync} onChange={setSync} disabled={!admin} />
            <NumberInput size="md" label={t('settings.pull')} min={5} max={3600} value={pull} onChange={setPull} disabled={!admin} />
          </Group>
          <Stack gap={4}>
            <Text fw={500}>{t('settings.driver')}</Text>
            <SegmentedControl
              value={driver}
              onChange={setDriver}
              disabled={!admin}
              data={[
                { value: 'virtual', label: driverName('virtual') },
                { value: 'atol', label: driverName('atol') },
                { value: 'kkmserver', label: driverName('kkmserver') },
              ]}
            />
            {driver !== 'virtual' && (
              <TextInput
                size="md"
                label={t('settings.url')}
                placeholder={driver === 'atol' ? 'http://127.0.0.1:16732' : 'http://127.0.0.1:5893'}
                value={url}
                onChange={(e) => setUrl(e.currentTarget.value)}
                disabled={!admin}
              />
            )}
            <Text size="sm" c="dimmed">
              Сейчас: {driverName(s.registerActive.driver)}
              {s.registerActive.url ? ` ${s.registerActive.url}` : ''}
            </Text>
          </Stack>
          <Stack gap={4}>
            <Text fw={500}>{t('settings.terminal')}</Text>
            <SegmentedControl
              value={terminal}
              onChange={setTerminal}
              disabled={!admin}
              data={[
                { value: 'standalone', label: t('card.drivers.standalone') },
                { value: 'kkmserver', label: t('card.drivers.kkmserver') },
                { value: 'virtual', label: t('card.drivers.virtual') },
              ]}
              data-testid="settings-terminal"
            />
            {terminal === 'kkmserver' && (
              <TextInput
                size="md"
                label={t('settings.url')}
                placeholder="http://127.0.0.1:5893"
                value={terminalUrl}
                onChange={(e) => setTerminalUrl(e.currentTarget.value)}
                disabled={!admin}
              />
            )}
            <Text size="sm" c="dimmed">
              Сейчас: {t(`card.drivers.${s.terminalActive.driver}`, { defaultValue: s.terminalActive.driver })}
              {s.terminalActive.url ? ` ${s.terminalActive.url}` : ''}
            </Text>
          </Stack>
          <Stack gap={4}>
            <Text fw={500}>{t('settings.language')}</Text>
            <SegmentedControl
              value={i18n.language}
              onChange={(v) => setLanguage(v as 'ru' | 'en')}
              data={[
                { value: 'ru', label: 'Русский' },
                { value: 'en', label: 'English' },
              ]}
            />
          </Stack>
          {message && (
            <Alert color={message.color} variant="light">
              {message.text}
            </Alert>
          )}
          <Button size="md" onClick={() => void save()} disabled={!admin}>
            {t('settings.save')}
          </Button>
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Stack gap={4}>
          <Text>
            Организация: {s.point.orgName ?? '—'}, ИНН {s.point.orgInn ?? '—'}
          </Text>
          <Text>Адрес расчётов: {s.point.address ?? '—'}</Text>
          <Text>
            Агент: {s.agent.type === 'paying_subagent' ? 'платёжный субагент' : 'платёжный агент'}, тел. {s.agent.phone ?? '—'}; СНО{' '}
            {taxSystemName(s.agent.taxSystem)}
          </Text>
          <Text size="sm" c="dimmed">
            Эти реквизиты задаёт администратор на сервере.
          </Text>
        </Stack>
      </Paper>
    </Stack>
  );
}
