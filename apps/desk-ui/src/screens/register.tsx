/**
 * «ККМ»: open the shift, X report, Z report (warns with the count when operations are unsent), cash
 * in and cash out, cancel a receipt, reprint, cut, continue printing; the register's state: shift age
 * and time left of 24 hours, paper, fiscal drive, documents unsent to the ОФД, drawer cash; the tape.
 */
import { Alert, Button, Grid, Group, Modal, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newOpId, ProblemError } from '../api/client.ts';
import type { DeskStatus } from '../api/types.ts';
import { age, driverName, duration, inputToKop, money } from '../format.ts';
import { ShiftTotalsTable, type Totals } from '../components/shift-totals.tsx';
import { UnresolvedOps } from '../components/unresolved-ops.tsx';
import { CardTerminal } from '../components/card-terminal.tsx';
import { CorrectionDialog } from '../components/correction-dialog.tsx';

interface TapeDoc {
  id: number;
  type: string;
  tape: string;
}

type Action = 'open' | 'cash_in' | 'cash_out' | null;

/** What the app's hotkeys (Alt+X, Alt+Z, Alt+=, Alt+-) ask of this screen from anywhere. */
export type RegisterHotAction = 'x' | 'z' | 'cash_in' | 'cash_out';
export const REGISTER_ACTION_EVENT = 'paydesk:register-action';
const HOTKEY_LABEL: Record<string, string> = { x: 'Alt+X', z: 'Alt+Z', cash_in: 'Alt+=', cash_out: 'Alt+−' };

export function RegisterScreen({ status, seniorApprovalNeeded = true }: { status: DeskStatus | null; seniorApprovalNeeded?: boolean }) {
  const { t, i18n } = useTranslation();
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tape, setTape] = useState<TapeDoc[]>([]);
  const [dialog, setDialog] = useState<Action>(null);
  const [amount, setAmount] = useState('');
  const [comment, setComment] = useState('');
  const [unsentConfirm, setUnsentConfirm] = useState<number | null>(null);
  /** The Z report ends the shift: asked once more, with «Отмена» under the cashier's Enter. */
  const [zConfirm, setZConfirm] = useState(false);
  /** «Чек коррекции»: its own dialog, by a senior cashier. */
  const [correcting, setCorrecting] = useState(false);
  /** The button a finished action came from takes the focus back: the keyboard never falls to the page. */
  const buttonRefs = useRef(new Map<string, HTMLButtonElement>());
  const lastButton = useRef<string | null>(null);
  const refocus = useCallback(() => {
    // The button is still "loading" (disabled) until React renders the finished state: try for a moment.
    let tries = 0;
    const attempt = (): void => {
      const keys = [lastButton.current, 'x', 'open'].filter((k): k is string => k !== null);
      const target = keys.map((k) => buttonRefs.current.get(k)).find((b) => b && !b.disabled && !b.dataset['loading']);
      if (target && (tries > 5 || target === buttonRefs.current.get(lastButton.current ?? ''))) {
        target.focus();
        return;
      }
      if (++tries < 20) setTimeout(attempt, 25);
      else target?.focus();
    };
    setTimeout(attempt, 0);
  }, []);
  const [opId, setOpId] = useState(newOpId());
  const [totals, setTotals] = useState<Record<string, unknown> | null>(null);

  const loadTape = useCallback(() => {
    void api<{ items: TapeDoc[] }>('GET', '/api/register/tape?limit=10')
      .then((r) => setTape(r.items.reverse()))
      .catch(() => undefined);
  }, []);
  useEffect(loadTape, [loadTape]);

  const run = async (name: string, fn: () => Promise<unknown>, ok: string): Promise<void> => {
    setBusy(name);
    setMessage(null);
    try {
      const r = await fn();
      setMessage({ color: 'green', text: ok });
      if (r && typeof r === 'object' && 'totals' in r) setTotals((r as { totals: Record<string, unknown> }).totals);
      setOpId(newOpId());
    } catch (e) {
      // A definite refusal ends this operation: a corrected one is new. An unknown outcome keeps its id.
      if (e instanceof ProblemError && e.status < 500 && e.code !== 'fiscal.outcome_unknown' && e.code !== 'shift.unsent')
        setOpId(newOpId());
      if (e instanceof ProblemError && e.code === 'shift.unsent') setUnsentConfirm(Number(e.body['unsentCount'] ?? 0));
      else setMessage({ color: 'red', text: e instanceof ProblemError ? e.message : String(e) });
    } finally {
      setBusy(null);
      loadTape();
      refocus();
    }
  };

  const closeShift = (confirmUnsent: boolean) =>
    run('z', () => api('POST', '/api/shift/close', { opId, confirmUnsent }), t('register.done'));
  const submitDialog = async (): Promise<void> => {
    const kop = inputToKop(amount);
    const action = dialog;
    setDialog(null);
    if (action === 'open') await run('open', () => api('POST', '/api/shift/open', { opId, openingFloatKop: kop ?? 0 }), t('register.done'));
    else if (action && kop)
      await run(
        action,
        () =>
          api('POST', action === 'cash_in' ? '/api/cash/in' : '/api/cash/out', { opId, amountKop: kop, ...(comment ? { comment } : {}) }),
        t('register.done'),
      );
    setAmount('');
    setComment('');
  };

  const s = status;
  const shiftMinutes = s?.shift.openedAt ? Math.floor((Date.now() - new Date(s.shift.openedAt).getTime()) / 60_000) : null;
  const leftMinutes = s?.shift.expiresAt ? Math.floor((new Date(s.shift.expiresAt).getTime() - Date.now()) / 60_000) : null;
  const buttons: [string, string, () => void, boolean?][] = [
    ['open', t('register.openShift'), () => setDialog('open'), s?.shift.open],
    ['x', t('register.xReport'), () => void run('x', () => api('POST', '/api/register/x-report'), t('register.done')), !s?.shift.open],
    ['z', t('register.closeShift'), () => setZConfirm(true), !s?.shift.open],
    ['cash_in', t('register.cashIn'), () => setDialog('cash_in'), !s?.shift.open],
    ['cash_out', t('register.cashOut'), () => setDialog('cash_out'), !s?.shift.open],
    [
      'cancel',
      t('register.cancelReceipt'),
      () => void run('cancel', () => api('POST', '/api/register/cancel-receipt'), t('register.done')),
    ],
    ['reprint', t('register.reprint'), () => void run('reprint', () => api('POST', '/api/register/reprint-last'), t('register.done'))],
    [
      'continue',
      t('register.continuePrint'),
      () => void run('continue', () => api('POST', '/api/register/continue-print'), t('register.done')),
    ],
    ['cut', t('register.cut'), () => void run('cut', () => api('POST', '/api/register/cut'), t('register.done'))],
    ['correction', t('register.correction'), () => setCorrecting(true), !s?.shift.open],
  ];

  const hot = useRef<(a: RegisterHotAction) => void>(() => undefined);
  hot.current = (a) => {
    if (!s?.shift.open || busy) return;
    lastButton.current = a;
    if (a === 'x') void run('x', () => api('POST', '/api/register/x-report'), t('register.done'));
    else if (a === 'z') setZConfirm(true);
    else setDialog(a);
  };
  useEffect(() => {
    const onAction = (e: Event): void => hot.current((e as CustomEvent<RegisterHotAction>).detail);
    window.addEventListener(REGISTER_ACTION_EVENT, onAction);
    return () => window.removeEventListener(REGISTER_ACTION_EVENT, onAction);
  }, []);

  return (
    <Stack gap="md">
      <Title order={2}>{t('register.title')}</Title>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <SimpleGrid cols={3} spacing="sm">
            {buttons.map(([key, label, fn, disabled], i) => (
              <Button
                key={key}
                size="lg"
                h={72}
                variant={key === 'z' ? 'filled' : 'light'}
                color={key === 'z' ? 'red' : key === 'open' ? 'green' : undefined}
                disabled={disabled === true}
                loading={busy === key}
                onClick={() => {
                  lastButton.current = key;
                  fn();
                }}
                ref={(el) => {
                  if (el) buttonRefs.current.set(key, el);
                  else buttonRefs.current.delete(key);
                }}
                title={HOTKEY_LABEL[key]}
                // Long labels («Повторить последний чек») wrap inside the button instead of being cut.
                styles={{ label: { whiteSpace: 'normal', textAlign: 'center', lineHeight: 1.2 } }}
                autoFocus={i === 0 && !s?.shift.open}
                data-testid={`register-${key}`}
              >
                <Stack gap={0} align="center">
                  <span>{label}</span>
                  {HOTKEY_LABEL[key] && (
                    <Text span size="xs" opacity={0.7}>
                      {HOTKEY_LABEL[key]}
                    </Text>
                  )}
                </Stack>
              </Button>
            ))}
          </SimpleGrid>
          {message && (
            <Alert mt="md" color={message.color} variant="filled" data-testid="register-message">
              {message.text}
            </Alert>
          )}
          <UnresolvedOps
            refreshKey={`${s?.register.state ?? ''}:${busy ?? ''}:${message?.text ?? ''}`}
            needsApproval={seniorApprovalNeeded}
          />
          <CardTerminal refreshKey={`${s?.register.state ?? ''}:${busy ?? ''}:${message?.text ?? ''}`} />
          {totals && (
            <Paper withBorder p="sm" mt="md" data-testid="x-totals">
              <Text fw={700}>{t('register.xReport')}</Text>
              <ShiftTotalsTable totals={totals as unknown as Totals} />
            </Paper>
          )}
          <Paper withBorder p="md" mt="md" radius="md" data-testid="register-status">
            <Title order={4} mb="sm">
              {t('register.status')}
            </Title>
            <Table fz="md" verticalSpacing={4}>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Td>{t('register.driver')}</Table.Td>
                  <Table.Td>{driverName(s?.register.driver)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t('register.shiftAge')}</Table.Td>
                  <Table.Td>
                    {shiftMinutes !== null
                      ? `№ ${s?.shift.number ?? ''}, ${duration(shiftMinutes, i18n.language)}`
                      : t('status.shiftClosed')}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t('register.timeLeft')}</Table.Td>
                  <Table.Td c={leftMinutes !== null && leftMinutes < 120 ? 'red' : undefined}>
                    {leftMinutes !== null ? (leftMinutes > 0 ? duration(leftMinutes, i18n.language) : t('status.shiftExpired')) : '—'}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t('register.paper')}</Table.Td>
                  <Table.Td c={s?.register.paperPresent ? undefined : 'red'}>
                    {s?.register.paperPresent ? t('register.present') : t('register.absent')}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t('register.fn')}</Table.Td>
                  <Table.Td>{s?.register.fnValidUntil?.split('-').reverse().join('.') ?? '—'}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t('register.ofd')}</Table.Td>
                  <Table.Td>
                    {s?.register.unsentToOfdCount ?? 0}
                    {s?.register.oldestUnsentToOfdAt
                      ? `, ${t('register.oldestOfd')} ${age(s.register.oldestUnsentToOfdAt, Date.now(), i18n.language)}`
                      : ''}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t('register.drawer')}</Table.Td>
                  <Table.Td fw={700}>{money(s?.register.drawerKop)}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Title order={4} mb="xs">
            {t('register.tape')}
          </Title>
          <Paper withBorder p="sm" bg="#fffef6" mah={620} style={{ overflow: 'auto' }}>
            {tape.map((d) => (
              <pre
                key={d.id}
                style={{
                  margin: '0 0 12px',
                  fontFamily: '"DejaVu Sans Mono", monospace',
                  fontSize: 12,
                  borderBottom: '1px dashed #bbb',
                  paddingBottom: 8,
                }}
              >
                {d.tape}
              </pre>
            ))}
          </Paper>
        </Grid.Col>
      </Grid>

      <CorrectionDialog
        opened={correcting}
        needsApproval={seniorApprovalNeeded}
        onClose={() => {
          setCorrecting(false);
          refocus();
        }}
        onDone={(text) => {
          setCorrecting(false);
          setMessage({ color: 'green', text });
          loadTape();
          refocus();
        }}
      />
      <Modal
        returnFocus={false}
        opened={dialog !== null}
        onClose={() => {
          setDialog(null);
          refocus();
        }}
        title={
          <Title order={3}>
            {dialog === 'open' ? t('register.openShift') : dialog === 'cash_in' ? t('register.cashIn') : t('register.cashOut')}
          </Title>
        }
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submitDialog();
          }}
        >
          <Stack>
            <TextInput
              size="lg"
              data-autofocus
              label={dialog === 'open' ? t('register.float') : t('register.amount')}
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value.replace(/[^\d.,]/g, ''))}
              data-testid="register-amount"
            />
            {dialog !== 'open' && (
              <TextInput label={t('register.comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} />
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDialog(null)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" data-testid="register-submit">
                {t('common.ok')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <Modal
        returnFocus={false}
        opened={zConfirm}
        onClose={() => {
          setZConfirm(false);
          refocus();
        }}
        title={<Title order={3}>{t('register.closeShift')}</Title>}
      >
        <Stack data-testid="z-confirm">
          <Text size="lg">{t('register.zConfirm', { number: s?.shift.number ?? '' })}</Text>
          <Group justify="flex-end">
            <Button
              variant="default"
              data-autofocus
              onClick={() => {
                setZConfirm(false);
                refocus();
              }}
            >
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              onClick={() => {
                setZConfirm(false);
                void closeShift(false);
              }}
              data-testid="z-confirm-yes"
            >
              {t('register.closeAnyway')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        returnFocus={false}
        opened={unsentConfirm !== null}
        onClose={() => setUnsentConfirm(null)}
        title={<Title order={3}>{t('register.closeShift')}</Title>}
      >
        <Stack>
          <Alert color="orange" variant="light" data-testid="unsent-warning">
            {t('register.unsentWarning', { count: unsentConfirm ?? 0 })}
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setUnsentConfirm(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              data-autofocus
              onClick={() => {
                setUnsentConfirm(null);
                void closeShift(true);
              }}
              data-testid="close-anyway"
            >
              {t('register.closeAnyway')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
