import { describe, expect, it } from 'vitest';
import { houseKey, planSearch, streetKey } from './search-keys.ts';

describe('search keys and plans', () => {
  it('normalises streets, houses and flats as cashiers write them', () => {
    expect(streetKey('ул. Ленина')).toBe('ленина');
    expect(streetKey('проспект Карла Маркса')).toBe('карла маркса');
    expect(streetKey('Лётчиков')).toBe('летчиков');
    expect(houseKey('д. 10А')).toBe('10а');
    expect(houseKey('10 к2')).toBe('10к2');
  });

  it('reads what a cashier types', () => {
    expect(planSearch('ленина 10 5')).toMatchObject({ words: 'ленина', house: '10', flat: '5' });
    expect(planSearch('ул. Ленина, д.10, кв.5')).toMatchObject({ words: 'ленина', house: '10', flat: '5' });
    expect(planSearch('Ленина 10')).toMatchObject({ words: 'ленина', house: '10', flat: null });
    expect(planSearch('иванов')).toMatchObject({ words: 'иванов', house: null });
    expect(planSearch('карла маркса 3')).toMatchObject({ words: 'карла маркса', house: '3' });
    expect(planSearch('12345')).toMatchObject({ numberPrefix: '12345' });
    expect(planSearch('20МВ875415')).toMatchObject({ els: '20МВ875415' });
    expect(planSearch('20mb875415-07-1051')).toMatchObject({ els: '20МВ875415' });
  });

  it('reads a house and flat written with a dash (issue 19 item 15)', () => {
    expect(planSearch('ленина 3-2')).toMatchObject({ words: 'ленина', house: '3', flat: '2' });
    expect(planSearch('ул. Ленина, д. 3-2')).toMatchObject({ words: 'ленина', house: '3', flat: '2' });
    expect(planSearch('ленина д3-2')).toMatchObject({ words: 'ленина', house: '3', flat: '2' });
    expect(planSearch('ленина 10к2-15')).toMatchObject({ words: 'ленина', house: '10к2', flat: '15' });
    expect(planSearch('ленина 10а-7')).toMatchObject({ words: 'ленина', house: '10а', flat: '7' });
    expect(planSearch('ленина 3 - 2')).toMatchObject({ words: 'ленина', house: '3', flat: '2' });
    // Digits and dashes alone are still an account number.
    expect(planSearch('123-45')).toMatchObject({ numberPrefix: '123-45', words: null });
  });
});
