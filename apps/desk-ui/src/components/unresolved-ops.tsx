/**
 * Operations the register could not account for, on the «ККМ» screen: those whose outcome is unknown
 * (the register forgot, its counters moved oddly) and receipts fiscalised but not printed. The cashier
 * asks the register again; what it cannot tell, a senior cashier settles by hand with what the device
 * shows — «пробит» with the document number (ФД) from the device, or «не пробит» — with a comment.
 */
import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  PasswordInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ProblemError } from '../api/client.ts';
import { money, time } from '../format.ts';

interface Op {
  opId: string;
  kind: string;
  number: string | null;
  totalKop: number | null;
  createdAt: string;
  reason: string | null;
}

export function UnresolvedOps({ refreshKey, needsApproval }: { refreshKey: unknown; needsApproval: boolean }) {
  const { t } = useTranslation();
  const [ops, setOps] = useState<{ unresolved: Op[]; unprinted: Op[] }>({ unresolved: [], unprinted: [] });
  const [settling, setSettling] = useState<Op | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(() => {
    void api<{ unresolved: Op[]; unprinted: Op[] }>('GET', '/api/register/unresolved')
      .then(setOps)
      .catch(() => undefined);
  }, []);
  useEffect(load, [load, refreshKey]);

  if (ops.unresolved.length === 0 && ops.unprinted.length === 0) return null;
  const reconcile = async (): Promise<void> => {
    setMessage(null);
    try {
      const r = await api<{ settled: number; unresolved: number }>('POST', '/api/register/reconcile');
      setMessage(t('unresolved.reconciled', { settled: r.settled, unresolved: r.unresolved }));
    } catch (e) {
      setMessage(e instanceof ProblemError ? e.message : String(e));
    }
    load();
  };
  const rows = (list: Op[], unprinted: boolean) =>
    list.map((o) => (
      <Table.Tr key={o.opId} data-testid="unresolved-row">
        <Table.Td>{time(o.createdAt)}</Table.Td>
        <Table.Td>{o.number ?? t(`unresolved.kinds.${o.kind}`, { defaultValue: o.kind })}</Table.Td>
        <Table.Td>{o.totalKop !== null ? money(o.totalKop) : '—'}</Table.Td>
        <Table.Td>{unprinted ? t('unresolved.notPrinted') : (o.reason ?? t('unresolved.noAnswer'))}</Table.Td>
        <Table.Td>
          {!unprinted && (
            <Button size="xs" variant="light" color="orange" onClick={() => setSettling(o)} data-testid="settle-open">
              {t('unresolved.settle')}
            </Button>
          )}
        </Table.Td>
      </Table.Tr>
    ));
  return (
    <Paper withBorder p="md" radius="md" mt="md" data-testid="unresolved">
      <Title order={4} c="orange.8">
        {t('unresolved.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {t('unresolved.hint')}
      </Text>
      <Table fz="sm">
        <Table.Tbody>
          {rows(ops.unresolved, false)}
          {rows(ops.unprinted, true)}
        </Table.Tbody>
      </Table>
      <Group mt="sm">
        {ops.unresolved.length > 0 && (
          <Button variant="light" onClick={() => void reconcile()} data-testid="reconcile">
            {t('unresolved.askRegister')}
          </Button>
        )}
      </Group>
      {message && (
        <Alert mt="sm" variant="light">
          {message}
        </Alert>
      )}
      {settling && (
        <SettleDialog
          op={settling}
          needsApproval={needsApproval}
          onClose={() => {
            setSettling(null);
            load();
          }}
        />
      )}
    </Paper>
  );
}

function SettleDialog({ op, needsApproval, onClose }: { op: Op; needsApproval: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<'done' | 'not_done'>('done');
  const [documentNumber, setDocumentNumber] = useState<number | string>('');
  const [comment, setComment] = useState('');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (): Promise<void> => {
    setError(null);
    try {
      await api('POST', '/api/register/settle', {
        opId: op.opId,
        outcome,
        comment,
        ...(outcome === 'done' ? { documentNumber: Number(documentNumber) } : {}),
        ...(needsApproval ? { approval: { login, password } } : {}),
      });
      onClose();
    } catch (e) {
      setError(e instanceof ProblemError ? e.message : String(e));
    }
  };
  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={<Title order={3}>{t('unresolved.settleTitle', { what: op.number ?? op.kind })}</Title>}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <Text size="sm">{t('unresolved.settleHint')}</Text>
          <SegmentedControl
            value={outcome}
            onChange={(v) => setOutcome(v)}
            data={[
              { value: 'done', label: t('unresolved.done') },
              { value: 'not_done', label: t('unresolved.notDone') },
            ]}
            data-testid="settle-outcome"
          />
          {outcome === 'done' && (
            <NumberInput
              label={t('unresolved.documentNumber')}
              value={documentNumber}
              onChange={setDocumentNumber}
              min={1}
              allowDecimal={false}
              data-autofocus
              data-testid="settle-document"
            />
          )}
          <TextInput
            label={t('unresolved.comment')}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            data-testid="settle-comment"
          />
          {needsApproval && (
            <Group grow>
              <TextInput
                label={t('login.login')}
                value={login}
                onChange={(e) => setLogin(e.currentTarget.value)}
                data-testid="settle-login"
              />
              <PasswordInput
                label={t('login.password')}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                data-testid="settle-password"
              />
            </Group>
          )}
          {error && (
            <Alert color="red" variant="filled">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              type="submit"
              color="orange"
              disabled={comment.trim().length < 3 || (outcome === 'done' && !documentNumber)}
              data-testid="settle-submit"
            >
              {t('unresolved.confirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
