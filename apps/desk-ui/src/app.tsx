/**
 * The cashier's shell: sections on function keys (F1 payments, F2 third parties, F3 readings,
 * F4 journal, F6 reports, F9 register, F10 settings), the status bar bottom left, banners when the
 * register or the sync needs attention, the offline banner, and a scanner listening everywhere.
 */
import { AppShell, Button, Group, Text, Title, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getToken, setToken } from './api/client.ts';
import type { Cashier, ScanResult } from './api/types.ts';
import { Banners } from './components/banners.tsx';
import { paymentInFlight } from './components/payment-panel.tsx';
import { StatusBar } from './components/status-bar.tsx';
import { useDeskStatus } from './hooks/use-desk-status.ts';
import { useHotkeys } from './hooks/use-hotkeys.ts';
import { useScanner } from './hooks/use-scanner.ts';
import { BillingScreen, type BillPrefill } from './screens/billing.tsx';
import { JournalScreen } from './screens/journal.tsx';
import { LoginScreen } from './screens/login.tsx';
import { ReadingsScreen } from './screens/readings.tsx';
import { REGISTER_ACTION_EVENT, RegisterScreen, type RegisterHotAction } from './screens/register.tsx';
import { ReportsScreen } from './screens/reports.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { ThirdPartyScreen } from './screens/third-party.tsx';

type Section = 'billing' | 'thirdParty' | 'readings' | 'journal' | 'reports' | 'register' | 'settings';

const SECTIONS: { key: Section; hotkey: string }[] = [
  { key: 'billing', hotkey: 'F1' },
  { key: 'thirdParty', hotkey: 'F2' },
  { key: 'readings', hotkey: 'F3' },
  { key: 'journal', hotkey: 'F4' },
  { key: 'reports', hotkey: 'F6' },
  { key: 'register', hotkey: 'F9' },
  { key: 'settings', hotkey: 'F10' },
];

export function App() {
  const { t } = useTranslation();
  const [cashier, setCashier] = useState<Cashier | null>(null);
  const [checked, setChecked] = useState(false);
  const [section, setSection] = useState<Section>('billing');
  const [billPrefill, setBillPrefill] = useState<BillPrefill | null>(null);
  const [providerPrefill, setProviderPrefill] = useState<{ providerCode: string; account: string | null; amountKop: number | null } | null>(
    null,
  );
  const [readingsAccount, setReadingsAccount] = useState<string | null>(null);
  const [billingName, setBillingName] = useState('Биллинг Эксперт');
  /** Bumped to start a screen afresh; state, not a ref, so the reset happens at the key press, not at the next poll. */
  const [sectionKey, setSectionKey] = useState(0);
  const [locked, setLocked] = useState<string | null>(null);
  // A 1024-pixel cashier monitor: the header in smaller type, so every section stays on one line.
  const narrow = useMediaQuery('(max-width: 1200px)') ?? false;

  const status = useDeskStatus(
    {
      onOnline: (online) => {
        // Going offline is said by a banner that takes no focus (a dialog once swallowed a typed amount).
        if (online) notifications.show({ color: 'green', title: t('offline.back'), message: t('offline.backText') });
      },
      onRejected: (r) =>
        notifications.show({
          color: 'red',
          autoClose: false,
          title: t('banners.rejected', { count: 1 }),
          message: r.message ?? r.code ?? '',
        }),
    },
    cashier !== null,
  );

  useEffect(() => {
    if (!getToken()) {
      setChecked(true);
      return;
    }
    api<{ cashier: Cashier }>('GET', '/api/session')
      .then((r) => setCashier(r.cashier))
      .catch(() => setToken(null))
      .finally(() => setChecked(true));
  }, []);
  useEffect(() => {
    const onUnauthorized = (): void => {
      setToken(null);
      setCashier(null);
    };
    window.addEventListener('paydesk:unauthorized', onUnauthorized);
    return () => window.removeEventListener('paydesk:unauthorized', onUnauthorized);
  }, []);
  useEffect(() => {
    if (cashier)
      void api<{ billingName: string }>('GET', '/api/settings')
        .then((s) => setBillingName(s.billingName))
        .catch(() => undefined);
  }, [cashier]);

  const go = useCallback((s: Section) => {
    // A payment on its way to the register keeps its screen until its answer.
    if (paymentInFlight()) return;
    setSectionKey((k) => k + 1);
    setSection(s);
  }, []);

  const signOut = useCallback(
    (lock: boolean) => {
      const name = cashier?.name ?? null;
      void api('DELETE', '/api/session').finally(() => {
        setToken(null);
        setCashier(null);
        setLocked(lock ? name : null);
      });
    },
    [cashier],
  );

  /** X, Z, cash in and out from any screen: the register screen opens and does it (Z still asks). */
  const registerAction = useCallback(
    (action: RegisterHotAction) => {
      if (paymentInFlight()) return;
      if (section !== 'register') go('register');
      setTimeout(() => window.dispatchEvent(new CustomEvent(REGISTER_ACTION_EVENT, { detail: action })), 0);
    },
    [go, section],
  );

  useHotkeys({
    ...Object.fromEntries(SECTIONS.map((s) => [s.hotkey, () => cashier && go(s.key)])),
    'Alt+KeyX': () => cashier && registerAction('x'),
    'Alt+KeyZ': () => cashier && registerAction('z'),
    'Alt+Equal': () => cashier && registerAction('cash_in'),
    'Alt+Minus': () => cashier && registerAction('cash_out'),
    'Ctrl+KeyL': () => cashier && !paymentInFlight() && signOut(true),
  });

  useScanner((text) => {
    if (!cashier) return;
    void api<ScanResult>('POST', '/api/scan', { text }).then((r) => {
      if (r.kind === 'bill') {
        setBillPrefill({
          accountNumber: r.accountNumber,
          amountKop: r.amountKop,
          sumNeedsConfirmation: r.sumNeedsConfirmation,
          period: r.period,
          paid: r.paid,
          paidChecked: r.paidChecked,
        });
        go('billing');
      } else if (r.kind === 'provider') {
        setProviderPrefill({ providerCode: r.providerCode, account: r.account, amountKop: r.amountKop });
        go('thirdParty');
      } else
        notifications.show({
          color: r.kind === 'foreign_payee' ? 'red' : 'orange',
          title: r.kind === 'foreign_payee' ? 'Квитанция не наша' : 'Сканер',
          message: r.message,
          autoClose: r.kind === 'foreign_payee' ? 12_000 : 6_000,
        });
    });
  });

  if (!checked) return <Text p="xl">{t('app.loading')}</Text>;
  if (!cashier)
    return (
      <LoginScreen
        status={status}
        lockedBy={locked}
        onSignedIn={(c) => {
          setLocked(null);
          setCashier(c);
        }}
      />
    );

  return (
    <AppShell header={{ height: 64 }} footer={{ height: 52 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap={4} wrap="nowrap">
            <Title order={3} mr="md" c="blue.8" visibleFrom="lg">
              Paydesk
            </Title>
            {SECTIONS.filter((s) => s.key !== 'settings' || cashier.role === 'admin').map((s) => (
              <UnstyledButton
                key={s.key}
                onClick={() => go(s.key)}
                px={narrow ? 8 : 'sm'}
                py={6}
                style={{
                  borderRadius: 6,
                  background: section === s.key ? 'var(--mantine-color-blue-6)' : undefined,
                  color: section === s.key ? 'white' : undefined,
                }}
                data-testid={`nav-${s.key}`}
              >
                <Text fw={600} size={narrow ? 'sm' : 'md'} style={{ whiteSpace: 'nowrap' }}>
                  <Text span size="xs" opacity={0.75} mr={4}>
                    {s.hotkey}
                  </Text>
                  {t(`nav.${s.key}`)}
                </Text>
              </UnstyledButton>
            ))}
          </Group>
          <Group gap={4} wrap="nowrap">
            <Button
              variant="subtle"
              size={narrow ? 'compact-sm' : 'sm'}
              onClick={() => signOut(true)}
              title={t('nav.lockHint')}
              data-testid="lock"
            >
              {t('nav.lock')}
            </Button>
            <Button variant="subtle" size={narrow ? 'compact-sm' : 'sm'} onClick={() => signOut(false)} data-testid="logout">
              {t('nav.logout')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Banners status={status} />
        <div key={`${section}-${sectionKey}`}>
          {section === 'billing' && (
            <BillingScreen
              billingName={billingName}
              prefill={billPrefill}
              onPrefillUsed={() => setBillPrefill(null)}
              onReadings={(n) => {
                setReadingsAccount(n);
                go('readings');
              }}
            />
          )}
          {section === 'thirdParty' && <ThirdPartyScreen prefill={providerPrefill} onPrefillUsed={() => setProviderPrefill(null)} />}
          {section === 'readings' && <ReadingsScreen accountNumber={readingsAccount} onAccount={setReadingsAccount} />}
          {section === 'journal' && <JournalScreen />}
          {section === 'reports' && <ReportsScreen />}
          {section === 'register' && <RegisterScreen status={status} seniorApprovalNeeded={cashier.role === 'cashier'} />}
          {section === 'settings' && <SettingsScreen cashier={cashier} />}
        </div>
      </AppShell.Main>
      <AppShell.Footer>
        <StatusBar status={status} cashier={cashier.name} />
      </AppShell.Footer>
    </AppShell>
  );
}
