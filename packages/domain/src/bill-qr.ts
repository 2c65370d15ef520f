/**
 * The payment QR code on bills, GOST R 56042-2014: "ST0001" + encoding flag + separator + Key=Value
 * pairs. The parser follows what real bills do rather than what the standard says (see
 * shared/specs/gost-56042-qr.md, section 1.5): keys in any case, values that contain '=', sums in
 * rubles, periods in half a dozen formats, HTML entities, and text mangled by keyboard-wedge scanners.
 */
import { decodeText, encodeText, hasNonAscii, isValidUtf8, latin1Bytes, CYRILLIC, type QrEncoding } from './text-encodings.ts';
import { normalizePaymPeriod, type Period } from './period.ts';
import { parseRub } from './money.ts';
import { elsOf, isIpd, isIzhku, isEls } from './identifiers.ts';

export type { QrEncoding } from './text-encodings.ts';

export const REQUIRED_KEYS = ['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc'] as const;

/** Every requisite the standard names, in its spelling; keys are matched against these case-insensitively. */
export const KNOWN_KEYS = [
  ...REQUIRED_KEYS,
  'Sum',
  'Purpose',
  'PayeeINN',
  'PayerINN',
  'DrawerStatus',
  'KPP',
  'CBC',
  'OKTMO',
  'PaytReason',
  'TaxPeriod',
  'DocNo',
  'DocDate',
  'TaxPaytKind',
  'LastName',
  'FirstName',
  'MiddleName',
  'PayerAddress',
  'PersonalAccount',
  'DocIdx',
  'PensAcc',
  'Contract',
  'PersAcc',
  'Flat',
  'Phone',
  'PayerIdType',
  'PayerIdNum',
  'ChildFio',
  'BirthDate',
  'PaymTerm',
  'PaymPeriod',
  'Category',
  'ServiceName',
  'CounterId',
  'CounterVal',
  'QuittId',
  'QuittDate',
  'InstNum',
  'ClassNum',
  'SpecFio',
  'AddAmount',
  'RuleId',
  'ExecId',
  'RegType',
  'UIN',
  'TechCode',
] as const;

const canonicalByLower = new Map<string, string>(KNOWN_KEYS.map((k) => [k.toLowerCase(), k]));
// The Rust crate and a PHP generator spell it without the "t".
canonicalByLower.set('taxpaykind', 'TaxPaytKind');

/** Field maxima from the standard's tables; longer values are kept but reported. */
const MAX_LENGTH: Record<string, number> = {
  Name: 160,
  PersonalAcc: 20,
  BankName: 45,
  BIC: 9,
  CorrespAcc: 20,
  Sum: 18,
  Purpose: 210,
  PayeeINN: 12,
  PayerINN: 12,
  DrawerStatus: 2,
  KPP: 9,
  CBC: 20,
  OKTMO: 11,
  PaytReason: 2,
  TaxPeriod: 10,
  DocNo: 15,
  DocDate: 10,
  TaxPaytKind: 2,
};

const ENCODING_BY_FLAG: Record<string, QrEncoding> = { '1': 'windows-1251', '2': 'utf-8', '3': 'koi8-r' };
const FLAG_BY_ENCODING: Record<QrEncoding, string> = { 'windows-1251': '1', 'utf-8': '2', 'koi8-r': '3' };

export interface QrWarning {
  code:
    | 'qr.encoding_repaired'
    | 'qr.encoding_flag_wrong'
    | 'qr.required_missing'
    | 'qr.required_order'
    | 'qr.bad_pair'
    | 'qr.duplicate_key'
    | 'qr.field_too_long'
    | 'qr.field_format'
    | 'qr.sum_in_rubles'
    | 'qr.sum_invalid'
    | 'qr.period_unreadable';
  message: string;
  key?: string;
}

export interface BillQr {
  ok: true;
  encoding: QrEncoding;
  separator: string;
  /** Every pair under its canonical GOST key (unknown keys as written), values trimmed and unescaped. */
  fields: Record<string, string>;
  sumKop?: number;
  /** True when Sum was written in rubles (with a comma or dot): the cashier confirms the amount. */
  sumNeedsConfirmation: boolean;
  /** PaymPeriod as YYYY-MM, when it can be read. */
  period?: Period;
  warnings: QrWarning[];
}

export interface BillQrError {
  ok: false;
  code: 'qr.not_gost' | 'qr.unsupported_version' | 'qr.empty';
  message: string;
}

export type BillQrResult = BillQr | BillQrError;

/** Parses the text a scanner typed (already characters, possibly mis-decoded by the scanner). */
export function parseBillQr(text: string): BillQrResult {
  const trimmed = text.trim();
  const header = checkHeader(trimmed.slice(0, 8), trimmed.length);
  if (!header.ok) return header;
  const declared = ENCODING_BY_FLAG[header.flag] as QrEncoding;
  const warnings: QrWarning[] = [];
  let body = trimmed.slice(8);
  let encoding = declared;
  if (!CYRILLIC.test(body) && /[\u0080-\uffff]/.test(body)) {
    const bytes = latin1Bytes(body);
    if (bytes) {
      const repaired = decodeSniffed(bytes, declared);
      if (CYRILLIC.test(repaired.text) && !repaired.text.includes('\ufffd')) {
        body = repaired.text;
        encoding = repaired.encoding;
        warnings.push({ code: 'qr.encoding_repaired', message: 'Текст кода был искажён сканером и восстановлен' });
      }
    }
  }
  return parseBody(body, header.separator, encoding, warnings);
}

/** Parses the raw bytes of the code (USB-COM / HID-POS scanners), decoding by the encoding flag. */
export function parseBillQrBytes(bytes: Uint8Array): BillQrResult {
  const header = checkHeader(String.fromCharCode(...bytes.subarray(0, 8)), bytes.length);
  if (!header.ok) return header;
  const declared = ENCODING_BY_FLAG[header.flag] as QrEncoding;
  const rest = bytes.subarray(8);
  const decoded = decodeSniffed(rest, declared);
  const warnings: QrWarning[] = [];
  if (decoded.encoding !== declared) {
    warnings.push({
      code: 'qr.encoding_flag_wrong',
      message: `Код объявляет кодировку ${declared}, но записан в ${decoded.encoding}`,
    });
  }
  return parseBody(decoded.text.trim(), header.separator, decoded.encoding, warnings);
}

function checkHeader(head: string, totalLength: number): { ok: true; flag: string; separator: string } | BillQrError {
  if (!head.startsWith('ST')) return { ok: false, code: 'qr.not_gost', message: 'Это не платёжный QR-код квитанции (ГОСТ Р 56042)' };
  if (!head.startsWith('ST0001')) {
    return { ok: false, code: 'qr.unsupported_version', message: 'Неизвестная версия формата QR-кода квитанции' };
  }
  const flag = head.charAt(6);
  const separator = head.charAt(7);
  if (flag !== '' && !'123'.includes(flag)) {
    return { ok: false, code: 'qr.unsupported_version', message: 'Неизвестная кодировка в QR-коде квитанции' };
  }
  if (flag === '' || separator === '' || totalLength <= 8) {
    return { ok: false, code: 'qr.empty', message: 'В QR-коде квитанции нет реквизитов' };
  }
  if (/[\p{L}\p{N}=\s]/u.test(separator)) {
    return { ok: false, code: 'qr.not_gost', message: 'В QR-коде квитанции нет разделителя реквизитов' };
  }
  return { ok: true, flag, separator };
}

/** Decodes by the flag, falling back to "valid UTF-8? else windows-1251" when the flag lies. */
function decodeSniffed(bytes: Uint8Array, declared: QrEncoding): { text: string; encoding: QrEncoding } {
  if (!hasNonAscii(bytes)) return { text: decodeText(bytes, declared), encoding: declared };
  const utf8 = isValidUtf8(bytes);
  if (declared === 'utf-8') {
    return utf8
      ? { text: decodeText(bytes, 'utf-8'), encoding: 'utf-8' }
      : { text: decodeText(bytes, 'windows-1251'), encoding: 'windows-1251' };
  }
  // Cyrillic in a single-byte charset practically never forms valid multi-byte UTF-8.
  if (utf8) return { text: decodeText(bytes, 'utf-8'), encoding: 'utf-8' };
  return { text: decodeText(bytes, declared), encoding: declared };
}

function parseBody(body: string, separator: string, encoding: QrEncoding, warnings: QrWarning[]): BillQrResult {
  const fields: Record<string, string> = {};
  const order: string[] = [];
  for (const piece of body.split(separator)) {
    const part = piece.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      warnings.push({ code: 'qr.bad_pair', message: `Реквизит без имени или значения: «${part.slice(0, 40)}»` });
      continue;
    }
    const rawKey = part.slice(0, eq).trim();
    const key = canonicalByLower.get(rawKey.toLowerCase()) ?? rawKey;
    const value = decodeEntities(part.slice(eq + 1).trim());
    if (key in fields) {
      warnings.push({ code: 'qr.duplicate_key', message: `Реквизит ${key} повторяется; взят первый`, key });
      continue;
    }
    fields[key] = value;
    order.push(key);
  }
  if (order.length === 0) return { ok: false, code: 'qr.empty', message: 'В QR-коде квитанции нет реквизитов' };
  checkRequired(order, warnings);
  checkFormats(fields, warnings);

  const result: BillQr = { ok: true, encoding, separator, fields, sumNeedsConfirmation: false, warnings };
  const sum = fields['Sum'];
  if (sum !== undefined && sum !== '') {
    if (/^\d{1,18}$/.test(sum)) {
      result.sumKop = Number(sum);
    } else {
      const parsed = parseRub(sum);
      if (parsed.ok && parsed.kop >= 0) {
        result.sumKop = parsed.kop;
        result.sumNeedsConfirmation = true;
        warnings.push({ code: 'qr.sum_in_rubles', message: 'Сумма в коде записана в рублях — проверьте её', key: 'Sum' });
      } else {
        warnings.push({ code: 'qr.sum_invalid', message: `Сумма в коде не читается: «${sum}»`, key: 'Sum' });
      }
    }
  }
  const rawPeriod = fields['PaymPeriod'];
  if (rawPeriod !== undefined && rawPeriod !== '') {
    const period = normalizePaymPeriod(rawPeriod);
    if (period) result.period = period;
    else warnings.push({ code: 'qr.period_unreadable', message: `Период оплаты не читается: «${rawPeriod}»`, key: 'PaymPeriod' });
  }
  return result;
}

function checkRequired(order: string[], warnings: QrWarning[]): void {
  const missing = REQUIRED_KEYS.filter((k) => !order.includes(k));
  if (missing.length > 0) {
    warnings.push({ code: 'qr.required_missing', message: `Нет обязательных реквизитов: ${missing.join(', ')}` });
    return;
  }
  const firstFive = order.slice(0, REQUIRED_KEYS.length);
  if (firstFive.some((k, i) => k !== REQUIRED_KEYS[i])) {
    warnings.push({ code: 'qr.required_order', message: 'Обязательные реквизиты идут не в порядке стандарта' });
  }
}

const FORMAT_CHECKS: Record<string, RegExp> = {
  PersonalAcc: /^\d{20}$/,
  CorrespAcc: /^\d{20}$/,
  BIC: /^\d{9}$/,
  PayeeINN: /^(\d{10}|\d{12})$/,
  PayerINN: /^(\d{10}|\d{12})$/,
  KPP: /^\d{4}[\dA-Z]{2}\d{3}$/,
  TechCode: /^\d{2}$/,
};

function checkFormats(fields: Record<string, string>, warnings: QrWarning[]): void {
  for (const [key, value] of Object.entries(fields)) {
    const max = MAX_LENGTH[key];
    if (max !== undefined && value.length > max) {
      warnings.push({ code: 'qr.field_too_long', message: `${key} длиннее ${max} символов`, key });
    }
    const re = FORMAT_CHECKS[key];
    if (re && value !== '' && !re.test(value)) {
      warnings.push({ code: 'qr.field_format', message: `${key} имеет неверный формат: «${value}»`, key });
    }
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  quot: '"',
  amp: '&',
  lt: '<',
  gt: '>',
  apos: "'",
  nbsp: '\u00a0',
  laquo: '«',
  raquo: '»',
  ndash: '–',
  mdash: '—',
  numero: '№',
  hellip: '…',
};

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/giu, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return safeCodePoint(parseInt(body.slice(2), 16)) ?? whole;
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10)) ?? whole;
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** Separators QRCoder tries, in its order: the first that occurs in no value is used. */
const SEPARATOR_CANDIDATES = ['|', '#', ';', ':', '^', '_', '~', '{', '}', '!', '$', '%', '&', '(', ')', '*', '+', ',', '/', '@'];

export interface BuildBillQrOptions {
  encoding?: QrEncoding;
}

/**
 * Writes a bill QR text: the required block first in the standard's order, then the other fields in
 * the order given. Used for the demo's bills and for tests; throws on a missing required field.
 */
export function buildBillQr(fields: Record<string, string>, options: BuildBillQrOptions = {}): string {
  const encoding = options.encoding ?? 'utf-8';
  for (const key of REQUIRED_KEYS) {
    if (!fields[key]) throw new Error(`bill QR: required field ${key} is missing`);
  }
  const values = Object.values(fields);
  const separator = SEPARATOR_CANDIDATES.find((s) => values.every((v) => !v.includes(s)));
  if (!separator) throw new Error('bill QR: every separator occurs in some value');
  const keys = [...REQUIRED_KEYS, ...Object.keys(fields).filter((k) => !(REQUIRED_KEYS as readonly string[]).includes(k))];
  const pairs = keys.map((k) => `${k}=${fields[k] ?? ''}`);
  return `ST0001${FLAG_BY_ENCODING[encoding]}${separator}${pairs.join(separator)}`;
}

/** The bytes of a bill QR in its declared encoding, as a raw-mode scanner delivers them. */
export function encodeBillQr(fields: Record<string, string>, encoding: QrEncoding): Uint8Array {
  const text = buildBillQr(fields, { encoding });
  const header = new TextEncoder().encode(text.slice(0, 8));
  const body = encodeText(text.slice(8), encoding);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** What a bill identifies the payer by, most specific first: ЕЛС/ИЖКУ/ИПД where present, then the ЛС. */
export interface BillAccountRef {
  kind: 'els' | 'izhku' | 'ipd' | 'account';
  value: string;
  els?: string;
}

export function billAccountRefs(qr: BillQr): BillAccountRef[] {
  const refs: BillAccountRef[] = [];
  const seen = new Set<string>();
  const push = (ref: BillAccountRef): void => {
    const key = `${ref.kind}:${ref.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      refs.push(ref);
    }
  };
  for (const key of ['PersAcc', 'UIN', 'PaymentDocumentID', 'Contract'] as const) {
    const value = qr.fields[key];
    if (!value) continue;
    const els = elsOf(value);
    if (isIpd(value) && els) push({ kind: 'ipd', value, els });
    else if (isIzhku(value) && els) push({ kind: 'izhku', value, els });
    else if (isEls(value) && els) push({ kind: 'els', value: els, els });
    else if (key !== 'UIN') push({ kind: 'account', value });
  }
  return refs;
}
