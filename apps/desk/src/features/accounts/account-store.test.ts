/** Address search finds every street that begins with what was typed, and seeks house and flat in each. */
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../db/journal-db.ts';
import { Replica } from '../sync/replica.ts';
import { AccountStore } from './account-store.ts';

const account = (number: string, street: string, house: string, flat: string) => ({
  number, els: null, city: 'Новоградск', street, house, building: null, flat, ownerName: `Жилец ${number}`, status: 'active', version: '1',
});

describe('account search by address', () => {
  const db = openJournal(':memory:');
  const rows = [account('1', 'ул. Ленина', '10', '5'), account('2', 'Ленинградская', '10', '5'), account('3', 'ул. Ленина', '10', '6'), account('4', 'ул. Ленина', '11', '5'), account('5', 'Мира', '10', '5')];
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
