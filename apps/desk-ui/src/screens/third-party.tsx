/**
 * «Третьи лица»: providers by category with search; the account typed with the provider's mask (a
 * phone formats as it is typed); the commission and the total before accepting; the provider's online
 * check when it has one; and the point's own services from the price list.
 */
import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  NavLink,
  NumberInput,
  Paper,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ProblemError } from '../api/client.ts';
import type { PaymentResult, Provider } from '../api/types.ts';
import { PaymentPanel, type PaymentPanelHandle } from '../components/payment-panel.tsx';
import { PaymentResultView } from '../components/payment-result.tsx';
import { formatPhone, inputToKop, money } from '../format.ts';
import { accountFitsMask, normalizeProviderAccount } from '@paydesk/domain';

/** Digits with a phone's punctuation: the search is a number, not a provider's name. */
const NUMBER_LIKE = /^[\d\s()+-]{6,}$/;

interface PriceItem {
  code: string;
  name: string;
  priceKop: number;
  unit: string;
}

export function ThirdPartyScreen({
  prefill,
  onPrefillUsed,
}: {
  prefill: { providerCode: string; account: string | null; amountKop: number | null } | null;
  onPrefillUsed: () => void;
}) {
  const { t } = useTranslation();
  // null until the desk answers: a cashier's «мтс» and Enter typed before then wait for the list.
  const [loaded, setLoaded] = useState<Provider[] | null>(null);
  const providers = loaded ?? [];
  const [enterPending, setEnterPending] = useState(false);
  const [prices, setPrices] = useState<PriceItem[]>([]);
  const [filter, setFilter] = useState('');
  // A provider's code, or 'services' for the point's price list.
  const [selected, setSelected] = useState<string | null>(null);
  const [result, setResult] = useState<PaymentResult | null>(null);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void api<{ items: Provider[] }>('GET', '/api/providers').then((r) => setLoaded(r.items));
    void api<{ items: PriceItem[] }>('GET', '/api/price-items').then((r) => setPrices(r.items));
  }, []);
  useEffect(() => {
    if (prefill) {
      setSelected(prefill.providerCode);
      setResult(null);
    }
  }, [prefill]);

  // A number typed in the search (a phone, an account) lists the providers whose mask takes it.
  const byNumber = NUMBER_LIKE.test(filter.trim())
    ? providers.filter((p) => accountFitsMask(p.accountMask, normalizeProviderAccount(p.normalize, filter)) === true)
    : null;
  const shown = byNumber ?? providers.filter((p) => `${p.name} ${p.category}`.toLowerCase().includes(filter.toLowerCase()));
  const categories = [...new Set(shown.map((p) => p.category))];
  // The list in the order it is drawn (by category), then the price list: what the arrows walk.
  const walk = [...categories.flatMap((c) => shown.filter((p) => p.category === c).map((p) => p.code)), 'services'];
  const [highlight, setHighlight] = useState(0);
  useEffect(() => setHighlight(0), [filter]);
  const highlighted = walk[Math.min(highlight, walk.length - 1)];
  // The number the provider was chosen by: its form opens with it, and the focus in the sum.
  const [byNumberAccount, setByNumberAccount] = useState<string | null>(null);
  const choose = (code: string): void => {
    setByNumberAccount(byNumber && code !== 'services' ? filter.trim() : null);
    setSelected(code);
  };
  // A whole phone number that only one provider's mask takes opens that provider at once: F2, the
  // number, the sum, Enter, Enter. Never for other accounts, whose beginning may fit a shorter mask.
  const only = byNumber?.length === 1 && byNumber[0]?.normalize === 'phone' ? byNumber[0].code : null;
  useEffect(() => {
    if (only && selected !== only) choose(only);
  }, [only, filter]); // chosen once per number typed, not on every render
  useEffect(() => {
    if (loaded && enterPending) {
      setEnterPending(false);
      if (highlighted) choose(highlighted);
    }
  }, [loaded, enterPending]);

  if (result) {
    return (
      <PaymentResultView
        result={result}
        onNext={() => {
          setResult(null);
          setSelected(null);
          // The next payer starts from an empty search (a number typed there would choose its provider again).
          setFilter('');
          setByNumberAccount(null);
          setTimeout(() => search.current?.focus(), 0);
        }}
      />
    );
  }

  return (
    <Stack gap="md">
      <Title order={2}>{t('thirdParty.title')}</Title>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="sm" radius="md">
            <TextInput
              ref={search}
              autoFocus
              size="md"
              placeholder={t('thirdParty.search')}
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
              mb="sm"
              data-testid="provider-search"
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                  e.preventDefault();
                  setHighlight((h) => Math.max(0, Math.min(walk.length - 1, h + (e.key === 'ArrowDown' ? 1 : -1))));
                } else if (e.key === 'Enter' && !loaded) {
                  e.preventDefault();
                  setEnterPending(true);
                } else if (e.key === 'Enter' && highlighted) {
                  e.preventDefault();
                  choose(highlighted);
                }
              }}
            />
            {byNumber?.length === 0 && (
              <Text c="dimmed" px="xs" mb="xs" data-testid="provider-none">
                {t('thirdParty.noneForNumber')}
              </Text>
            )}
            <ScrollArea.Autosize mah={520}>
              {categories.map((c) => (
                <Stack key={c} gap={0} mb="xs">
                  <Text size="xs" c="dimmed" tt="uppercase" fw={700} px="xs">
                    {c}
                  </Text>
                  {shown
                    .filter((p) => p.category === c)
                    .map((p) => (
                      <NavLink
                        key={p.code}
                        label={<Text size="lg">{p.name}</Text>}
                        active={selected === p.code}
                        variant={selected === p.code ? 'filled' : 'light'}
                        bg={selected !== p.code && highlighted === p.code ? 'var(--mantine-color-blue-light)' : undefined}
                        data-highlighted={highlighted === p.code || undefined}
                        onClick={() => choose(p.code)}
                        data-testid={`provider-${p.code}`}
                      />
                    ))}
                </Stack>
              ))}
              <Text size="xs" c="dimmed" tt="uppercase" fw={700} px="xs" mt="sm">
                {t('thirdParty.services')}
              </Text>
              <NavLink
                label={<Text size="lg">{t('thirdParty.servicesTitle')}</Text>}
                active={selected === 'services'}
                variant={selected === 'services' ? 'filled' : 'light'}
                bg={selected !== 'services' && highlighted === 'services' ? 'var(--mantine-color-blue-light)' : undefined}
                data-highlighted={highlighted === 'services' || undefined}
                onClick={() => choose('services')}
                data-testid="price-list"
              />
            </ScrollArea.Autosize>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selected === null && (
            <Text c="dimmed" size="lg">
              {t('thirdParty.choose')}
            </Text>
          )}
          {selected === 'services' && <ServiceSale prices={prices} onDone={setResult} />}
          {selected &&
            selected !== 'services' &&
            (() => {
              const p = providers.find((x) => x.code === selected);
              if (!p) return null;
              const pf = prefill?.providerCode === p.code ? prefill : null;
              return (
                <ProviderPayment
                  key={`${p.code}:${byNumberAccount ?? ''}`}
                  provider={p}
                  initialAccount={pf?.account ?? byNumberAccount ?? ''}
                  focusAmount={byNumberAccount !== null}
                  initialAmount={pf?.amountKop ?? null}
                  onDone={setResult}
                  onMounted={onPrefillUsed}
                />
              );
            })()}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function ProviderPayment({
  provider,
  initialAccount,
  initialAmount,
  focusAmount,
  onDone,
  onMounted,
}: {
  provider: Provider;
  initialAccount: string;
  /** The account came with the choice (typed in the search): the sum is what is typed next. */
  focusAmount?: boolean;
  initialAmount: number | null;
  onDone: (r: PaymentResult) => void;
  onMounted: () => void;
}) {
  const { t } = useTranslation();
  const [account, setAccount] = useState(provider.normalize === 'phone' && initialAccount ? formatPhone(initialAccount) : initialAccount);
  const [amount, setAmount] = useState(initialAmount ? String(initialAmount / 100).replace('.', ',') : '');
  const [quote, setQuote] = useState<{ principalKop: number; commissionKop: number; totalKop: number } | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [check, setCheck] = useState<
    { result: number; subscriberName?: string; balanceKop?: number; comment?: string } | { problem: string } | null
  >(null);
  const [checking, setChecking] = useState(false);
  const panel = useRef<PaymentPanelHandle>(null);
  const amountKop = inputToKop(amount);
  const request = useMemo(
    () => (account.trim() && amountKop && amountKop > 0 ? { kind: 'thirdparty', providerCode: provider.code, account, amountKop } : null),
    [account, amountKop, provider.code],
  );
  const [debounced] = useDebouncedValue(request, 150);

  useEffect(() => onMounted(), [onMounted]);
  useEffect(() => {
    if (!debounced) {
      setQuote(null);
      setQuoteError(null);
      return;
    }
    let alive = true;
    api<{ principalKop: number; commissionKop: number; totalKop: number }>('POST', '/api/providers/quote', {
      providerCode: provider.code,
      account: debounced.account,
      amountKop: debounced.amountKop,
    })
      .then((q) => alive && (setQuote(q), setQuoteError(null)))
      .catch((e: unknown) => alive && (setQuote(null), setQuoteError(e instanceof ProblemError ? e.message : String(e))));
    return () => {
      alive = false;
    };
  }, [debounced, provider.code]);

  const runCheck = async (): Promise<void> => {
    setChecking(true);
    try {
      setCheck(await api('POST', '/api/providers/check', { providerCode: provider.code, account, amountKop: amountKop ?? 0 }));
    } catch (e) {
      setCheck({ problem: e instanceof ProblemError ? e.message : t('thirdParty.checkOffline') });
    } finally {
      setChecking(false);
    }
  };

  return (
    <Stack
      gap="md"
      onKeyDown={(e) => {
        if (e.key === 'F7') {
          e.preventDefault();
          void runCheck();
        }
      }}
    >
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" mb="sm">
          <Title order={3}>{provider.name}</Title>
          <Group gap="xs">
            {provider.checkRequired && <Badge color="orange">онлайн-проверка</Badge>}
            <Badge variant="light">
              {t('thirdParty.limits', { min: money(provider.minKop ?? 100), max: money(provider.maxKop ?? 1_500_000) })}
            </Badge>
          </Group>
        </Group>
        <Group align="flex-start" grow>
          <TextInput
            size="xl"
            autoFocus={!focusAmount}
            label={provider.accountLabel}
            description={t('thirdParty.example', { example: provider.accountExample })}
            value={account}
            data-testid="provider-account"
            onChange={(e) => setAccount(provider.normalize === 'phone' ? formatPhone(e.currentTarget.value) : e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), document.getElementById('tp-amount')?.focus())}
          />
          <TextInput
            id="tp-amount"
            autoFocus={focusAmount}
            size="xl"
            label={t('thirdParty.amount')}
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value.replace(/[^\d.,]/g, ''))}
            data-testid="provider-amount"
            // Enter takes exact money (F2, the number, the sum, Enter); Tab goes to «Получено» for change.
            onKeyDown={(e) => e.key === 'Enter' && !e.ctrlKey && (e.preventDefault(), panel.current?.acceptExact())}
          />
        </Group>
        <Group mt="sm" gap="lg">
          <Button variant="light" loading={checking} onClick={() => void runCheck()} disabled={!account.trim()}>
            {t('thirdParty.check')}
          </Button>
          {quote && (
            <Text size="lg">
              {t('billing.commission')}: <b data-testid="provider-commission">{money(quote.commissionKop)}</b> · {t('billing.grandTotal')}:{' '}
              <b>{money(quote.totalKop)}</b>
            </Text>
          )}
        </Group>
        {check && (
          <Alert mt="sm" color={'result' in check && check.result === 0 ? 'green' : 'yellow'} variant="light" data-testid="provider-check">
            {'problem' in check
              ? check.problem
              : check.result === 0
                ? `${t('thirdParty.subscriber')}: ${check.subscriberName ?? '—'}${check.balanceKop !== undefined ? ` · ${t('thirdParty.balance')}: ${money(check.balanceKop)}` : ''}`
                : (check.comment ?? `код ${String(check.result)}`)}
          </Alert>
        )}
        {quoteError && (
          <Alert mt="sm" color="red" variant="light" data-testid="quote-error">
            {quoteError}
          </Alert>
        )}
      </Paper>
      <PaymentPanel ref={panel} request={quote ? debounced : null} totalKop={quote?.totalKop ?? null} onDone={onDone} />
    </Stack>
  );
}

function ServiceSale({ prices, onDone }: { prices: PriceItem[]; onDone: (r: PaymentResult) => void }) {
  const { t } = useTranslation();
  const panel = useRef<PaymentPanelHandle>(null);
  const qtyInputs = useRef<(HTMLInputElement | null)[]>([]);
  const [qty, setQty] = useState<Record<string, number>>({});
  const items = Object.entries(qty)
    .filter(([, n]) => n > 0)
    .map(([code, quantity]) => ({ code, quantity }));
  const total = items.reduce((s, i) => s + (prices.find((p) => p.code === i.code)?.priceKop ?? 0) * i.quantity, 0);
  return (
    <Stack gap="md">
      <Paper withBorder radius="md">
        <Table verticalSpacing="sm" fz="md" data-testid="price-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('billing.service')}</Table.Th>
              <Table.Th ta="right">{t('thirdParty.price')}</Table.Th>
              <Table.Th w={140}>{t('thirdParty.quantity')}</Table.Th>
              <Table.Th ta="right">{t('billing.total')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {prices.map((p, i) => (
              <Table.Tr key={p.code}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td ta="right">
                  {money(p.priceKop)} / {p.unit}
                </Table.Td>
                <Table.Td>
                  <NumberInput
                    size="sm"
                    min={0}
                    max={9999}
                    value={qty[p.code] ?? 0}
                    autoFocus={i === 0}
                    onChange={(v) => setQty((q) => ({ ...q, [p.code]: typeof v === 'number' ? v : Number(v) || 0 }))}
                    ref={(el) => {
                      qtyInputs.current[i] = el;
                    }}
                    // Enter moves down the list; after the last line, to the payment.
                    onKeyDown={(e) => {
                      if (e.key !== 'Enter') return;
                      e.preventDefault();
                      const next = qtyInputs.current[i + 1];
                      if (next) next.focus();
                      else panel.current?.focus();
                    }}
                    data-testid={`qty-${p.code}`}
                  />
                </Table.Td>
                <Table.Td ta="right">{(qty[p.code] ?? 0) > 0 ? money(p.priceKop * (qty[p.code] ?? 0)) : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <PaymentPanel
        ref={panel}
        request={items.length ? { kind: 'service', items } : null}
        totalKop={items.length ? total : null}
        onDone={onDone}
        acceptLabel={t('thirdParty.sell')}
      />
    </Stack>
  );
}
