/**
 * «Журнал»: the shift's operations and search by number, account, phone; a payment's details and its
 * receipt; reversal from here (Del), with the senior cashier's approval dialog when needed.
 */
import {
  Alert,
  Badge,
  Button,
  Drawer,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useEffect, useRef, useState } from 'react';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { api, forgetReversalOpId, ProblemError, rememberReversalOpId, reversalOpId } from '../api/client.ts';
import type { Fiscal } from '../api/types.ts';
import { ReceiptView } from '../components/receipt-view.tsx';
import { dateTime, money, time } from '../format.ts';

interface Entry {
  operationId: string;
  kind: string;
  number: string | null;
  state: string;
  createdAt: string;
  cashierName: string;
  totalKop: number | null;
  method: string | null;
  accountNumber: string | null;
  providerCode: string | null;
  providerName: string | null;
  providerAccount: string | null;
  reversedBy: string | null;
  error: string | null;
  sync: { state: string; code: string | null; message: string | null } | null;
  forwarding: string | null;
}

interface Details {
  paymentId: string;
  number: string;
  kind: string;
  state: string;
  totalKop: number;
  commissionKop: number;
  fiscal: Fiscal | null;
  tape: string | null;
  createdAt: string;
  cashierName: string;
  accountNumber: string | null;
  providerCode: string | null;
  providerName: string | null;
  providerAccount: string | null;
  sync: { state: string; code?: string | null; message?: string | null } | null;
  forwarding: { state: string; prvTxn?: string | null; comment?: string | null } | null;
  reversal: { number: string | null; state: string; createdAt: string } | null;
}

const PAYMENT_KINDS = new Set(['billing', 'thirdparty', 'service']);

export function JournalScreen() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState('payments');
  const [q, setQ] = useState('');
  const search = useRef<HTMLInputElement>(null);
  const [debounced] = useDebouncedValue(q, 150);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [active, setActive] = useState(0);
  const [details, setDetails] = useState<Details | null>(null);
  const [reversing, setReversing] = useState<Details | null>(null);

  const load = useCallback(async () => {
    const params = new URLSearchParams({ limit: '200' });
    if (debounced) params.set('q', debounced);
    if (filter === 'payments') params.set('kind', 'payments');
    if (filter === 'unsent') params.set('state', 'unsent');
    if (filter === 'rejected') params.set('state', 'rejected');
    const r = await api<{ items: Entry[] }>('GET', `/api/payments?${params.toString()}`);
    setEntries(r.items);
    setActive((a) => Math.min(a, Math.max(r.items.length - 1, 0)));
  }, [debounced, filter]);

  useEffect(() => {
    void load();
  }, [load]);

  const open = async (e: Entry | undefined): Promise<void> => {
    if (!e || !PAYMENT_KINDS.has(e.kind)) return;
    setDetails(await api<Details>('GET', `/api/payments/${e.operationId}`));
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (details || reversing) return;
      if ((e.target as HTMLElement).tagName === 'TEXTAREA') return;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => Math.min(a + 1, entries.length - 1));
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => Math.max(a - 1, 0));
      } else if (e.key === 'Enter') {
        e.preventDefault();
        void open(entries[active]);
      } else if (e.key === 'Delete') {
        const entry = entries[active];
        if (entry && PAYMENT_KINDS.has(entry.kind) && !entry.reversedBy) {
          e.preventDefault();
          void api<Details>('GET', `/api/payments/${entry.operationId}`).then(setReversing);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [entries, active, details, reversing]);

  const what = (e: Entry): string =>
    e.accountNumber ? `л/с ${e.accountNumber}` : e.providerCode ? `${e.providerName ?? e.providerCode} ${e.providerAccount ?? ''}` : '';

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>{t('journal.title')}</Title>
        <SegmentedControl
          value={filter}
          onChange={setFilter}
          data={[
            { value: 'payments', label: t('journal.payments') },
            { value: 'all', label: t('journal.all') },
            { value: 'unsent', label: t('journal.unsent') },
            { value: 'rejected', label: t('journal.rejected') },
          ]}
        />
      </Group>
      <TextInput
        ref={search}
        size="md"
        autoFocus
        placeholder={t('journal.search')}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        data-testid="journal-search"
      />
      <Table highlightOnHover verticalSpacing="xs" fz="md" data-testid="journal">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('journal.time')}</Table.Th>
            <Table.Th>{t('journal.number')}</Table.Th>
            <Table.Th>{t('journal.kind')}</Table.Th>
            <Table.Th>{t('journal.what')}</Table.Th>
            <Table.Th ta="right">{t('journal.sum')}</Table.Th>
            <Table.Th>{t('journal.state')}</Table.Th>
            <Table.Th>{t('journal.sync')}</Table.Th>
            <Table.Th>{t('journal.cashier')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e, i) => (
            <Table.Tr
              key={e.operationId}
              bg={i === active ? 'blue.0' : undefined}
              onClick={() => {
                setActive(i);
                void open(e);
              }}
              style={{ cursor: 'pointer' }}
              data-kind={e.kind}
            >
              <Table.Td>{time(e.createdAt)}</Table.Td>
              <Table.Td ff="monospace">{e.number ?? '—'}</Table.Td>
              <Table.Td>{t(`kinds.${e.kind}`, { defaultValue: e.kind })}</Table.Td>
              <Table.Td>{what(e)}</Table.Td>
              <Table.Td ta="right" td={e.reversedBy ? 'line-through' : undefined}>
                {e.totalKop !== null ? money(e.totalKop) : ''}
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Badge color={e.state === 'done' ? 'green' : e.state === 'failed' ? 'red' : 'orange'} variant="light">
                    {t(`states.${e.state}`)}
                  </Badge>
                  {e.reversedBy && <Badge color="gray">{t('journal.reversed')}</Badge>}
                  {e.forwarding && (
                    <Badge
                      color={e.forwarding === 'confirmed' ? 'teal' : e.forwarding === 'failed' ? 'red' : 'blue'}
                      variant="outline"
                      data-testid="forwarding-state"
                    >
                      {t(`states.${e.forwarding}`)}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                {e.sync ? (
                  <Badge variant="dot" color={e.sync.state === 'pending' ? 'yellow' : e.sync.state === 'rejected' ? 'red' : 'green'}>
                    {t(`states.${e.sync.state}`)}
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm" truncate maw={160}>
                  {e.cashierName}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {entries.length === 0 && <Text c="dimmed">{t('common.empty')}</Text>}

      <Drawer
        opened={details !== null}
        onClose={() => {
          setDetails(null);
          setTimeout(() => search.current?.focus(), 0);
        }}
        position="right"
        size="xl"
        title={details ? <Title order={3}>{t('pay.number', { number: details.number })}</Title> : null}
      >
        {details && (
          <Stack>
            <Text size="lg">
              {dateTime(details.createdAt)} · {details.cashierName}
            </Text>
            <Text size="lg">
              {t(`kinds.${details.kind}`)} ·{' '}
              {details.accountNumber
                ? `л/с ${details.accountNumber}`
                : `${details.providerName ?? details.providerCode ?? ''} ${details.providerAccount ?? ''}`}
            </Text>
            <Text size="xl" fw={700}>
              {money(details.totalKop)}
              {details.commissionKop > 0 ? ` (${t('billing.commission').toLowerCase()} ${money(details.commissionKop)})` : ''}
            </Text>
            <Group gap="xs">
              <Badge size="lg">{t(`states.${details.state}`)}</Badge>
              {details.sync && (
                <Badge size="lg" variant="dot">
                  {t('journal.sync')}: {t(`states.${details.sync.state}`)}
                </Badge>
              )}
              {details.forwarding && (
                <Badge size="lg" variant="outline">
                  {t('journal.forwarding')}: {t(`states.${details.forwarding.state}`)}
                  {details.forwarding.prvTxn ? ` · № ${details.forwarding.prvTxn}` : ''}
                </Badge>
              )}
            </Group>
            {details.sync?.message && <Alert color={details.sync.state === 'rejected' ? 'red' : 'yellow'}>{details.sync.message}</Alert>}
            {details.forwarding?.comment && <Alert color="gray">{details.forwarding.comment}</Alert>}
            {details.reversal && (
              <Alert color="gray">
                {t('journal.reversed')}: {details.reversal.number} · {dateTime(details.reversal.createdAt)}
              </Alert>
            )}
            <ReceiptView tape={details.tape} fiscal={details.fiscal} />
            {details.state === 'done' && details.fiscal && (
              <Button
                variant="light"
                onClick={() =>
                  void api<{ documentNumber: number }>('POST', `/api/payments/${details.paymentId}/copy`)
                    .then((r) => notifications.show({ color: 'green', message: t('journal.copyPrinted', { number: r.documentNumber }) }))
                    .catch((e: unknown) => notifications.show({ color: 'red', message: e instanceof ProblemError ? e.message : String(e) }))
                }
                data-testid="receipt-copy"
              >
                {t('journal.copy')}
              </Button>
            )}
            {!details.reversal && details.state === 'done' && (
              <Button
                color="red"
                variant="light"
                onClick={() => {
                  setReversing(details);
                  setDetails(null);
                }}
                data-testid="reverse"
              >
                {t('journal.reverse')}
              </Button>
            )}
          </Stack>
        )}
      </Drawer>
      {reversing && (
        <ReversalDialog
          payment={reversing}
          onClose={() => {
            setReversing(null);
            void load();
            // Back to the journal's search, not the page: the next key is the cashier's again.
            setTimeout(() => search.current?.focus(), 0);
          }}
        />
      )}
    </Stack>
  );
}

function ReversalDialog({ payment, onClose }: { payment: Details; onClose: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [needsApproval, setNeedsApproval] = useState(false);
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ number: string; amountKop: number } | null>(null);
  // The field that had the focus is gone once the reversal is done: «Закрыть» takes it, so Enter closes.
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (done) closeButton.current?.focus();
  }, [done]);
  // One op id per payment's reversal until it has an outcome, kept across a reopened dialog, a reload
  // and another tab: a retry after a lost answer is the same reversal, never a second one.
  const [opId] = useState(() => reversalOpId(payment.paymentId));

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    rememberReversalOpId(payment.paymentId, opId);
    try {
      const r = await api<{ number: string; amountKop: number }>('POST', '/api/reversals', {
        opId,
        paymentId: payment.paymentId,
        reason,
        ...(needsApproval ? { approval: { login, password } } : {}),
      });
      forgetReversalOpId(payment.paymentId);
      setDone(r);
    } catch (e) {
      // A definite answer (refused, failed at the register) ends this attempt; an unknown one keeps its id.
      if (e instanceof ProblemError && e.code !== 'fiscal.outcome_unknown' && e.status < 500) forgetReversalOpId(payment.paymentId);
      if (e instanceof ProblemError && e.body['needsApproval'] === true) {
        setNeedsApproval(true);
        if (needsApproval) setError(e.message);
      } else setError(e instanceof ProblemError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={
        <Title order={3}>
          {t('journal.reverse')}: {payment.number}, {money(payment.totalKop)}
        </Title>
      }
    >
      {done ? (
        <Stack data-testid="reversal-done">
          <Alert color="green" variant="light">
            {t('register.done')}: № {done.number}, {money(done.amountKop)}
          </Alert>
          <Button size="lg" ref={closeButton} onClick={onClose} data-testid="reversal-close">
            {t('common.close')}
          </Button>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Textarea
              size="md"
              label={t('journal.reason')}
              data-autofocus
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              minRows={2}
              data-testid="reversal-reason"
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void submit();
                }
              }}
            />
            {needsApproval && (
              <Stack gap="xs" data-testid="approval">
                <Text fw={700}>{t('journal.approval')}</Text>
                <Text size="sm" c="dimmed">
                  {t('journal.approvalHint')}
                </Text>
                <Group grow>
                  <TextInput
                    label={t('login.login')}
                    value={login}
                    onChange={(e) => setLogin(e.currentTarget.value)}
                    data-autofocus
                    data-testid="approval-login"
                  />
                  <PasswordInput
                    label={t('login.password')}
                    value={password}
                    onChange={(e) => setPassword(e.currentTarget.value)}
                    data-testid="approval-password"
                  />
                </Group>
              </Stack>
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
              <Button color="red" type="submit" loading={busy} disabled={reason.trim().length < 3} data-testid="reversal-submit">
                {t('journal.doReverse')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
