/** The demo's providers: two mobile operators, an intercom firm, an internet provider. */
import type { SimConfig } from './provider-sim.ts';

export const DEMO_CONFIG: SimConfig = {
  seed: 42,
  providers: [
    {
      code: 'MTS',
      mask: '^9\\d{9}$',
      minKop: 1_000,
      maxKop: 1_500_000,
      openAccounts: true,
      accounts: [
        { account: '9161112233', name: 'Иванов И.И.', balanceKop: -12_050 },
        { account: '9160000001', name: 'Заблокирован', behaviour: { kind: 'fatal', code: 79, comment: 'Абонент заблокирован' } },
      ],
    },
    { code: 'BEELINE', mask: '^9\\d{9}$', minKop: 1_000, maxKop: 1_500_000, openAccounts: true },
    {
      code: 'DOMOFON',
      mask: '^\\d{6}$',
      minKop: 5_000,
      maxKop: 500_000,
      accounts: [
        { account: '100501', name: 'Ленина 10, кв. 5', balanceKop: -15_000 },
        { account: '100777', name: 'Мира 3, кв. 12', balanceKop: 0 },
      ],
    },
    { code: 'NETLINE', mask: '^\\d{8}$', minKop: 10_000, maxKop: 3_000_000, openAccounts: true },
  ],
};
