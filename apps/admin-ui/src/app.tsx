/**
 * The back office's shell: sections in a sidebar (Alt+1…9 and Alt+0 from the keyboard), the signed-in person
 * with their role, and the screen named by the address's hash.
 */
import { AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getToken, setToken } from './api/client.ts';
import { ApiKeysScreen } from './screens/api-keys.tsx';
import { AuditScreen } from './screens/audit.tsx';
import { BillingScreen } from './screens/billing.tsx';
import { CatalogsScreen } from './screens/catalogs.tsx';
import { DesksScreen } from './screens/desks.tsx';
import { ImportsScreen } from './screens/imports.tsx';
import { LoginScreen, type Me } from './screens/login.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { PeopleScreen } from './screens/people.tsx';
import { ReportsScreen } from './screens/reports.tsx';
import { ReviewScreen } from './screens/review.tsx';
import { useRoute } from './use-route.ts';

type Section = 'overview' | 'desks' | 'people' | 'catalogs' | 'billing' | 'imports' | 'review' | 'reports' | 'audit' | 'apikeys';

/** Which roles see a section: what the server would refuse them is not offered. */
const SECTIONS: { key: Section; roles: Me['role'][] }[] = [
  { key: 'overview', roles: ['admin', 'senior_cashier'] },
  { key: 'desks', roles: ['admin', 'senior_cashier'] },
  { key: 'people', roles: ['admin'] },
  { key: 'catalogs', roles: ['admin', 'senior_cashier'] },
  { key: 'billing', roles: ['admin', 'senior_cashier'] },
  { key: 'imports', roles: ['admin', 'integrator'] },
  { key: 'review', roles: ['admin', 'senior_cashier'] },
  { key: 'reports', roles: ['admin', 'senior_cashier'] },
  { key: 'audit', roles: ['admin'] },
  { key: 'apikeys', roles: ['admin'] },
];

/** Alt+1 … Alt+9, then Alt+0 for the tenth section. */
const hotkey = (i: number): string => String((i + 1) % 10);

export function App() {
  const { t } = useTranslation();
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const [route, go] = useRoute();

  useEffect(() => {
    if (!getToken()) {
      setChecked(true);
      return;
    }
    api<Me>('GET', '/api/v1/auth/me')
      .then(setMe)
      .catch(() => setToken(null))
      .finally(() => setChecked(true));
  }, []);
  useEffect(() => {
    const on = (): void => {
      setToken(null);
      setMe(null);
    };
    window.addEventListener('paydesk:unauthorized', on);
    return () => window.removeEventListener('paydesk:unauthorized', on);
  }, []);

  const visible = SECTIONS.filter((s) => me && s.roles.includes(me.role));
  useHotkeys(visible.slice(0, 10).map((s, i) => [`alt+${hotkey(i)}`, () => go(s.key)]));

  if (!checked) return <Text p="xl">{t('common.loading')}</Text>;
  if (!me) return <LoginScreen onSignedIn={setMe} />;
  const section = (visible.find((s) => s.key === route[0]) ?? visible[0])?.key ?? 'overview';
  const rest = route.slice(1);

  return (
    <AppShell navbar={{ width: 240, breakpoint: 'sm' }} header={{ height: 56 }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3} c="indigo.8">
            Paydesk · бэк-офис
          </Title>
          <Group>
            <Text>{me.name}</Text>
            <Badge variant="light">{t(`roles.${me.role}`)}</Badge>
            <Button
              variant="subtle"
              onClick={() => {
                void api('POST', '/api/v1/auth/logout').finally(() => {
                  setToken(null);
                  setMe(null);
                });
              }}
              data-testid="logout"
            >
              {t('nav.logout')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <Stack gap={2}>
          {visible.map((s, i) => (
            <NavLink
              key={s.key}
              href={`#/${s.key}`}
              active={section === s.key}
              label={t(`nav.${s.key}`)}
              rightSection={
                i < 10 ? (
                  <Text size="xs" c="dimmed">
                    Alt+{hotkey(i)}
                  </Text>
                ) : null
              }
              data-testid={`nav-${s.key}`}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main bg="gray.0">
        {section === 'overview' && <OverviewScreen />}
        {section === 'desks' && <DesksScreen me={me} />}
        {section === 'people' && <PeopleScreen />}
        {section === 'catalogs' && <CatalogsScreen me={me} tab={rest[0]} />}
        {section === 'billing' && <BillingScreen account={rest[0]} onOpen={(n) => go(`billing/${encodeURIComponent(n)}`)} />}
        {section === 'imports' && <ImportsScreen />}
        {section === 'review' && <ReviewScreen />}
        {section === 'reports' && <ReportsScreen />}
        {section === 'audit' && <AuditScreen />}
        {section === 'apikeys' && <ApiKeysScreen />}
      </AppShell.Main>
    </AppShell>
  );
}
