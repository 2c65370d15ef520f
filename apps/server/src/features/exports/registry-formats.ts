/**
 * A supplier's registry as files: Sberbank's text layout (windows-1251, `;`, a totals footer;
 * shared/specs/registries-and-sbp.md §4.1), CSV or XLSX with the same rows, or JSON. Dates and times
 * are the organisation's (its time zone setting), as its day is.
 */
import ExcelJS from 'exceljs';
import { encodeText, kopToDecimalComma } from '@paydesk/domain';
import { isoInZone } from '../settings/time-zone.ts';
import type { RegistryLine } from './registry-lines.ts';
import type { Registry } from './registry.ts';

function clean(text: string): string {
  return text.replace(/[;\r\n]+/g, ' ').trim();
}

/** A moment as the organisation's clocks show it: DD-MM-YYYY and HH-MM-SS. */
function localParts(d: Date, timeZone: string): { date: string; time: string } {
  const m = isoInZone(timeZone, d);
  return { date: `${m.slice(8, 10)}-${m.slice(5, 7)}-${m.slice(0, 4)}`, time: `${m.slice(11, 13)}-${m.slice(14, 16)}-${m.slice(17, 19)}` };
}

function dmy(iso: string, sep: string): string {
  const [y, m, d] = iso.split('-');
  return `${d ?? ''}${sep}${m ?? ''}${sep}${y ?? ''}`;
}

/**
 * Sberbank's layout: 13 fields and a trailing `;` per line — the two optional service fields are the
 * period and the service code; a line's penalty is a line of its own with the code `<code>-ПЕНИ`, so a
 * supplier's importer posts principal and penalty apart — then `=lines;accepted;transferred;fee;` and,
 * once the transfer is made, its payment order's number and date.
 */
export function sberRegistryText(r: Registry): string {
  const out: string[] = [];
  for (const l of r.lines) {
    const t = localParts(l.acceptedAt, r.timeZone);
    const period = l.period ? `${l.period.slice(5, 7)}.${l.period.slice(0, 4)}` : '';
    const head = [
      t.date,
      t.time,
      clean(l.pointCode),
      clean(l.deskName),
      l.txnId,
      clean(l.accountNumber),
      clean(l.ownerName).toUpperCase(),
      clean(l.address).toUpperCase(),
      period,
    ];
    // A reversal's lines are the payment's, negative: its principal with fee, its penalty apart.
    if (l.principalKop !== 0 || l.commissionKop !== 0 || l.penaltyKop === 0) {
      out.push(
        [
          ...head,
          clean(l.serviceCode),
          kopToDecimalComma(l.principalKop + l.commissionKop),
          kopToDecimalComma(l.principalKop),
          kopToDecimalComma(l.commissionKop),
        ].join(';') + ';',
      );
    }
    if (l.penaltyKop !== 0)
      out.push(
        [
          ...head,
          `${clean(l.serviceCode)}-ПЕНИ`,
          kopToDecimalComma(l.penaltyKop),
          kopToDecimalComma(l.penaltyKop),
          kopToDecimalComma(0),
        ].join(';') + ';',
      );
  }
  const transfer = r.transfer ? `${clean(r.transfer.orderNumber)};${dmy(r.transfer.orderDate, '-')};` : '';
  out.push(
    `=${out.length};${kopToDecimalComma(r.totals.acceptedKop)};${kopToDecimalComma(r.totals.transferredKop)};${kopToDecimalComma(r.totals.commissionKop)};${transfer}`,
  );
  return `${out.join('\r\n')}\r\n`;
}

export function sberRegistryFile(r: Registry): { name: string; bytes: Uint8Array } {
  const [y, m, d] = r.date.split('-');
  return {
    name: `${r.supplier.inn}_${r.supplier.account ?? '00000000000000000000'}_${d}${m}${y}.txt`,
    bytes: encodeText(sberRegistryText(r), 'windows-1251'),
  };
}

const HEADER = [
  'Дата',
  'Время',
  'Пункт',
  'Касса',
  'Номер операции',
  'Лицевой счёт',
  'ФИО',
  'Адрес',
  'Период',
  'Код услуги',
  'Услуга',
  'Принято',
  'Основной долг',
  'Пени',
  'К перечислению',
  'Комиссия',
];

/** «1 платёж», «3 платежа», «5 платежей». */
export function paymentsWord(n: number): string {
  const d = n % 10;
  const dd = n % 100;
  const word = d === 1 && dd !== 11 ? 'платёж' : d >= 2 && d <= 4 && (dd < 12 || dd > 14) ? 'платежа' : 'платежей';
  return `${n} ${word}`;
}

function rowOf(l: RegistryLine, timeZone: string): (string | number)[] {
  const t = localParts(l.acceptedAt, timeZone);
  const period = l.period ? `${l.period.slice(5, 7)}.${l.period.slice(0, 4)}` : '';
  return [
    t.date.replace(/-/g, '.'),
    t.time.replace(/-/g, ':'),
    l.pointCode,
    l.deskName,
    l.txnId,
    l.accountNumber,
    l.ownerName,
    l.address,
    period,
    l.serviceCode,
    l.serviceName,
    l.acceptedKop / 100,
    l.principalKop / 100,
    l.penaltyKop / 100,
    l.transferredKop / 100,
    l.commissionKop / 100,
  ];
}

function totalsRow(r: Registry): (string | number)[] {
  const t = r.totals;
  return [
    'Итого',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    `${paymentsWord(t.payments)}${t.reversals ? `, сторно: ${t.reversals}` : ''}, строк: ${t.lines}`,
    t.acceptedKop / 100,
    t.principalKop / 100,
    t.penaltyKop / 100,
    t.transferredKop / 100,
    t.commissionKop / 100,
  ];
}

function transferRow(r: Registry): (string | number)[] | null {
  const t = r.transfer;
  return t
    ? [
        `Платёжное поручение № ${t.orderNumber} от ${dmy(t.orderDate, '.')} на ${(t.amountKop / 100).toFixed(2).replace('.', ',')} ₽${t.matches ? '' : ' — НЕ РАВНО сумме к перечислению'}`,
      ]
    : null;
}

export function csvRegistry(r: Registry): string {
  const esc = (v: string | number): string => {
    const s = typeof v === 'number' ? v.toFixed(2).replace('.', ',') : v;
    return /[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = [HEADER, ...r.lines.map((l) => rowOf(l, r.timeZone)), totalsRow(r)];
  const transfer = transferRow(r);
  if (transfer) rows.push(transfer);
  return `\ufeff${rows.map((row) => row.map(esc).join(';')).join('\r\n')}\r\n`;
}

/** A moment's calendar day on the organisation's clocks as Excel keeps dates: midnight UTC of that day, no zone. */
function excelDate(at: Date, timeZone: string): Date {
  const [d, m, y] = localParts(at, timeZone).date.split('-');
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

export async function xlsxRegistry(r: Registry): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paydesk';
  const ws = wb.addWorksheet(`Реестр ${r.date}`);
  ws.addRow([`Реестр платежей в пользу ${r.supplier.name} (ИНН ${r.supplier.inn}) за ${dmy(r.date, '.')}`]).font = { bold: true };
  ws.addRow([]);
  ws.addRow(HEADER).font = { bold: true };
  // The date is a real date (the day as the organisation's clocks show it), so Excel sorts and filters by it.
  for (const l of r.lines) ws.addRow([excelDate(l.acceptedAt, r.timeZone), ...rowOf(l, r.timeZone).slice(1)]);
  ws.addRow(totalsRow(r)).font = { bold: true };
  ws.getColumn(1).numFmt = 'dd.mm.yyyy';
  const transfer = transferRow(r);
  if (transfer) ws.addRow(transfer);
  for (const col of [12, 13, 14, 15, 16]) ws.getColumn(col).numFmt = '#,##0.00';
  ws.columns.forEach((c, i) => (c.width = [11, 9, 8, 14, 20, 14, 24, 36, 9, 10, 22, 12, 13, 10, 14, 10][i] ?? 12));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export type RegistryFormat = 'sber' | 'csv' | 'xlsx' | 'json';

/** A registry as the format asks: a file to download, or JSON. */
export async function registryAnswer(
  registry: Registry,
  format: RegistryFormat,
  base: string,
): Promise<{ type: string; fileName: string | null; body: Buffer | string | Registry }> {
  switch (format) {
    case 'json':
      return { type: 'application/json', fileName: null, body: registry };
    case 'sber': {
      const file = sberRegistryFile(registry);
      return { type: 'text/plain; charset=windows-1251', fileName: file.name, body: Buffer.from(file.bytes) };
    }
    case 'csv':
      return { type: 'text/csv; charset=utf-8', fileName: `${base}.csv`, body: csvRegistry(registry) };
    case 'xlsx':
      return {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        fileName: `${base}.xlsx`,
        body: await xlsxRegistry(registry),
      };
  }
}
