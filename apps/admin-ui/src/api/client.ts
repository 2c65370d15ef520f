/** The server's back-office API as the screens call it: the shared client of both UIs. */
import { createClient } from '@paydesk/ui-kit';

export { ProblemError, errorText } from '@paydesk/ui-kit';

const client = createClient({
  tokenKey: 'paydesk.admin.token',
  signInPath: '/api/v1/auth/login',
  unreachable: { code: 'server.unreachable', message: 'Сервер не отвечает. Проверьте связь и повторите.' },
});

export const { api, download, setToken, getToken } = client;
