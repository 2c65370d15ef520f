/** Sign-in (works offline against the replicated cashiers), and enrollment of a desk not yet enrolled. */
import { Alert, Button, Center, Paper, PasswordInput, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ProblemError, setToken } from '../api/client.ts';
import type { Cashier, DeskStatus } from '../api/types.ts';

export function LoginScreen({
  status,
  onSignedIn,
  lockedBy = null,
}: {
  status: DeskStatus | null;
  onSignedIn: (c: Cashier) => void;
  /** The cashier who locked the desk (Ctrl+L): the shift stays open, anyone may sign in. */
  lockedBy?: string | null;
}) {
  const { t } = useTranslation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState('http://127.0.0.1:8080');
  const [code, setCode] = useState('');
  const [pin, setPin] = useState('');

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ token: string; cashier: Cashier }>('POST', '/api/session', { login, password });
      setToken(r.token);
      onSignedIn(r.cashier);
    } catch (e) {
      setError(e instanceof ProblemError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const enroll = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/enroll', { serverUrl: server, code, pin });
    } catch (e) {
      setError(e instanceof ProblemError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (status && !status.enrolled) {
    return (
      <Center h="100vh">
        <Paper withBorder shadow="md" p="xl" w={460} radius="md">
          <Stack>
            <Title order={2}>{t('login.enrollTitle')}</Title>
            <Text c="dimmed">{t('login.notEnrolled')}</Text>
            <TextInput size="lg" label={t('login.serverUrl')} value={server} onChange={(e) => setServer(e.currentTarget.value)} />
            <TextInput size="lg" label={t('login.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} autoFocus />
            <TextInput
              size="lg"
              label={t('login.pin')}
              description={t('login.pinHint')}
              value={pin}
              onChange={(e) => setPin(e.currentTarget.value)}
              inputMode="numeric"
              onKeyDown={(e) => e.key === 'Enter' && void enroll()}
              data-testid="enroll-pin"
            />
            {error && (
              <Alert color="red" variant="filled">
                {error}
              </Alert>
            )}
            <Button size="lg" loading={busy} onClick={() => void enroll()}>
              {t('login.enroll')}
            </Button>
          </Stack>
        </Paper>
      </Center>
    );
  }

  return (
    <Center h="100vh" bg="gray.0">
      <Paper withBorder shadow="md" p="xl" w={420} radius="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Title order={2}>{t('login.title')}</Title>
            {lockedBy && (
              <Alert color="blue" variant="light" data-testid="locked">
                {t('login.locked', { name: lockedBy })}
              </Alert>
            )}
            <TextInput
              size="lg"
              label={t('login.login')}
              value={login}
              onChange={(e) => setLogin(e.currentTarget.value)}
              autoFocus
              autoComplete="username"
              data-testid="login"
            />
            <PasswordInput
              size="lg"
              label={t('login.password')}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="current-password"
              data-testid="password"
            />
            {error && (
              <Alert color="red" variant="filled" data-testid="login-error">
                {error}
              </Alert>
            )}
            <Button size="lg" type="submit" loading={busy} data-testid="sign-in">
              {t('login.submit')}
            </Button>
            <Text size="sm" c="dimmed">
              {t('login.offlineHint')}
            </Text>
            {status && !status.reference.loaded && (
              <Stack gap={4}>
                <Text size="sm">{t('login.referenceLoading', { rows: status.reference.rows })}</Text>
                <Progress value={100} animated />
              </Stack>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
