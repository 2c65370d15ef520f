/**
 * The daily registry of payments to one supplier: Sberbank's text layout (windows-1251, `;`, a
 * totals footer; shared/specs/registries-and-sbp.md §4.1), or CSV or XLSX with the same rows.
 * A line is one service of one payment: what the payer paid for it (with the agent's fee), what goes
 * to the supplier, and the fee.
 */
import ExcelJS from 'exceljs';

import { encodeText, kopToDecimalComma, txnIdFromOpId } from '@paydesk/domain';
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';

export interface RegistryLine {
  acceptedAt: Date;
  pointCode: string;
  deskName: string;
  opId: string;
  txnId: string;
  accountNumber: string;
  ownerName: string;
  address: string;
  period: string;
  serviceName: string;
  acceptedKop: number;
  transferredKop: number;
  commissionKop: number;
}

export interface Registry {
  supplier: { id: string; name: string; inn: string; account: string | null };
  date: string;
  lines: RegistryLine[];
  totals: { count: number; acceptedKop: number; transferredKop: number; commissionKop: number };
}

/** A day as [start, end) in Moscow time. */
function dayBounds(date: string): [Date, Date] {
  const start = new Date(`${date}T00:00:00+03:00`);
  return [start, new Date(start.getTime() + 86_400_000)];
}

export async function buildRegistry(db: Database, date: string, supplierInn: string): Promise<Registry> {
  const supplier = await db.selectFrom('suppliers').select(['id', 'name', 'inn', 'account']).where('inn', '=', supplierInn).executeTakeFirst();
  if (!supplier) throw new AppError('not_found', `Поставщик с ИНН ${supplierInn} не найден`);
  const [from, to] = dayBounds(date);
  const rows = await db
    .selectFrom('payment_lines as l')
    .innerJoin('payments as p', 'p.op_id', 'l.op_id')
    .innerJoin('desks as d', 'd.id', 'p.desk_id')
    .innerJoin('points as pt', 'pt.id', 'p.point_id')
    .leftJoin('accounts as a', 'a.number', 'p.account_number')
    .select([
      'p.accepted_at', 'pt.code as point_code', 'd.name as desk_name', 'p.op_id', 'p.account_number', 'a.owner_name', 'a.city', 'a.street', 'a.house', 'a.building', 'a.flat',
      'l.period', 'l.name', 'l.code', 'l.amount_kop', 'l.penalty_kop', 'l.commission_kop',
    ])
    .where('l.supplier_id', '=', supplier.id)
    .where('p.kind', '=', 'billing')
    .where('p.state', '=', 'accepted')
    .where('p.accepted_at', '>=', from)
    .where('p.accepted_at', '<', to)
    .orderBy('p.accepted_at')
    .orderBy('l.line_no')
    .execute();
  const lines = rows.map<RegistryLine>((r) => {
    const transferred = r.amount_kop + r.penalty_kop;
    return {
      acceptedAt: r.accepted_at,
      pointCode: r.point_code,
      deskName: r.desk_name,
      opId: r.op_id,
      txnId: txnIdFromOpId(r.op_id),
      accountNumber: r.account_number ?? '',
      ownerName: r.owner_name ?? '',
      address: [r.city && `г. ${r.city}`, r.street && `ул. ${r.street}`, r.house && `д. ${r.house}`, r.building && `корп. ${r.building}`, r.flat && `кв. ${r.flat}`].filter(Boolean).join(', '),
      period: r.period ?? '',
      serviceName: r.name ?? r.code,
      acceptedKop: transferred + r.commission_kop,
      transferredKop: transferred,
      commissionKop: r.commission_kop,
    };
  });
  const totals = lines.reduce((t, l) => ({ count: t.count + 1, acceptedKop: t.acceptedKop + l.acceptedKop, transferredKop: t.transferredKop + l.transferredKop, commissionKop: t.commissionKop + l.commissionKop }), { count: 0, acceptedKop: 0, transferredKop: 0, commissionKop: 0 });
  return { supplier, date, lines, totals };
}

function clean(text: string): string {
  return text.replace(/[;\r\n]+/g, ' ').trim();
}

function moscowParts(d: Date): { date: string; time: string } {
  const m = new Date(d.getTime() + 3 * 3_600_000).toISOString();
  return { date: `${m.slice(8, 10)}-${m.slice(5, 7)}-${m.slice(0, 4)}`, time: `${m.slice(11, 13)}-${m.slice(14, 16)}-${m.slice(17, 19)}` };
}

/** Sberbank's layout: 13 fields and a trailing `;` per line, then `=count;sum;sum;sum;`. */
export function sberRegistryText(r: Registry): string {
  const lines = r.lines.map((l) => {
    const t = moscowParts(l.acceptedAt);
    const period = l.period ? `${l.period.slice(5, 7)}.${l.period.slice(0, 4)}` : '';
    return [t.date, t.time, clean(l.pointCode), clean(l.deskName), l.txnId, clean(l.accountNumber), clean(l.ownerName).toUpperCase(), clean(l.address).toUpperCase(), period, clean(l.serviceName),
      kopToDecimalComma(l.acceptedKop), kopToDecimalComma(l.transferredKop), kopToDecimalComma(l.commissionKop)].join(';') + ';';
  });
  lines.push(`=${r.totals.count};${kopToDecimalComma(r.totals.acceptedKop)};${kopToDecimalComma(r.totals.transferredKop)};${kopToDecimalComma(r.totals.commissionKop)};`);
  return `${lines.join('\r\n')}\r\n`;
}

export function sberRegistryFile(r: Registry): { name: string; bytes: Uint8Array } {
  const [y, m, d] = r.date.split('-');
  return { name: `${r.supplier.inn}_${r.supplier.account ?? '00000000000000000000'}_${d}${m}${y}.txt`, bytes: encodeText(sberRegistryText(r), 'windows-1251') };
}

const HEADER = ['Дата', 'Время', 'Пункт', 'Касса', 'Номер операции', 'Лицевой счёт', 'ФИО', 'Адрес', 'Период', 'Услуга', 'Принято', 'К перечислению', 'Комиссия'];

function rowOf(l: RegistryLine): (string | number)[] {
  const t = moscowParts(l.acceptedAt);
  return [t.date.replace(/-/g, '.'), t.time.replace(/-/g, ':'), l.pointCode, l.deskName, l.txnId, l.accountNumber, l.ownerName, l.address, l.period, l.serviceName, l.acceptedKop / 100, l.transferredKop / 100, l.commissionKop / 100];
}

export function csvRegistry(r: Registry): string {
  const esc = (v: string | number): string => {
    const s = typeof v === 'number' ? v.toFixed(2).replace('.', ',') : v;
    return /[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [HEADER, ...r.lines.map(rowOf)].map((row) => row.map(esc).join(';'));
  lines.push(['Итого', '', '', '', '', '', '', '', '', `${r.totals.count} платежей`, r.totals.acceptedKop / 100, r.totals.transferredKop / 100, r.totals.commissionKop / 100].map(esc).join(';'));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export async function xlsxRegistry(r: Registry): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paydesk';
  const ws = wb.addWorksheet(`Реестр ${r.date}`);
  ws.addRow([`Реестр платежей в пользу ${r.supplier.name} (ИНН ${r.supplier.inn}) за ${r.date.split('-').reverse().join('.')}`]).font = { bold: true };
  ws.addRow([]);
  ws.addRow(HEADER).font = { bold: true };
  for (const l of r.lines) ws.addRow(rowOf(l));
  ws.addRow(['Итого', '', '', '', '', '', '', '', '', `${r.totals.count} платежей`, r.totals.acceptedKop / 100, r.totals.transferredKop / 100, r.totals.commissionKop / 100]).font = { bold: true };
  for (const col of [11, 12, 13]) ws.getColumn(col).numFmt = '#,##0.00';
  ws.columns.forEach((c, i) => (c.width = [11, 9, 8, 14, 20, 14, 24, 36, 9, 22, 12, 14, 10][i] ?? 12));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

