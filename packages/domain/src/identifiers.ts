/**
 * Identifiers printed on ЖКУ bills (ГИС ЖКХ) and tax ids. No checksum is published for ЕЛС/ИЖКУ/ИПД,
 * so they are checked by length and shape only; the ИНН has control digits and is checked fully.
 */

const latinToCyrillic: Record<string, string> = {
  A: 'А',
  B: 'В',
  E: 'Е',
  K: 'К',
  M: 'М',
  H: 'Н',
  O: 'О',
  P: 'Р',
  C: 'С',
  T: 'Т',
  X: 'Х',
  Y: 'У',
};

/** Upper-cases and maps Latin look-alikes to Cyrillic, as billing systems mix them in ЕЛС. */
export function normalizeGisId(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[ABEKMHOPCTXY]/g, (ch) => latinToCyrillic[ch] ?? ch);
}

/** ЕЛС: 10 characters, two digits, two Cyrillic letters, six digits. */
export function isEls(text: string): boolean {
  return /^\d{2}[А-ЯЁ]{2}\d{6}$/u.test(normalizeGisId(text));
}

/** ИЖКУ: ЕЛС, a dash and two digits (13 characters). */
export function isIzhku(text: string): boolean {
  return /^\d{2}[А-ЯЁ]{2}\d{6}-\d{2}$/u.test(normalizeGisId(text));
}

/** ИПД: 18 characters, observed as ЕЛС-NN-NNNN. */
export function isIpd(text: string): boolean {
  return /^\d{2}[А-ЯЁ]{2}\d{6}-\d{2}-\d{4}$/u.test(normalizeGisId(text));
}

/** The ЕЛС inside an ИЖКУ or ИПД, or the ЕЛС itself. */
export function elsOf(text: string): string | null {
  const norm = normalizeGisId(text);
  const m = /^(\d{2}[А-ЯЁ]{2}\d{6})(?:-\d{2}(?:-\d{4})?)?$/u.exec(norm);
  return m ? (m[1] ?? null) : null;
}

function innChecksum(digits: number[], weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return (sum % 11) % 10;
}

/** ИНН of an organisation (10 digits) or a person (12 digits), with its control digits. */
export function isValidInn(text: string): boolean {
  if (!/^\d{10}$|^\d{12}$/.test(text)) return false;
  const d = [...text].map(Number);
  if (d.length === 10) return innChecksum(d, [2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9];
  return innChecksum(d, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && innChecksum(d, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
}

/** The ИНН written on receipts for a supplier with no Russian ИНН (ФНС letters of 2017 and 2020). */
export const FOREIGN_SUPPLIER_INN = '000000000000';

export function isReceiptSupplierInn(text: string): boolean {
  return text === FOREIGN_SUPPLIER_INN || isValidInn(text);
}

export function isKpp(text: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(text);
}

export function isBic(text: string): boolean {
  return /^\d{9}$/.test(text);
}

export function isBankAccount(text: string): boolean {
  return /^\d{20}$/.test(text);
}

/** Russian phone in E.164 (+7 and ten digits) from what people type: 8 (916) 111-22-33, 9161112233. */
export function normalizeRuPhone(text: string): string | null {
  const digits = text.replace(/\D/g, '');
  if (digits.length === 10) return `+7${digits}`;
  if (digits.length === 11 && (digits.startsWith('7') || digits.startsWith('8'))) return `+7${digits.slice(1)}`;
  return null;
}
