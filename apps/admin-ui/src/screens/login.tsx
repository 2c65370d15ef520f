/** Sign-in to the back office. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api, errorText, setToken } from '../api/client.ts';

export interface Me {
  id: string;
  login: string;
  name: string;
  role: 'admin' | 'senior_cashier' | 'cashier' | 'integrator';
}

export function LoginScreen({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ token: string }>('POST', '/api/v1/auth/login', { login, password });
      setToken(r.token);
      const me = await api<Me>('GET', '/api/v1/auth/me');
      if (me.role === 'cashier') {
        setToken(null);
        setError('Бэк-офис для администраторов, старших кассиров и интеграторов. Кассир работает на кассе.');
        return;
      }
      onSignedIn(me);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center h="100vh" bg="gray.1">
      <Paper withBorder shadow="md" p="xl" w={420}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Title order={2}>Paydesk — бэк-офис</Title>
            <TextInput label="Логин" value={login} onChange={(e) => setLogin(e.currentTarget.value)} autoFocus data-testid="login" />
            <PasswordInput label="Пароль" value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="password" />
            {error && (
              <Alert color="red" data-testid="login-error">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy} data-testid="login-submit">
              Войти
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
