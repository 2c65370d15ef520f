/**
 * The card terminal on the «ККМ» screen: which one, сверка итогов with its totals set beside the desk's
 * own card journal, cards charged whose receipt did not follow («Допробить чеки»), and card operations
 * whose outcome the terminal cannot tell — settled by a senior cashier from the terminal's own report.
 */
import { Alert, Button, Code, Group, Modal, Paper, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ProblemError } from '../api/client.ts';
import { money, time } from '../format.ts';

interface Totals {
  payCount: number;
  payKop: number;
  refundCount: number;
  refundKop: number;
}

interface Settlement {
  terminal: Totals | null;
  journal: Totals;
  matches: boolean | null;
  differences: string[];
  slip: string[];
}

interface OpenCharge {
  commandId: string;
  operation: string;
  amountKop: number;
  state: string;
  reason: string | null;
  at: string;
}

interface CardState {
  terminal: { driver: string };
  open: OpenCharge[];
  chargedWithoutReceipt: { opId: string; amountKop: number }[];
}

function TotalsRow({ label, t }: { label: string; t: Totals | null }) {
  return (
    <Table.Tr>
      <Table.Td>{label}</Table.Td>
      <Table.Td>{t ? `${t.payCount} / ${money(t.payKop)}` : '—'}</Table.Td>
      <Table.Td>{t ? `${t.refundCount} / ${money(t.refundKop)}` : '—'}</Table.Td>
    </Table.Tr>
  );
}

export function CardTerminal({ refreshKey }: { refreshKey: unknown }) {
  const { t } = useTranslation();
  const [state, setState] = useState<CardState | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const [settlement, setSettlement] = useState<Settlement | null>(null);
  const [settling, setSettling] = useState<OpenCharge | null>(null);
  const [charged, setCharged] = useState<'yes' | 'no'>('no');
  const [rrn, setRrn] = useState('');
  const [code, setCode] = useState('');
  const load = useCallback(() => {
    void api<CardState>('GET', '/api/card')
      .then(setState)
      .catch(() => undefined);
  }, []);
  useEffect(load, [load, refreshKey]);
  if (!state) return null;
  const connected = state.terminal.driver !== 'standalone';

  const run = async (key: string, fn: () => Promise<void>): Promise<void> => {
    setBusy(key);
    setMessage(null);
    try {
      await fn();
    } catch (e) {
      setMessage({ color: 'red', text: e instanceof ProblemError ? e.message : String(e) });
    } finally {
      setBusy(null);
      load();
    }
  };
  const settle = (): Promise<void> =>
    run('settlement', async () => {
      const s = await api<Settlement>('POST', '/api/card/settlement', {});
      setSettlement(s);
      setMessage(
        s.matches === false
          ? { color: 'orange', text: t('card.settlementDiffers') }
          : { color: 'green', text: s.matches === null ? t('card.settlementDoneNoTotals') : t('card.settlementMatches') },
      );
    });
  const recover = (): Promise<void> =>
    run('recover', async () => {
      const r = await api<{ finished: number; unknown: number }>('POST', '/api/card/recover', {});
      setMessage({ color: r.unknown > 0 ? 'orange' : 'green', text: t('card.recovered', { finished: r.finished, unknown: r.unknown }) });
    });
  const submitSettle = (): Promise<void> =>
    run('settle-one', async () => {
      if (!settling) return;
      await api(
        'POST',
        `/api/card/charges/${settling.commandId}/settle`,
        charged === 'yes' ? { charged: true, rrn, authCode: code } : { charged: false },
      );
      setSettling(null);
      setMessage({ color: 'green', text: t('card.settledByHand') });
    });

  return (
    <Paper withBorder p="md" mt="md" radius="md" data-testid="card-terminal">
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t('card.title')}</Title>
        <Text c="dimmed">{t(`card.drivers.${state.terminal.driver}`, { defaultValue: state.terminal.driver })}</Text>
      </Group>
      {state.chargedWithoutReceipt.length > 0 && (
        <Alert color="red" variant="filled" mb="sm" title={t('card.orphansTitle')} data-testid="card-orphans">
          <Stack gap="xs">
            <Text>
              {t('card.orphans', {
                count: state.chargedWithoutReceipt.length,
                sum: money(state.chargedWithoutReceipt.reduce((s, c) => s + c.amountKop, 0)),
              })}
            </Text>
            <Button variant="white" color="dark" loading={busy === 'recover'} onClick={() => void recover()} data-testid="card-recover">
              {t('card.recover')}
            </Button>
          </Stack>
        </Alert>
      )}
      {state.open.length > 0 && (
        <Table mb="sm" data-testid="card-open">
          <Table.Tbody>
            {state.open.map((o) => (
              <Table.Tr key={o.commandId}>
                <Table.Td>{time(o.at)}</Table.Td>
                <Table.Td>{t(`card.operations.${o.operation}`, { defaultValue: o.operation })}</Table.Td>
                <Table.Td>{money(o.amountKop)}</Table.Td>
                <Table.Td>{o.reason ?? t('card.noAnswer')}</Table.Td>
                <Table.Td>
                  <Button size="xs" color="orange" variant="light" onClick={() => setSettling(o)} data-testid="card-settle-open">
                    {t('card.settle')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {connected ? (
        <Group gap="sm">
          <Button loading={busy === 'settlement'} onClick={() => void settle()} data-testid="card-settlement">
            {t('card.settlement')}
          </Button>
          <Button variant="light" loading={busy === 'recover'} onClick={() => void recover()}>
            {t('card.ask')}
          </Button>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('card.standaloneHint')}
        </Text>
      )}
      {message && (
        <Alert mt="sm" color={message.color} variant="light" data-testid="card-message">
          {message.text}
        </Alert>
      )}
      {settlement && (
        <Stack gap="xs" mt="sm" data-testid="card-settlement-result">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>{t('card.payments')}</Table.Th>
                <Table.Th>{t('card.refunds')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <TotalsRow label={t('card.byTerminal')} t={settlement.terminal} />
              <TotalsRow label={t('card.byJournal')} t={settlement.journal} />
            </Table.Tbody>
          </Table>
          {settlement.differences.map((d) => (
            <Text key={d} c="orange.8" size="sm">
              {d}
            </Text>
          ))}
          {settlement.slip.length > 0 && <Code block>{settlement.slip.join('\n')}</Code>}
        </Stack>
      )}
      <Modal opened={settling !== null} onClose={() => setSettling(null)} title={t('card.settleTitle')} size="lg">
        <Stack>
          <Text>{t('card.settleHelp', { sum: money(settling?.amountKop ?? 0) })}</Text>
          <SegmentedControl
            value={charged}
            onChange={(v) => setCharged(v)}
            data={[
              { value: 'no', label: t('card.notCharged') },
              { value: 'yes', label: t('card.charged') },
            ]}
          />
          {charged === 'yes' && (
            <Group grow>
              <TextInput label="RRN" value={rrn} maxLength={12} onChange={(e) => setRrn(e.currentTarget.value.replace(/\D/g, ''))} />
              <TextInput
                label={t('pay.approval')}
                value={code}
                maxLength={8}
                onChange={(e) => setCode(e.currentTarget.value.replace(/[^0-9A-Za-z]/g, '').toUpperCase())}
              />
            </Group>
          )}
          <Button loading={busy === 'settle-one'} onClick={() => void submitSettle()} data-testid="card-settle-submit">
            {t('card.settleSubmit')}
          </Button>
        </Stack>
      </Modal>
    </Paper>
  );
}
