/** «Сотрудники»: users and roles, a new password, lock and unlock. */
import { Alert, Badge, Button, Card, Group, Modal, PasswordInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api/client.ts';
import type { Point } from '../api/types.ts';
import { Page } from '../components/page.tsx';
import { dateTime } from '../format.ts';

interface User {
  id: string;
  login: string;
  name: string;
  role: string;
  inn: string | null;
  pointId: string | null;
  active: boolean;
  lockedUntil: string | null;
  failedLogins: number;
  createdAt: string;
}

const ROLES = ['cashier', 'senior_cashier', 'admin', 'integrator'] as const;

export function PeopleScreen() {
  const { t } = useTranslation();
  const [users, setUsers] = useState<User[]>([]);
  const [points, setPoints] = useState<Point[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [password, setPassword] = useState<User | null>(null);
  const load = useCallback(() => {
    Promise.all([api<{ items: User[] }>('GET', '/api/v1/users'), api<{ items: Point[] }>('GET', '/api/v1/points?limit=500')])
      .then(([u, p]) => {
        setUsers(u.items);
        setPoints(p.items);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);
  const toggle = (u: User): void => {
    api('PATCH', `/api/v1/users/${u.id}`, { active: !u.active })
      .then(load)
      .catch((e: unknown) => setError(errorText(e)));
  };
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
  return (
    <Page
      title="Сотрудники"
      error={error}
      actions={
        <Button onClick={() => setEditing('new')} data-testid="user-new">
          Новый сотрудник
        </Button>
      }
    >
      <Card withBorder>
        <Table striped verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Логин</Table.Th>
              <Table.Th>Имя</Table.Th>
              <Table.Th>Роль</Table.Th>
              <Table.Th>ИНН кассира</Table.Th>
              <Table.Th>Пункт</Table.Th>
              <Table.Th>Состояние</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((u) => (
              <Table.Tr key={u.id} data-testid={`user-${u.login}`}>
                <Table.Td fw={600}>{u.login}</Table.Td>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{t(`roles.${u.role}`)}</Table.Td>
                <Table.Td>{u.inn ?? '—'}</Table.Td>
                <Table.Td>{points.find((p) => p.id === u.pointId)?.name ?? 'любой'}</Table.Td>
                <Table.Td>
                  {!u.active ? (
                    <Badge color="gray">заблокирован</Badge>
                  ) : u.lockedUntil && new Date(u.lockedUntil) > new Date() ? (
                    <Badge color="orange">вход закрыт до {dateTime(u.lockedUntil)}</Badge>
                  ) : (
                    <Badge color="green">активен</Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end">
                    <Button size="xs" variant="default" onClick={() => setEditing(u)}>
                      Изменить
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setPassword(u)} data-testid={`password-${u.login}`}>
                      Пароль
                    </Button>
                    <Button
                      size="xs"
                      variant="light"
                      color={u.active ? 'red' : 'green'}
                      onClick={() => toggle(u)}
                      data-testid={`toggle-${u.login}`}
                    >
                      {u.active ? 'Заблокировать' : 'Разблокировать'}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <UserDialog
        user={editing}
        points={points}
        roleOptions={roleOptions}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          load();
        }}
      />
      <PasswordDialog user={password} onClose={() => setPassword(null)} />
    </Page>
  );
}

function UserDialog({
  user,
  points,
  roleOptions,
  onClose,
  onSaved,
}: {
  user: User | 'new' | null;
  points: Point[];
  roleOptions: { value: string; label: string }[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const existing = user !== 'new' ? user : null;
  const [form, setForm] = useState({ login: '', name: '', role: 'cashier', password: '', inn: '', pointId: '' });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setForm({
      login: existing?.login ?? '',
      name: existing?.name ?? '',
      role: existing?.role ?? 'cashier',
      password: '',
      inn: existing?.inn ?? '',
      pointId: existing?.pointId ?? '',
    });
    setError(null);
  }, [user, existing]);
  const save = async (): Promise<void> => {
    const common = { name: form.name, role: form.role, inn: form.inn || null, pointId: form.pointId || null };
    try {
      if (existing) await api('PATCH', `/api/v1/users/${existing.id}`, common);
      else await api('POST', '/api/v1/users', { ...common, login: form.login, password: form.password });
      onSaved();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal opened={user !== null} onClose={onClose} title={<Title order={3}>{existing ? existing.name : 'Новый сотрудник'}</Title>}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <TextInput
            label="Логин"
            value={form.login}
            disabled={existing !== null}
            onChange={(e) => setForm({ ...form, login: e.currentTarget.value })}
            data-autofocus
            data-testid="user-login"
          />
          <TextInput
            label="Фамилия и инициалы"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            data-testid="user-name"
          />
          <Select
            label="Роль"
            data={roleOptions}
            value={form.role}
            onChange={(v) => setForm({ ...form, role: v ?? 'cashier' })}
            allowDeselect={false}
            data-testid="user-role"
          />
          {!existing && (
            <PasswordInput
              label="Пароль"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
              data-testid="user-password"
              description="Не короче 8 символов и не из частых паролей: лучше фраза из нескольких слов"
            />
          )}
          <TextInput
            label="ИНН кассира (печатается в чеке)"
            value={form.inn}
            onChange={(e) => setForm({ ...form, inn: e.currentTarget.value.replace(/\D/g, '') })}
            maxLength={12}
          />
          <Select
            label="Пункт"
            data={[{ value: '', label: 'любой' }, ...points.map((p) => ({ value: p.id, label: p.name }))]}
            value={form.pointId}
            onChange={(v) => setForm({ ...form, pointId: v ?? '' })}
            allowDeselect={false}
          />
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Отмена
            </Button>
            <Button type="submit" data-testid="user-save">
              Сохранить
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function PasswordDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  useEffect(() => {
    setPassword('');
    setMessage(null);
  }, [user]);
  const save = async (): Promise<void> => {
    if (!user) return;
    try {
      await api('POST', `/api/v1/users/${user.id}/password`, { password });
      setMessage({ color: 'green', text: 'Пароль изменён. Сообщите его сотруднику лично.' });
    } catch (e) {
      setMessage({ color: 'red', text: errorText(e) });
    }
  };
  return (
    <Modal opened={user !== null} onClose={onClose} title={<Title order={3}>Новый пароль: {user?.name}</Title>}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <PasswordInput
            label="Пароль"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-autofocus
            data-testid="new-password"
            description="Не короче 8 символов и не из частых паролей: лучше фраза из нескольких слов"
          />
          {message && <Alert color={message.color}>{message.text}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Закрыть
            </Button>
            <Button type="submit" disabled={password.length < 8}>
              Задать
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
