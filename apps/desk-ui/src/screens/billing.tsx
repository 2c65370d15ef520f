/**
 * «Платежи <биллинг>»: find the account (or scan the bill), see its debts, set what to pay — per line,
 * or one total the desk spreads by the domain's rule — take cash or card, Enter. After a scan with
 * exact money that is one keystroke.
 */
import { Alert, Badge, Button, Grid, Group, Paper, ScrollArea, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, ProblemError } from '../api/client.ts';
import type { AccountDetails, BillPayment, PaymentResult, Quote } from '../api/types.ts';
import { AccountSearch } from '../components/account-search.tsx';
import { PaymentPanel, paymentInFlight, type PaymentPanelHandle } from '../components/payment-panel.tsx';
import { PaymentResultView } from '../components/payment-result.tsx';
import { dateTime, inputToKop, kopToInput, meterValue, money, period } from '../format.ts';

export interface BillPrefill {
  accountNumber: string;
  amountKop: number | null;
  sumNeedsConfirmation: boolean;
  period: string | null;
  /** Payments already taken on this bill, and whether every desk's were looked at or this one's only. */
  paid: BillPayment[];
  paidChecked: 'server' | 'this_desk';
}

/** «01.12 10:23, К1-000001 (500,00 ₽, Касса 2)» */
function paidText(p: BillPayment): string {
  return `${dateTime(p.at)}, ${p.number} (${money(p.totalKop)}${p.deskName ? `, ${p.deskName}` : ''})`;
}

/** Why a typed amount cannot be taken, in words; null when it can (or nothing is typed). */
function amountProblem(text: string, t: TFunction): string | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^-/.test(s)) return t('billing.amountNegative', { text: s });
  const kop = inputToKop(s);
  if (kop === null) return t('billing.amountUnreadable', { text: s });
  if (kop === 0) return t('billing.amountZero');
  return null;
}

type Mode =
  { kind: 'search' } | { kind: 'account'; number: string; prefill: BillPrefill | null } | { kind: 'result'; result: PaymentResult };

export function BillingScreen({
  billingName,
  prefill,
  onPrefillUsed,
  onReadings,
}: {
  billingName: string;
  prefill: BillPrefill | null;
  onPrefillUsed: () => void;
  onReadings: (account: string) => void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>({ kind: 'search' });

  useEffect(() => {
    if (prefill) {
      setMode({ kind: 'account', number: prefill.accountNumber, prefill });
      onPrefillUsed();
    }
  }, [prefill, onPrefillUsed]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      // A payment on its way to the register stays on screen until its answer: Esc cannot hide it.
      if (e.key === 'Escape' && mode.kind === 'account' && !paymentInFlight()) setMode({ kind: 'search' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mode.kind]);

  return (
    <Stack gap="md">
      <Title order={2}>{t('billing.title', { name: billingName })}</Title>
      {mode.kind === 'search' && <AccountSearch onOpen={(number) => setMode({ kind: 'account', number, prefill: null })} />}
      {mode.kind === 'account' && (
        <AccountPayment
          key={mode.number + String(mode.prefill?.amountKop)}
          number={mode.number}
          prefill={mode.prefill}
          onBack={() => setMode({ kind: 'search' })}
          onDone={(result) => setMode({ kind: 'result', result })}
          onReadings={onReadings}
        />
      )}
      {mode.kind === 'result' && <PaymentResultView result={mode.result} onNext={() => setMode({ kind: 'search' })} />}
    </Stack>
  );
}

interface LineInput {
  amount: string;
  penalty: string;
}

function AccountPayment({
  number,
  prefill,
  onBack,
  onDone,
  onReadings,
}: {
  number: string;
  prefill: BillPrefill | null;
  onBack: () => void;
  onDone: (r: PaymentResult) => void;
  onReadings: (account: string) => void;
}) {
  const { t } = useTranslation();
  const [account, setAccount] = useState<AccountDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lines, setLines] = useState<LineInput[]>([]);
  // 'total': one sum spread by the desk; 'lines': the cashier set each line.
  const [by, setBy] = useState<'total' | 'lines'>(prefill?.amountKop ? 'total' : 'lines');
  const [total, setTotal] = useState(prefill?.amountKop ? kopToInput(prefill.amountKop) : '');
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const panel = useRef<PaymentPanelHandle>(null);
  const [showAll, setShowAll] = useState(false);
  const lineInputs = useRef(new Map<number, HTMLInputElement>());
  /** Alt+N: pay only the N-th line shown (its whole debt and penalty), then on to the payment — one key. */
  const onlyLine = useRef<(n: number) => void>(() => undefined);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey && /^Digit[1-9]$/.test(e.code)) {
        e.preventDefault();
        onlyLine.current(Number(e.code.slice(5)));
      } else if (e.key === 'F3' && account) {
        // F3 from the account: the readings of this account, not an empty readings screen.
        e.preventDefault();
        e.stopImmediatePropagation();
        onReadings(account.number);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [account, onReadings]);

  useEffect(() => {
    api<AccountDetails>('GET', `/api/accounts/${encodeURIComponent(number)}`)
      .then((a) => {
        setAccount(a);
        setLines(
          a.debts.map((d) => ({ amount: kopToInput(d.debtKop), penalty: d.penaltyDebtKop > 0 ? kopToInput(d.penaltyDebtKop) : '' })),
        );
        if (!prefill?.amountKop) setTotal(kopToInput(a.totalDebtKop));
        setTimeout(() => panel.current?.focus(), 0);
      })
      .catch((e: unknown) => setError(e instanceof ProblemError ? e.message : String(e)));
  }, [number, prefill]);

  // The scanned bill travels with its payment, so scanning it again finds it.
  const bill = useMemo(() => (prefill ? { bill: { period: prefill.period, amountKop: prefill.amountKop } } : {}), [prefill]);
  const request = useMemo((): Record<string, unknown> | null => {
    if (!account) return null;
    if (by === 'total') {
      const kop = inputToKop(total);
      return kop && kop > 0 ? { kind: 'billing', accountNumber: account.number, amountKop: kop, ...bill } : null;
    }
    const out = account.debts.map((d, i) => ({
      serviceCode: d.serviceCode,
      period: d.period,
      amountKop: inputToKop(lines[i]?.amount ?? '') ?? 0,
      penaltyKop: inputToKop(lines[i]?.penalty ?? '') ?? 0,
    }));
    if (out.some((_, i) => (lines[i]?.amount ?? '') !== '' && inputToKop(lines[i]?.amount ?? '') === null)) return null;
    return out.some((l) => l.amountKop + l.penaltyKop > 0) ? { kind: 'billing', accountNumber: account.number, lines: out, ...bill } : null;
  }, [account, by, total, lines, bill]);
  const [debouncedRequest] = useDebouncedValue(request, 120);

  useEffect(() => {
    if (!debouncedRequest) {
      setQuote(null);
      return;
    }
    let alive = true;
    api<Quote>('POST', '/api/payments/quote', { ...debouncedRequest, method: 'cash' })
      .then((q) => {
        if (alive) {
          setQuote(q);
          setQuoteError(null);
        }
      })
      .catch((e: unknown) => {
        if (alive) {
          setQuote(null);
          setQuoteError(e instanceof ProblemError ? e.message : String(e));
        }
      });
    return () => {
      alive = false;
    };
  }, [debouncedRequest]);

  if (error) {
    return (
      <Stack>
        <Alert color="red" variant="filled">
          {error}
        </Alert>
        <Button variant="default" onClick={onBack}>
          {t('billing.back')}
        </Button>
      </Stack>
    );
  }
  if (!account) return <Text>{t('common.loading')}</Text>;
  /** A line with nothing owed and nothing typed is folded: the payment fits a small monitor. */
  const owing = (i: number): boolean => {
    const d = account.debts[i];
    if (!d) return false;
    const typed = (text: string | undefined): boolean => text !== undefined && text.trim() !== '' && inputToKop(text) !== 0;
    return d.debtKop > 0 || d.penaltyDebtKop > 0 || (by === 'lines' && (typed(lines[i]?.amount) || typed(lines[i]?.penalty)));
  };
  const folded = account.debts.filter((_, i) => !owing(i)).length;
  const visibleLines = account.debts.map((_, i) => i).filter((i) => showAll || owing(i));
  onlyLine.current = (n: number) => {
    const target = visibleLines[n - 1];
    if (target === undefined) return;
    setLines(
      account.debts.map((d, i) =>
        i === target
          ? { amount: kopToInput(d.debtKop), penalty: d.penaltyDebtKop > 0 ? kopToInput(d.penaltyDebtKop) : '' }
          : { amount: '', penalty: '' },
      ),
    );
    setBy('lines');
    setTimeout(() => panel.current?.focus(), 0);
  };
  /** Enter in a line goes on to the next line shown; after the last, to the payment. */
  const nextLine = (i: number): void => {
    const after = visibleLines.find((j) => j > i);
    const el = after === undefined ? undefined : lineInputs.current.get(after);
    if (el) el.focus();
    else panel.current?.focus();
  };
  const blockedReason =
    account.status === 'closed'
      ? t('billing.closedNoPay')
      : by === 'total'
        ? amountProblem(total, t)
        : // A line left at zero is simply not paid; only an unreadable or negative one is a problem.
          (lines
            .map((l) => [amountProblem(l.amount, t), amountProblem(l.penalty, t)])
            .flat()
            .find((x) => x !== null && x !== t('billing.amountZero')) ?? null);
  const current = quote && debouncedRequest === request ? quote : null;
  const confirmations = [
    ...(prefill && prefill.paid.length > 0 ? [t('billing.paidAlready', { payments: prefill.paid.map(paidText).join('; ') })] : []),
    // The bill's own sum is the supplier's claim (the desk's debt may lag behind the billing): only a sum the cashier typed asks.
    ...(current?.overpayment && !(by === 'total' && typeof prefill?.amountKop === 'number' && inputToKop(total) === prefill.amountKop)
      ? [t('billing.overpayment', { debt: money(current.overpayment.debtKop), advance: money(current.overpayment.advanceKop) })]
      : []),
  ];
  const allocated = by === 'total' && quote?.lines ? new Map(quote.lines.map((l) => [`${l.serviceCode}:${l.period}`, l])) : null;
  /** Editing a line switches to per-line amounts, starting from what the total was spread into. */
  const editLine = (i: number, field: 'amount' | 'penalty', value: string): void => {
    const base: LineInput[] =
      by === 'total'
        ? account.debts.map((d) => {
            const q = allocated?.get(`${d.serviceCode}:${d.period}`);
            return { amount: q ? kopToInput(q.amountKop) : '', penalty: q && q.penaltyKop > 0 ? kopToInput(q.penaltyKop) : '' };
          })
        : lines;
    setLines(base.map((l, j) => (j === i ? { ...l, [field]: value } : l)));
    setBy('lines');
  };

  return (
    <Stack gap="md" data-testid="account-card">
      <Paper
        withBorder
        px="md"
        py="sm"
        radius="md"
        // Who and what is being paid stays in view while the lines scroll under it.
        style={{ position: 'sticky', top: 'calc(var(--app-shell-header-offset, 64px) + 4px)', zIndex: 3 }}
        data-testid="account-header"
      >
        <Group justify="space-between" align="center" wrap="nowrap">
          <Stack gap={0}>
            <Group gap="sm">
              <Title order={3} ff="monospace">
                {account.number}
              </Title>
              {account.els && (
                <Badge variant="light">
                  {t('billing.els')} {account.els}
                </Badge>
              )}
              {account.status === 'closed' && <Badge color="red">{t('billing.closed')}</Badge>}
              {prefill?.amountKop && (
                <Badge
                  size="lg"
                  color={prefill.sumNeedsConfirmation ? 'orange' : 'blue'}
                  variant={prefill.sumNeedsConfirmation ? 'filled' : 'light'}
                  data-testid="qr-sum"
                >
                  {prefill.sumNeedsConfirmation ? t('billing.qrSumConfirm') : t('billing.qrSum', { sum: money(prefill.amountKop) })}
                  {prefill.period ? ` · ${period(prefill.period)}` : ''}
                </Badge>
              )}
            </Group>
            <Text size="xl">
              {account.address}
              {account.ownerName ? (
                <Text span c="dimmed" size="lg">
                  {' '}
                  · {account.ownerName}
                </Text>
              ) : null}
            </Text>
          </Stack>
          <Group gap="lg" wrap="nowrap">
            <Stack gap={0} align="flex-end">
              <Text c="dimmed" size="sm">
                {t('billing.debt')}
              </Text>
              <Title order={2} c={account.totalDebtKop > 0 ? 'red.7' : 'green.7'}>
                {money(account.totalDebtKop)}
              </Title>
            </Stack>
            <Button variant="subtle" onClick={onBack}>
              {t('billing.back')}
            </Button>
          </Group>
        </Group>
      </Paper>

      {prefill && prefill.paid.length > 0 && (
        <Alert color="red" variant="filled" title={t('billing.paidAlreadyTitle')} data-testid="bill-paid">
          {prefill.paid.map(paidText).join('; ')}
        </Alert>
      )}
      {prefill && prefill.paid.length === 0 && prefill.paidChecked === 'this_desk' && (
        <Alert color="yellow" variant="light" data-testid="bill-paid-unknown">
          {t('billing.paidCheckedHere')}
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Paper withBorder radius="md">
            {account.debts.length === 0 ? (
              <Text p="md" c="dimmed">
                {t('billing.noDebts')}
              </Text>
            ) : (
              <Table striped highlightOnHover verticalSpacing="xs" fz="md" data-testid="debts">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('billing.service')}</Table.Th>
                    <Table.Th>{t('billing.period')}</Table.Th>
                    <Table.Th ta="right">{t('billing.debt')}</Table.Th>
                    <Table.Th ta="right">{t('billing.penalty')}</Table.Th>
                    <Table.Th w={150}>{t('billing.toPay')}</Table.Th>
                    <Table.Th w={130}>{t('billing.penaltyToPay')}</Table.Th>
                    <Table.Th ta="right">{t('billing.commission')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {account.debts.map((d, i) => {
                    if (!showAll && !owing(i)) return null;
                    const q =
                      allocated?.get(`${d.serviceCode}:${d.period}`) ??
                      quote?.lines?.find((l) => l.serviceCode === d.serviceCode && l.period === d.period);
                    return (
                      <Table.Tr key={`${d.serviceCode}:${d.period}`}>
                        <Table.Td>
                          <Text fw={600}>
                            {visibleLines.indexOf(i) < 9 && (
                              <Text span size="xs" c="dimmed" mr={6}>
                                Alt+{visibleLines.indexOf(i) + 1}
                              </Text>
                            )}
                            {d.serviceName}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {d.supplier.name}
                          </Text>
                        </Table.Td>
                        <Table.Td>{period(d.period)}</Table.Td>
                        <Table.Td ta="right">
                          {money(d.debtKop)}
                          {d.advanceKop > 0 && (
                            <Text size="xs" c="teal.7" data-testid="advance">
                              {t('billing.advance', { sum: money(d.advanceKop) })}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td ta="right">{d.penaltyDebtKop > 0 ? money(d.penaltyDebtKop) : '—'}</Table.Td>
                        <Table.Td>
                          <TextInput
                            size="sm"
                            value={by === 'total' ? (q ? kopToInput(q.amountKop) : '') : (lines[i]?.amount ?? '')}
                            onChange={(e) => editLine(i, 'amount', e.currentTarget.value)}
                            ref={(el) => {
                              if (el) lineInputs.current.set(i, el);
                              else lineInputs.current.delete(i);
                            }}
                            onKeyDown={(e) => {
                              if (e.key === 'Enter') {
                                e.preventDefault();
                                nextLine(i);
                              }
                            }}
                            data-testid={`line-${d.serviceCode}`}
                          />
                        </Table.Td>
                        <Table.Td>
                          <TextInput
                            size="sm"
                            value={by === 'total' ? (q && q.penaltyKop > 0 ? kopToInput(q.penaltyKop) : '') : (lines[i]?.penalty ?? '')}
                            onChange={(e) => editLine(i, 'penalty', e.currentTarget.value)}
                          />
                        </Table.Td>
                        <Table.Td ta="right">{q && q.commissionKop > 0 ? money(q.commissionKop) : '—'}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            )}
            {folded > 0 && (
              <Button variant="subtle" size="compact-sm" m="xs" onClick={() => setShowAll((v) => !v)} data-testid="show-all-lines">
                {showAll ? t('billing.foldPaid') : t('billing.showPaid', { count: folded })}
              </Button>
            )}
          </Paper>
          <Group mt="sm" align="flex-end">
            <TextInput
              size="md"
              w={220}
              label={t('billing.total')}
              title={t('billing.totalHint')}
              placeholder={t('billing.totalHint')}
              value={by === 'total' ? total : quote ? kopToInput(quote.amountKop ?? quote.totalKop - quote.commissionKop) : ''}
              onChange={(e) => {
                setBy('total');
                setTotal(e.currentTarget.value);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  panel.current?.focus();
                }
              }}
              data-testid="total-input"
            />
          </Group>
          {current?.overpayment && (
            <Alert mt="sm" color="orange" variant="light" data-testid="overpayment">
              {t('billing.overpayment', { debt: money(current.overpayment.debtKop), advance: money(current.overpayment.advanceKop) })}
            </Alert>
          )}
          {quote && debouncedRequest === request && <CommissionSummary quote={quote} />}
          {quoteError && (
            <Alert mt="sm" color="red" variant="light" data-testid="quote-error">
              {quoteError}
            </Alert>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="sm">
            <Paper withBorder p="sm" radius="md">
              <Group justify="space-between" mb={4}>
                <Text fw={700}>{t('billing.meters')}</Text>
                {account.meters.length > 0 && (
                  <Button size="compact-sm" variant="light" onClick={() => onReadings(account.number)}>
                    {t('nav.readings')} (F3)
                  </Button>
                )}
              </Group>
              {account.meters.length === 0 && (
                <Text c="dimmed" size="sm">
                  —
                </Text>
              )}
              {account.meters.map((m) => (
                <Group key={m.id} justify="space-between" gap="xs">
                  <Text size="sm">
                    {m.serviceName} № {m.serial}
                  </Text>
                  <Text size="sm" ff="monospace">
                    {meterValue(m.lastValue)}
                    {m.lastDate ? ` (${m.lastDate.split('-').reverse().join('.')})` : ''}
                  </Text>
                </Group>
              ))}
            </Paper>
            <Paper withBorder p="sm" radius="md">
              <Text fw={700} mb={4}>
                {t('billing.recent')}
              </Text>
              <ScrollArea.Autosize mah={140}>
                {account.recentPayments.length === 0 && (
                  <Text c="dimmed" size="sm">
                    —
                  </Text>
                )}
                {account.recentPayments.map((p) => (
                  <Group key={p.paymentId} justify="space-between" gap="xs">
                    <Text size="sm">
                      {dateTime(p.createdAt)} · {p.number}
                    </Text>
                    <Text size="sm" td={p.reversed ? 'line-through' : undefined}>
                      {money(p.totalKop)}
                    </Text>
                  </Group>
                ))}
              </ScrollArea.Autosize>
            </Paper>
          </Stack>
        </Grid.Col>
      </Grid>

      <PaymentPanel
        ref={panel}
        request={account.status === 'closed' ? null : debouncedRequest}
        totalKop={quote && debouncedRequest === request ? quote.totalKop : null}
        onDone={onDone}
        blockedReason={blockedReason}
        confirmations={confirmations}
      />
    </Stack>
  );
}

/**
 * The commission before any money is taken (issue 16 item 10): each supplier's rule applies once to
 * what the payer gives that supplier, so a fixed fee or a minimum on a small share can outweigh the
 * share itself — the cashier sees it supplier by supplier, with the total to pay, and tells the payer.
 */
function CommissionSummary({ quote }: { quote: Quote }) {
  const { t } = useTranslation();
  const charged = (quote.suppliers ?? []).filter((s) => s.commissionKop > 0);
  return (
    <Paper
      withBorder
      mt="sm"
      p="sm"
      radius="md"
      bg={quote.warnings && quote.warnings.length > 0 ? 'orange.0' : undefined}
      data-testid="billing-commission"
    >
      <Group justify="space-between">
        <Text fw={700}>
          {quote.commissionKop > 0 ? `${t('billing.commission')}: ${money(quote.commissionKop)}` : t('billing.commissionNone')}
        </Text>
        <Text fw={700}>
          {t('billing.withCommission')}: {money(quote.totalKop)}
        </Text>
      </Group>
      {charged.map((s) => (
        <Group key={s.supplierId} justify="space-between" gap="xs" wrap="nowrap">
          <Text size="sm">
            {s.name} — {s.rule}, {t('billing.commissionShare', { base: money(s.baseKop) })}
          </Text>
          <Group gap={6} wrap="nowrap">
            {s.feeExceedsBase && (
              <Badge color="orange" variant="light">
                {t('billing.commissionTooBig')}
              </Badge>
            )}
            <Text size="sm" fw={600}>
              {money(s.commissionKop)}
            </Text>
          </Group>
        </Group>
      ))}
      {(quote.warnings ?? []).map((w) => (
        <Text key={w} size="sm" c="orange.9" mt={4} data-testid="commission-warning">
          {w}
        </Text>
      ))}
    </Paper>
  );
}
