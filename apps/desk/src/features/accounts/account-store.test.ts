/** Address search finds every street that begins with what was typed, and seeks house and flat in each. */
import { describe, expect, it } from 'vitest';
import { accountDetailsView, accountHitView, accountSearchAnswer } from '@paydesk/protocol';
import { openJournal } from '../../db/journal-db.ts';
import { Replica } from '../sync/replica.ts';
import { AccountStore, refreshHouseKeys, SEARCH_COUNT_CAP } from './account-store.ts';

const account = (number: string, street: string, house: string, flat: string) => ({
  number,
  els: null,
  city: 'Новоградск',
  street,
  house,
  building: null,
  flat,
  ownerName: `Жилец ${number}`,
  status: 'active',
  version: '1',
});

describe('account search by address', () => {
  const db = openJournal(':memory:');
  const rows = [
    account('1', 'ул. Ленина', '10', '5'),
    account('2', 'Ленинградская', '10', '5'),
    account('3', 'ул. Ленина', '10', '6'),
    account('4', 'ул. Ленина', '11', '5'),
    account('5', 'Мира', '10', '5'),
  ];
  new Replica(db).apply({ accounts: rows } as never);
  const store = new AccountStore(db);
  const find = (q: string): string[] => store.search(q).map((h) => h.number);

  it('a street’s beginning with house and flat finds that flat on every matching street, the exact flat first', () => {
    expect(find('ленин 10 5').slice(0, 2).sort()).toEqual(['1', '2']);
    expect(find('ленина 10 5')[0]).toBe('1');
    expect(find('ленинград 10 5')).toEqual(['2']);
    expect(find('мира 10 5')).toEqual(['5']);
  });

  it('a street and a house finds the house’s flats in order; another house is not mixed in', () => {
    expect(find('ленина 10')).toEqual(['1', '3']);
    expect(find('ленина 11')).toEqual(['4']);
    expect(find('пушкина 10')).toEqual([]);
  });
});

describe('account search by a house-flat with a dash, and a house’s flats in their order (issue 19 item 15)', () => {
  const db = openJournal(':memory:');
  new Replica(db).apply({
    accounts: Array.from({ length: 30 }, (_, i) => account(String(100 + i), 'ул. Ленина', '3', String(i + 1))),
  } as never);
  const store = new AccountStore(db);
  const find = (q: string): string[] => store.search(q).map((h) => h.number);

  it('«ленина 3-2» is house 3, flat 2: that flat alone', () => {
    expect(find('ленина 3-2')).toEqual(['101']);
    expect(find('ленина 3 2')).toEqual(['101']);
  });

  it('a house’s flats come 1, 2, 3 … 10, not 1, 10, 11', () => {
    expect(find('ленина 3').slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => String(100 + i)));
  });

  it('a flat typed but not there lists the house’s flats to choose from', () => {
    expect(find('ленина 3 99')).toHaveLength(20);
  });

  it('says how many match in all when it shows only the first of them', () => {
    const page = store.searchWithTotal('ленина 3', 20);
    expect(page.items).toHaveLength(20);
    expect(page).toMatchObject({ total: 30, totalCapped: false });
    expect(store.searchWithTotal('ленина 3-2', 20)).toMatchObject({ total: 1, totalCapped: false });
    expect(store.searchWithTotal('ленина', 5)).toMatchObject({ total: 30, totalCapped: false });
    // The route serialises through the protocol's schema, which drops what it does not declare.
    expect(accountSearchAnswer.strict().parse(page)).toEqual(page);
  });

  it('stops counting at a thousand', () => {
    const big = openJournal(':memory:');
    new Replica(big).apply({
      accounts: Array.from({ length: SEARCH_COUNT_CAP + 5 }, (_, i) => account(String(10_000 + i), 'Мира', '1', String(i + 1))),
    } as never);
    expect(new AccountStore(big).searchWithTotal('мира', 20)).toMatchObject({ total: SEARCH_COUNT_CAP, totalCapped: true });
  });
});

describe('account search by a house with a корпус or строение (issue 24 item 15)', () => {
  const db = openJournal(':memory:');
  const rows = [
    account('10', 'ул. Берёзовая', '10 к2', '7'),
    account('11', 'ул. Берёзовая', '10', '7'),
    account('12', 'ул. Берёзовая', '100', '7'),
    account('20', 'Трёхпрудная', '5 корп. 2', '1'),
    account('21', 'Трёхпрудная', '5', '1'),
    account('22', 'Трёхпрудная', '5 стр. 1', '1'),
    { ...account('30', 'Садовая', '3', '9'), building: 'корп. 4' },
  ];
  new Replica(db).apply({ accounts: rows } as never);
  const store = new AccountStore(db);
  const find = (q: string): string[] =>
    store
      .search(q)
      .map((h) => h.number)
      .sort();

  it('a house number finds the house and its buildings, not another house that begins with it', () => {
    expect(find('берёзовая 10')).toEqual(['10', '11']);
    expect(find('трёхпрудная 5')).toEqual(['20', '21', '22']);
    expect(find('садовая 3')).toEqual(['30']);
  });

  it('a replica keyed by the older rules is keyed again once at start', () => {
    db.prepare("UPDATE accounts SET house_key = '5корп2' WHERE number = '20'").run();
    db.prepare("DELETE FROM meta WHERE key = 'house_keys'").run();
    expect(refreshHouseKeys(db)).toBe(1);
    expect(refreshHouseKeys(db)).toBe(0);
    expect(find('трёхпрудная 5 к2')).toEqual(['20']);
  });

  it('a building typed any way finds exactly that building', () => {
    for (const q of ['берёзовая 10 к2', 'берёзовая 10к2', 'берёзовая 10 корп 2', 'берёзовая д. 10 корп. 2'])
      expect(find(q), q).toEqual(['10']);
    expect(find('трёхпрудная 5 корп 2')).toEqual(['20']);
    expect(find('трёхпрудная 5 стр 1')).toEqual(['22']);
    expect(find('садовая 3 к4')).toEqual(['30']);
    expect(find('берёзовая 10 к2 7')).toEqual(['10']);
  });
});

describe('an advance on an account (issue 24 item 14)', () => {
  it('a negative due from the billing, or payments above the due, show as paid ahead, not as a debt', () => {
    const db = openJournal(':memory:');
    const replica = new Replica(db);
    replica.apply({
      suppliers: [
        {
          id: 's1',
          name: 'УК',
          inn: '7707083893',
          kpp: null,
          phone: null,
          commission: { kind: 'none' },
          agentType: 'paying_agent',
          active: true,
          version: '1',
        },
      ],
      services: [
        { code: 'MAINT', name: 'Содержание', supplierId: 's1', unit: null, active: true, version: '1' },
        { code: 'WATER', name: 'Вода', supplierId: 's1', unit: null, active: true, version: '1' },
      ],
      accounts: [account('7', 'Мира', '1', '1')],
      charges: [
        {
          accountNumber: '7',
          serviceCode: 'MAINT',
          period: '2026-10',
          dueKop: -25_000,
          penaltyKop: 0,
          paidKop: 0,
          paidPenaltyKop: 0,
          chargeKop: 100_000,
          version: '1',
        },
        {
          accountNumber: '7',
          serviceCode: 'WATER',
          period: '2026-10',
          dueKop: 10_000,
          penaltyKop: 0,
          paidKop: 12_000,
          paidPenaltyKop: 0,
          chargeKop: 10_000,
          version: '1',
        },
      ],
    } as never);
    const a = new AccountStore(db).details('7');
    expect(a?.debts.map((d) => [d.serviceCode, d.debtKop, d.advanceKop])).toEqual([
      ['WATER', 0, 2_000],
      ['MAINT', 0, 25_000],
    ]);
    expect(a).toMatchObject({ totalDebtKop: 0, totalAdvanceKop: 27_000 });
    // The route serialises through the protocol's schema, which drops what it does not declare.
    expect(accountDetailsView.strict().parse(a)).toEqual(a);
    for (const hit of new AccountStore(db).search('7')) expect(accountHitView.strict().parse(hit)).toEqual(hit);
  });
});
