/**
 * The import file layouts (docs/integration.md): a header line names the columns, in any order;
 * `;` or `,` separated; money in rubles with a comma or a dot; dates as YYYY-MM-DD or DD.MM.YYYY;
 * periods as YYYY-MM or MM.YYYY. Each row is checked here; references (an account, a service) are
 * checked against the database after the whole file has been read.
 */
import { isPeriod, parseRub } from '@paydesk/domain';

export type ImportKind = 'accounts' | 'charges' | 'meters';

export interface RowError {
  line: number;
  column?: string;
  message: string;
}

export interface ColumnSpec {
  name: string;
  aliases: string[];
  required: boolean;
}

export const LAYOUTS: Record<ImportKind, ColumnSpec[]> = {
  accounts: [
    { name: 'number', aliases: ['account', 'ls', 'лс', 'лицевой_счет', 'лицевой_счёт'], required: true },
    { name: 'els', aliases: ['елс'], required: false },
    { name: 'city', aliases: ['город'], required: false },
    { name: 'street', aliases: ['улица'], required: false },
    { name: 'house', aliases: ['дом'], required: false },
    { name: 'building', aliases: ['корпус', 'строение'], required: false },
    { name: 'flat', aliases: ['кв', 'квартира'], required: false },
    { name: 'owner', aliases: ['owner_name', 'фио', 'владелец'], required: false },
    { name: 'status', aliases: ['статус'], required: false },
  ],
  charges: [
    { name: 'account', aliases: ['number', 'ls', 'лс', 'лицевой_счет', 'лицевой_счёт'], required: true },
    { name: 'service', aliases: ['service_code', 'услуга'], required: true },
    { name: 'period', aliases: ['период'], required: true },
    { name: 'due', aliases: ['debt', 'долг', 'к_оплате'], required: true },
    { name: 'penalty', aliases: ['пени'], required: false },
    { name: 'charge', aliases: ['начислено', 'monthly'], required: false },
    { name: 'supplier', aliases: ['supplier_inn', 'поставщик', 'инн_поставщика'], required: false },
  ],
  meters: [
    { name: 'account', aliases: ['number', 'ls', 'лс', 'лицевой_счет', 'лицевой_счёт'], required: true },
    { name: 'service', aliases: ['service_code', 'услуга'], required: true },
    { name: 'serial', aliases: ['номер', 'заводской_номер'], required: true },
    { name: 'digits', aliases: ['разрядность'], required: true },
    { name: 'fraction_digits', aliases: ['дробных_разрядов'], required: false },
    { name: 'verification_due', aliases: ['поверка', 'дата_поверки'], required: false },
    { name: 'jump_threshold', aliases: ['порог'], required: false },
    { name: 'last_value', aliases: ['показание'], required: false },
    { name: 'last_date', aliases: ['дата_показания'], required: false },
  ],
};

/** Maps header names to layout columns; unknown and missing required columns are errors. */
export function mapHeader(kind: ImportKind, header: string[]): { index: Map<string, number>; errors: RowError[] } {
  const index = new Map<string, number>();
  const errors: RowError[] = [];
  header.forEach((raw, i) => {
    const name = raw
      .trim()
      .toLowerCase()
      .replace(/^\ufeff/, '')
      .replace(/\s+/g, '_');
    if (name === '') return;
    const spec = LAYOUTS[kind].find((c) => c.name === name || c.aliases.includes(name));
    if (!spec) errors.push({ line: 1, column: raw, message: `Неизвестный столбец «${raw}»` });
    else if (index.has(spec.name)) errors.push({ line: 1, column: raw, message: `Столбец «${spec.name}» указан дважды` });
    else index.set(spec.name, i);
  });
  for (const c of LAYOUTS[kind])
    if (c.required && !index.has(c.name)) errors.push({ line: 1, column: c.name, message: `Нет обязательного столбца «${c.name}»` });
  return { index, errors };
}

function dateOf(text: string): string | null {
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const dmy = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text);
  const iso = ymd ? `${ymd[1]}-${ymd[2]}-${ymd[3]}` : dmy ? `${dmy[3]}-${dmy[2]}-${dmy[1]}` : null;
  if (!iso) return null;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

function periodOf(text: string): string | null {
  if (isPeriod(text)) return text;
  const m = /^(\d{2})\.(\d{4})$/.exec(text);
  return m && isPeriod(`${m[2]}-${m[1]}`) ? `${m[2]}-${m[1]}` : null;
}

function kopOf(text: string): number | null {
  const r = parseRub(text);
  return r.ok && r.kop >= 0 ? r.kop : null;
}

/** A debt may be negative: the payer has paid ahead (an advance). */
function signedKopOf(text: string): number | null {
  const r = parseRub(text);
  return r.ok ? r.kop : null;
}

function int(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

export type AccountRow = {
  number: string;
  els: string | null;
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
  owner_name: string | null;
  status: 'active' | 'closed';
};
export type ChargeRow = {
  account_number: string;
  service_code: string;
  period: string;
  due_kop: number;
  penalty_kop: number;
  charge_kop: number | null;
  supplier_inn: string | null;
};
export type MeterRow = {
  account_number: string;
  service_code: string;
  serial: string;
  digits: number;
  fraction_digits: number;
  verification_due: string | null;
  jump_threshold: number | null;
  last_value_milli: number | null;
  last_date: string | null;
};

export type ParsedRow = AccountRow | ChargeRow | MeterRow;

/** One data line to a row, or the reasons it cannot be one. */
export function parseRow(
  kind: ImportKind,
  index: Map<string, number>,
  cells: string[],
  line: number,
): { row?: ParsedRow; errors: RowError[] } {
  const errors: RowError[] = [];
  const get = (name: string): string => {
    const i = index.get(name);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const opt = (name: string, max: number): string | null => {
    const v = get(name);
    if (v === '') return null;
    if (v.length > max) errors.push({ line, column: name, message: `длиннее ${max} символов` });
    return v;
  };
  const req = (name: string, max: number): string => {
    const v = get(name);
    if (v === '') errors.push({ line, column: name, message: 'пусто' });
    else if (v.length > max) errors.push({ line, column: name, message: `длиннее ${max} символов` });
    return v;
  };
  if (kind === 'accounts') {
    const statusText = get('status').toLowerCase();
    const status =
      statusText === '' || ['active', 'открыт', 'активен', '1'].includes(statusText)
        ? 'active'
        : ['closed', 'закрыт', '0'].includes(statusText)
          ? 'closed'
          : null;
    if (!status) errors.push({ line, column: 'status', message: `статус «${get('status')}»: ожидается active или closed` });
    const els = opt('els', 10);
    if (els && !/^\d{2}[А-ЯЁ]{2}\d{6}$/u.test(els))
      errors.push({ line, column: 'els', message: `ЕЛС «${els}»: ожидается 2 цифры, 2 буквы, 6 цифр` });
    const row: AccountRow = {
      number: req('number', 30),
      els,
      city: opt('city', 100),
      street: opt('street', 200),
      house: opt('house', 20),
      building: opt('building', 20),
      flat: opt('flat', 20),
      owner_name: opt('owner', 200),
      status: status ?? 'active',
    };
    return errors.length ? { errors } : { row, errors };
  }
  if (kind === 'charges') {
    const account = req('account', 30);
    const service = req('service', 32);
    const period = periodOf(get('period'));
    if (!period) errors.push({ line, column: 'period', message: `период «${get('period')}»: ожидается ГГГГ-ММ или ММ.ГГГГ` });
    const due = signedKopOf(get('due'));
    if (due === null)
      errors.push({
        line,
        column: 'due',
        message:
          get('due') === '' ? 'сумма к оплате не указана: долг 0 пишут как 0, переплату — с минусом' : `сумма «${get('due')}» не читается`,
      });
    const penalty = get('penalty') === '' ? 0 : kopOf(get('penalty'));
    if (penalty === null)
      errors.push({
        line,
        column: 'penalty',
        message: negative(get('penalty'))
          ? `пени «${get('penalty')}» не могут быть отрицательными`
          : `пени «${get('penalty')}» не читаются`,
      });
    const charge = get('charge') === '' ? null : kopOf(get('charge'));
    if (get('charge') !== '' && charge === null)
      errors.push({
        line,
        column: 'charge',
        message: negative(get('charge'))
          ? `начисление «${get('charge')}» не может быть отрицательным`
          : `начисление «${get('charge')}» не читается`,
      });
    const supplier = get('supplier') === '' ? null : get('supplier');
    if (supplier !== null && !/^(\d{10}|\d{12})$/.test(supplier))
      errors.push({ line, column: 'supplier', message: `ИНН поставщика «${supplier}»: 10 или 12 цифр` });
    if (errors.length) return { errors };
    return {
      row: {
        account_number: account,
        service_code: service,
        period: period as string,
        due_kop: due as number,
        penalty_kop: penalty as number,
        charge_kop: charge,
        supplier_inn: supplier,
      },
      errors,
    };
  }
  const digits = int(get('digits'), 1, 12);
  if (digits === null) errors.push({ line, column: 'digits', message: `разрядность «${get('digits')}»: число от 1 до 12` });
  const fraction = get('fraction_digits') === '' ? 3 : int(get('fraction_digits'), 0, 3);
  if (fraction === null) errors.push({ line, column: 'fraction_digits', message: 'дробных разрядов: от 0 до 3' });
  const verification = get('verification_due') === '' ? null : dateOf(get('verification_due'));
  if (get('verification_due') !== '' && !verification)
    errors.push({ line, column: 'verification_due', message: `дата поверки «${get('verification_due')}» не читается` });
  const threshold = get('jump_threshold') === '' ? null : int(get('jump_threshold'), 1, 1_000_000);
  if (get('jump_threshold') !== '' && threshold === null)
    errors.push({ line, column: 'jump_threshold', message: 'порог расхода: целое число больше 0' });
  let lastMilli: number | null = null;
  const lastText = get('last_value');
  if (lastText !== '') {
    const m = /^(\d{1,12})(?:[.,](\d{1,3}))?$/.exec(lastText);
    if (!m) errors.push({ line, column: 'last_value', message: `показание «${lastText}» не читается` });
    else lastMilli = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  }
  const lastDate = get('last_date') === '' ? null : dateOf(get('last_date'));
  if (get('last_date') !== '' && !lastDate)
    errors.push({ line, column: 'last_date', message: `дата показания «${get('last_date')}» не читается` });
  if ((lastMilli === null) !== (lastDate === null))
    errors.push({ line, column: 'last_value', message: 'показание и его дата указываются вместе' });
  if (digits !== null && lastMilli !== null && lastMilli >= 10 ** digits * 1000)
    errors.push({ line, column: 'last_value', message: 'показание больше разрядности счётчика' });
  const row: MeterRow = {
    account_number: req('account', 30),
    service_code: req('service', 32),
    serial: req('serial', 40),
    digits: digits ?? 0,
    fraction_digits: fraction ?? 3,
    verification_due: verification,
    jump_threshold: threshold,
    last_value_milli: lastMilli,
    last_date: lastDate,
  };
  return errors.length ? { errors } : { row, errors };
}

/** The key that must be unique within a file. */
export function rowKey(kind: ImportKind, row: ParsedRow): string {
  if (kind === 'accounts') return (row as AccountRow).number;
  if (kind === 'charges') {
    const c = row as ChargeRow;
    return `${c.account_number}\u0000${c.service_code}\u0000${c.period}`;
  }
  const m = row as MeterRow;
  return `${m.account_number}\u0000${m.serial}`;
}

/** A value that would read as a sum but for its minus sign: said as negative, not as unreadable. */
function negative(text: string): boolean {
  return text.trim().startsWith('-') && signedKopOf(text) !== null;
}
