/**
 * Renders documents as a receipt tape: about 42 characters wide, laid out like a real Russian receipt
 * of a payment agent, with every detail 54-ФЗ asks for (tags in the comments).
 */
import { formatRub, type Receipt, type ReceiptItem, type TaxSystem, type VatRate } from '@paydesk/domain';
import type { RegisterShiftTotals } from '../port.ts';

export const TAPE_WIDTH = 42;

export interface Letterhead {
  orgName: string;
  orgInn: string;
  address: string;
  place: string;
  registrationNumber: string;
  serialNumber: string;
  fnNumber: string;
  timeZone: string;
}

const TAX_NAMES: Record<TaxSystem, string> = {
  osn: 'ОСН',
  usn_income: 'УСН доход',
  usn_income_outcome: 'УСН доход - расход',
  esn: 'ЕСХН',
  patent: 'ПСН',
};

const VAT_NAMES: Record<VatRate, string> = {
  none: 'НДС не облагается',
  vat0: 'НДС 0%',
  vat5: 'НДС 5%',
  vat7: 'НДС 7%',
  vat10: 'НДС 10%',
  vat20: 'НДС 20%',
  vat22: 'НДС 22%',
};

const OBJECT_NAMES: Record<ReceiptItem['paymentObject'], string> = {
  payment: 'ПЛАТЕЖ',
  agent_commission: 'АГЕНТСКОЕ ВОЗНАГРАЖДЕНИЕ',
  service: 'УСЛУГА',
  commodity: 'ТОВАР',
};

const AGENT_NAMES = { paying_agent: 'ПЛАТЕЖНЫЙ АГЕНТ', paying_subagent: 'ПЛАТЕЖНЫЙ СУБАГЕНТ' } as const;

export function center(text: string): string {
  if (text.length >= TAPE_WIDTH) return text;
  const pad = Math.floor((TAPE_WIDTH - text.length) / 2);
  return ' '.repeat(pad) + text;
}

/** Left text and right text on one line, the right one flush right; wraps the left when needed. */
export function spread(left: string, right: string): string[] {
  const room = TAPE_WIDTH - right.length - 1;
  const lines = wrap(left, Math.max(room, 10), /^\s*/.exec(left)?.[0] ?? '');
  const last = lines.pop() ?? '';
  if (last.length + 1 + right.length <= TAPE_WIDTH) {
    lines.push(last + ' '.repeat(TAPE_WIDTH - last.length - right.length) + right);
  } else {
    lines.push(last, ' '.repeat(Math.max(TAPE_WIDTH - right.length, 0)) + right);
  }
  return lines;
}

/** Word-wraps to the tape width; the text's leading spaces indent its first line, `indent` the rest. */
export function wrap(text: string, width = TAPE_WIDTH, indent = ''): string[] {
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? line + word : `${line} ${word}`;
    if (candidate.length <= width) {
      line = candidate;
      empty = false;
      continue;
    }
    if (!empty) lines.push(line);
    let rest = word;
    while (indent.length + rest.length > width) {
      lines.push(indent + rest.slice(0, width - indent.length));
      rest = rest.slice(width - indent.length);
    }
    line = indent + rest;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines.length ? lines : [''];
}

const RULE = '-'.repeat(TAPE_WIDTH);
const DOUBLE = '='.repeat(TAPE_WIDTH);

function money(kop: number): string {
  return `=${formatRub(kop, { symbol: false }).replace(/\u00a0/g, ' ')}`;
}

// Building a formatter costs more than a whole receipt's text; one per time zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatLocal(iso: string, timeZone: string): string {
  const d = new Date(iso);
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('ru-RU', {
      timeZone,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(d);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')}.${get('month')}.${get('year')} ${get('hour')}:${get('minute')}`;
}

function header(l: Letterhead): string[] {
  return [...wrap(l.orgName).map(center), center(`ИНН ${l.orgInn}`), ...wrap(l.address).map(center), RULE];
}

function footer(l: Letterhead, fd: number, fiscalSign: string | null): string[] {
  const lines = [
    spread('РН ККТ:', l.registrationNumber)[0] as string,
    spread('ЗН ККТ:', l.serialNumber)[0] as string,
    spread('ФН:', l.fnNumber)[0] as string,
  ];
  lines.push(spread('ФД:', String(fd))[0] as string);
  if (fiscalSign) lines.push(spread('ФП:', fiscalSign)[0] as string);
  return lines;
}

export interface ReceiptTapeInput {
  receipt: Receipt;
  documentNumber: number;
  fiscalSign: string;
  shiftNumber: number;
  receiptNumber: number;
  at: string;
  qr: string;
  cashTenderedKop?: number;
  copy?: boolean;
}

/** A sale (ПРИХОД) or return (ВОЗВРАТ ПРИХОДА) receipt. */
export function renderReceipt(l: Letterhead, input: ReceiptTapeInput): string {
  const r = input.receipt;
  const lines: string[] = [];
  if (input.copy) lines.push(center('*** КОПИЯ ***'));
  lines.push(...header(l));
  lines.push(center(r.correction ? 'КАССОВЫЙ ЧЕК КОРРЕКЦИИ' : 'КАССОВЫЙ ЧЕК'), center(r.kind === 'sale' ? 'ПРИХОД' : 'ВОЗВРАТ ПРИХОДА'));
  lines.push(...spread(`Смена № ${input.shiftNumber}`, `Чек № ${input.receiptNumber}`));
  lines.push(formatLocal(input.at, l.timeZone));
  lines.push(...wrap(`Кассир: ${r.cashier.name}`));
  if (r.cashier.inn) lines.push(`ИНН кассира: ${r.cashier.inn}`);
  const agentTypes = new Set(r.items.flatMap((i) => (i.agent ? [i.agent.type] : [])));
  for (const t of agentTypes) lines.push(AGENT_NAMES[t]);
  if (r.correction) {
    // Tags 1173, 1178, 1179.
    lines.push(`Тип коррекции: ${r.correction.type === 'self' ? 'САМОСТОЯТЕЛЬНО' : 'ПО ПРЕДПИСАНИЮ'}`);
    lines.push(`Дата док. основания: ${r.correction.baseDate.split('-').reverse().join('.')}`);
    if (r.correction.baseNumber) lines.push(...wrap(`Номер док. основания: ${r.correction.baseNumber}`));
  }
  lines.push(RULE);
  for (const h of r.headerLines ?? []) lines.push(...wrap(h));
  if (r.headerLines?.length) lines.push(RULE);
  r.items.forEach((item, i) => {
    lines.push(...wrap(`${i + 1}. ${item.name}`, TAPE_WIDTH, '   '));
    lines.push(
      ...spread(
        `   ${formatQty(item.quantity)} x ${formatRub(item.priceKop, { symbol: false }).replace(/\u00a0/g, ' ')}`,
        money(item.amountKop),
      ),
    );
    lines.push(`   ${OBJECT_NAMES[item.paymentObject]}, ПОЛНЫЙ РАСЧЕТ`);
    lines.push(`   ${VAT_NAMES[item.vat]}`);
    if (item.agent) {
      lines.push(`   ${AGENT_NAMES[item.agent.type]}`);
      lines.push(...wrap(`   Операция агента: ${item.agent.operation}`, TAPE_WIDTH, '   '));
      lines.push(`   Тел. агента: ${item.agent.agentPhone}`);
      lines.push(...wrap(`   Тел. оператора по приему платежей: ${item.agent.operatorPhone}`, TAPE_WIDTH, '   '));
    }
    if (item.supplier) {
      lines.push(...wrap(`   Поставщик: ${item.supplier.name}`, TAPE_WIDTH, '   '));
      lines.push(`   ИНН поставщика: ${item.supplier.inn}`);
      if (item.supplier.phone) lines.push(`   Тел. поставщика: ${item.supplier.phone}`);
    }
  });
  lines.push(DOUBLE);
  lines.push(...spread('ИТОГ', money(r.totalKop)));
  const vatTotals = new Map<VatRate, number>();
  for (const item of r.items) vatTotals.set(item.vat, (vatTotals.get(item.vat) ?? 0) + item.amountKop);
  for (const [vat, sum] of vatTotals) lines.push(...spread(vat === 'none' ? 'СУММА БЕЗ НДС' : `СУММА С ${VAT_NAMES[vat]}`, money(sum)));
  if (r.payments.cashKop > 0) lines.push(...spread('НАЛИЧНЫМИ', money(r.payments.cashKop)));
  if (r.payments.cardKop > 0) lines.push(...spread('БЕЗНАЛИЧНЫМИ', money(r.payments.cardKop)));
  if (input.cashTenderedKop !== undefined && input.cashTenderedKop > r.payments.cashKop && r.payments.cashKop > 0) {
    lines.push(...spread('ПОЛУЧЕНО', money(input.cashTenderedKop)));
    lines.push(...spread('СДАЧА', money(input.cashTenderedKop - r.payments.cashKop)));
  }
  lines.push(RULE);
  lines.push(...spread('СНО:', TAX_NAMES[r.taxSystem]));
  if (r.additionalAttribute) lines.push(...wrap(r.additionalAttribute));
  lines.push(...wrap(`Место расчетов: ${r.settlementPlace ?? l.place}`));
  lines.push(...wrap(`Адрес расчетов: ${r.settlementAddress ?? l.address}`));
  lines.push('Сайт ФНС: www.nalog.gov.ru');
  // Tag 1008: the ОФД sends the electronic copy there.
  if (r.customerContact) lines.push(...wrap(`Эл. адр. покупателя: ${r.customerContact}`));
  if (r.electronicOnly) lines.push('ЧЕК НЕ ПЕЧАТАЛСЯ: ОТПРАВЛЕН В ЭЛЕКТРОННОЙ ФОРМЕ');
  lines.push(...footer(l, input.documentNumber, input.fiscalSign));
  lines.push(RULE, center('[QR]'), ...wrap(input.qr), center('СПАСИБО!'));
  return lines.join('\n');
}

function formatQty(q: number): string {
  return Number.isInteger(q) ? String(q) : q.toFixed(3).replace('.', ',');
}

export function renderShiftOpen(
  l: Letterhead,
  p: { shiftNumber: number; documentNumber: number; fiscalSign: string; at: string; cashier: string },
): string {
  return [
    ...header(l),
    center('ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ'),
    ...spread(`Смена № ${p.shiftNumber}`, formatLocal(p.at, l.timeZone)),
    ...wrap(`Кассир: ${p.cashier}`),
    RULE,
    ...footer(l, p.documentNumber, p.fiscalSign),
  ].join('\n');
}

function totalsLines(t: RegisterShiftTotals): string[] {
  return [
    ...spread('Чеков прихода:', String(t.sales.count)),
    ...spread('  наличными', money(t.sales.cashKop)),
    ...spread('  безналичными', money(t.sales.cardKop)),
    ...spread('Чеков возврата прихода:', String(t.returns.count)),
    ...spread('  наличными', money(t.returns.cashKop)),
    ...spread('  безналичными', money(t.returns.cardKop)),
    ...spread('Внесения', money(t.cashInKop)),
    ...spread('Выплаты', money(t.cashOutKop)),
    ...spread('НАЛИЧНЫХ В КАССЕ', money(t.drawerKop)),
  ];
}

export function renderShiftReport(
  l: Letterhead,
  p: {
    kind: 'x' | 'z';
    totals: RegisterShiftTotals;
    at: string;
    cashier: string;
    documentNumber?: number;
    fiscalSign?: string;
    unsentToOfd: number;
  },
): string {
  const lines = [
    ...header(l),
    center(p.kind === 'z' ? 'ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ' : 'X-ОТЧЕТ (БЕЗ ГАШЕНИЯ)'),
    ...spread(`Смена № ${p.totals.shiftNumber}`, formatLocal(p.at, l.timeZone)),
    ...wrap(`Кассир: ${p.cashier}`),
    RULE,
    ...totalsLines(p.totals),
    RULE,
    ...spread('Непереданных ФД:', String(p.unsentToOfd)),
  ];
  if (p.documentNumber !== undefined) lines.push(...footer(l, p.documentNumber, p.fiscalSign ?? null));
  return lines.join('\n');
}

export function renderCashMove(
  l: Letterhead,
  p: { kind: 'in' | 'out'; amountKop: number; drawerKop: number; at: string; cashier: string; shiftNumber: number },
): string {
  return [
    ...header(l),
    center(p.kind === 'in' ? 'ВНЕСЕНИЕ' : 'ВЫПЛАТА'),
    ...spread(`Смена № ${p.shiftNumber}`, formatLocal(p.at, l.timeZone)),
    ...wrap(`Кассир: ${p.cashier}`),
    RULE,
    ...spread('СУММА', money(p.amountKop)),
    ...spread('НАЛИЧНЫХ В КАССЕ', money(p.drawerKop)),
  ].join('\n');
}

export function renderText(lines: string[]): string {
  return lines.flatMap((l) => (l.length <= TAPE_WIDTH ? [l] : wrap(l))).join('\n');
}
