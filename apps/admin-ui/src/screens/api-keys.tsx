/**
 * «API-ключи»: keys for the programs of integrators (a billing, a supplier, a provider) — list them
 * with their scopes, expiry and last use; create one (the key is shown once, with a copy button);
 * revoke one after a confirmation. Every control is reachable with Tab and works with Enter or Space.
 */
import { Alert, Badge, Button, Card, Checkbox, Code, CopyButton, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { Page } from '../components/page.tsx';
import { ago, dateTime } from '../format.ts';
import { DateField } from '@paydesk/ui-kit';

const SCOPES = [
  { value: 'read', label: 'read — справочники, кассы и платежи (чтение)' },
  { value: 'feed', label: 'feed — лента платежей, сторно и показаний' },
  { value: 'imports', label: 'imports — загрузка счетов, начислений и счётчиков' },
  { value: 'registries', label: 'registries — реестры поставщикам' },
  { value: 'reconcile', label: 'reconcile — сверка с провайдерами и передача платежей' },
] as const;

interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  state: 'active' | 'revoked' | 'expired';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface CreatedKey {
  id: string;
  name: string;
  key: string;
  expiresAt: string | null;
}

const STATE: Record<ApiKey['state'], { label: string; color: string }> = {
  active: { label: 'действует', color: 'green' },
  revoked: { label: 'отозван', color: 'gray' },
  expired: { label: 'истёк', color: 'orange' },
};

export function ApiKeysScreen() {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const load = useCallback(() => {
    api<{ items: ApiKey[] }>('GET', '/api/v1/api-keys')
      .then((r) => setKeys(r.items))
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);

  return (
    <Page
      title="API-ключи"
      error={error}
      actions={
        <Button onClick={() => setCreating(true)} data-testid="apikey-new">
          Новый ключ
        </Button>
      }
    >
      <Text c="dimmed" maw={900}>
        Ключи для программ интеграторов — биллинга, поставщиков, провайдеров — вместо входа по паролю. Ключ действует как роль «интегратор»,
        но только в своих областях и никогда — в адресах касс и администратора; передаётся в заголовке{' '}
        <Code>Authorization: Bearer pda_…</Code>. Сам ключ показывается один раз: на сервере хранится только его хеш.
      </Text>
      <Card withBorder>
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs" data-testid="apikeys-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Название и начало ключа</Table.Th>
                <Table.Th>Области</Table.Th>
                <Table.Th>Состояние и срок</Table.Th>
                <Table.Th>Использован</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((k) => (
                <Table.Tr key={k.id} data-testid={`apikey-${k.name}`}>
                  <Table.Td>
                    <Text fw={600}>{k.name}</Text>
                    <Group gap={6}>
                      <Code fz="xs">{k.prefix}…</Code>
                      <Text size="xs" c="dimmed">
                        создан {dateTime(k.createdAt)}
                      </Text>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {k.scopes.map((s) => (
                        <Badge key={s} variant="light" size="sm" tt="none">
                          {s}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap', minWidth: 130 }}>
                    <Badge color={STATE[k.state].color} style={{ overflow: 'visible' }} data-testid={`apikey-state-${k.name}`}>
                      {STATE[k.state].label}
                    </Badge>
                    <Text size="xs" c="dimmed">
                      {k.revokedAt ? dateTime(k.revokedAt) : k.expiresAt ? `до ${dateTime(k.expiresAt)}` : 'бессрочно'}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid={`apikey-used-${k.name}`}>
                    {k.lastUsedAt ? ago(k.lastUsedAt) : 'никогда'}
                  </Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      {k.state !== 'revoked' && (
                        <Button
                          size="xs"
                          variant="light"
                          color="red"
                          onClick={() => setRevoking(k)}
                          data-testid={`apikey-revoke-${k.name}`}
                        >
                          Отозвать
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {keys.length === 0 && <Text c="dimmed">Ключей пока нет.</Text>}
      </Card>
      <CreateDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false);
          setCreated(k);
          load();
        }}
      />
      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title={<Title order={3}>Ключ «{created?.name}» создан</Title>}
        size="xl"
        closeOnClickOutside={false}
      >
        {created && (
          <Stack data-testid="apikey-created">
            <Alert color="orange" title="Ключ показан один раз">
              Скопируйте его сейчас и передайте в программу интегратора. На сервере хранится только его хеш: потерянный ключ не восстановить
              — отзовите его и создайте новый.
            </Alert>
            <Code block fz="md" data-testid="apikey-secret" style={{ wordBreak: 'break-all' }}>
              {created.key}
            </Code>
            <Text size="sm" c="dimmed">
              {created.expiresAt ? `Действует до ${dateTime(created.expiresAt)}.` : 'Действует, пока его не отзовут.'}
            </Text>
            <Group justify="flex-end">
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button
                    data-autofocus
                    variant={copied ? 'light' : 'filled'}
                    color={copied ? 'green' : 'indigo'}
                    onClick={copy}
                    data-testid="apikey-copy"
                  >
                    {copied ? 'Скопировано' : 'Скопировать'}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setCreated(null)} data-testid="apikey-done">
                Готово
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={<Title order={3}>Отозвать ключ «{revoking?.name}»?</Title>}
      >
        <Stack>
          <Text>Программа, которая им пользуется, сразу получит отказ (401). Отзыв нельзя отменить: для неё понадобится новый ключ.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Отмена
            </Button>
            <Button
              color="red"
              data-autofocus
              data-testid="apikey-revoke-confirm"
              onClick={() => {
                const k = revoking;
                setRevoking(null);
                if (k)
                  api('POST', `/api/v1/api-keys/${k.id}/revoke`)
                    .then(load)
                    .catch((e: unknown) => setError(errorText(e)));
              }}
            >
              Отозвать
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}

function CreateDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (k: CreatedKey) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!opened) return;
    setName('');
    setScopes([]);
    setExpires('');
    setError(null);
  }, [opened]);
  const save = async (): Promise<void> => {
    if (scopes.length === 0) {
      setError('Отметьте хотя бы одну область');
      return;
    }
    try {
      onCreated(await api<CreatedKey>('POST', '/api/v1/api-keys', { name, scopes, ...(expires ? { expiresAt: expires } : {}) }));
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={<Title order={3}>Новый API-ключ</Title>} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          <TextInput
            label="Название"
            description="Кому и для чего: «Биллинг Эксперт, лента»"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
            required
            data-testid="apikey-name"
          />
          <Checkbox.Group
            label="Области"
            description="Ключ откроет только эти адреса"
            value={scopes}
            onChange={setScopes}
            data-testid="apikey-scopes"
          >
            <Stack gap={6} mt={6}>
              {SCOPES.map((s) => (
                <Checkbox key={s.value} value={s.value} label={s.label} data-testid={`apikey-scope-${s.value}`} />
              ))}
            </Stack>
          </Checkbox.Group>
          <DateField
            optional
            label="Действует до (необязательно)"
            description="С начала этого дня ключ перестанет работать; пусто — бессрочно"
            value={expires}
            onChange={setExpires}
            w={260}
            data-testid="apikey-expires"
          />
          {error && (
            <Alert color="red" data-testid="apikey-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Отмена
            </Button>
            <Button type="submit" data-testid="apikey-save">
              Создать
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
