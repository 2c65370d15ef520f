import { describe, expect, it } from 'vitest';
import { normalizeCustomerContact } from './customer-contact.ts';

describe('the payer’s phone or e-mail for an electronic receipt (tag 1008)', () => {
  it.each([
    ['+7 (916) 111-22-33', '+79161112233'],
    ['89161112233', '+79161112233'],
    ['79161112233', '+79161112233'],
    ['916 111 22 33', '+79161112233'],
    ['+79161112233', '+79161112233'],
  ])('a phone as typed, %s, is +7 and ten digits', (input, value) => {
    expect(normalizeCustomerContact(input)).toEqual({ ok: true, kind: 'phone', value });
  });

  it('an e-mail is kept, in lower case', () => {
    expect(normalizeCustomerContact('  Ivanova.A@Mail.RU ')).toEqual({ ok: true, kind: 'email', value: 'ivanova.a@mail.ru' });
  });

  it.each([
    ['', /укажите/],
    ['12345', /не номер мобильного/],
    ['+1 212 555 0100', /не номер мобильного/],
    ['84951234567', /не номер мобильного/],
    ['+89161112233', /не номер мобильного/],
    ['ivanova@', /не адрес e-mail/],
    ['ivanova@mail', /не адрес e-mail/],
    ['два слова@mail.ru', /не адрес e-mail/],
    [`${'a'.repeat(60)}@mail.ru`, /длиннее 64/],
    ['позвоните мне', /не телефон и не e-mail/],
  ])('«%s» is refused with a reason', (input, reason) => {
    const r = normalizeCustomerContact(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(reason);
  });
});
