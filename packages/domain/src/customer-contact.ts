/**
 * Tag 1008: where the ОФД sends the payer an electronic copy of the receipt — a phone number or an
 * e-mail address, as the cashier types or reads it out. The register takes at most 64 characters; a
 * Russian phone is written +7 and ten digits.
 */
import type { Result } from './result.ts';

export interface CustomerContact {
  kind: 'phone' | 'email';
  value: string;
}

const TAG_1008_MAX = 64;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

const err = (message: string): Result<CustomerContact, { message: string }> => ({ ok: false, message });
const ok = (c: CustomerContact): Result<CustomerContact, { message: string }> => ({ ok: true, ...c });

export function normalizeCustomerContact(input: string): Result<CustomerContact, { message: string }> {
  const text = input.trim();
  if (text === '') return err('укажите телефон или e-mail покупателя');
  if (text.includes('@')) {
    const email = text.toLowerCase();
    if (!EMAIL.test(email)) return err(`«${text}» — не адрес e-mail: нужно имя@домен`);
    if (email.length > TAG_1008_MAX) return err(`адрес e-mail длиннее ${TAG_1008_MAX} знаков: ККТ его не примет`);
    return ok({ kind: 'email', value: email });
  }
  if (!/^[+\d\s()-]+$/.test(text)) return err(`«${text}» — не телефон и не e-mail`);
  const digits = text.replace(/\D/g, '');
  const national =
    digits.length === 11 && (digits.startsWith('7') || (digits.startsWith('8') && !text.startsWith('+')))
      ? digits.slice(1)
      : digits.length === 10 && !text.startsWith('+')
        ? digits
        : null;
  if (national === null || !national.startsWith('9')) return err(`«${text}» — не номер мобильного телефона: +7 и десять цифр, начиная с 9`);
  return ok({ kind: 'phone', value: `+7${national}` });
}
