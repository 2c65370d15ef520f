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
import { sql, type RawBuilder } from 'kysely';
import { dayBounds } from './batches.ts';
import { organisationTimeZone, todayIn } from '../settings/time-zone.ts';

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
  serviceCode: string;
  serviceName: string;
  /** What the payer paid for the line, fee included. */
  acceptedKop: number;
  /** Towards the principal debt (or an advance), to the supplier. */
  principalKop: number;
  /** Towards the penalty (пени), to the supplier. */
  penaltyKop: number;
  /** principal + penalty: what goes to the supplier. */
  transferredKop: number;
  commissionKop: number;
}

export interface Transfer {
  orderNumber: string;
  /** YYYY-MM-DD. */
  orderDate: string;
  amountKop: number;
  /** True when the transfer is the registry's total to the supplier, to the kopeck. */
  matches: boolean;
}

export interface Registry {
  supplier: { id: string; name: string; inn: string; account: string | null };
  date: string;
  lines: RegistryLine[];
  /** `payments`, `reversals`: distinct operations; `lines`: one per service and period of each. */
  totals: {
    count: number;
    payments: number;
    reversals: number;
    lines: number;
    acceptedKop: number;
    principalKop: number;
    penaltyKop: number;
    transferredKop: number;
    commissionKop: number;
  };
  /** The payment order that paid the day out, once it is recorded. */
  transfer: Transfer | null;
}

function addressOf(r: {
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
}): string {
  return [
    r.city && `г. ${r.city}`,
    r.street && `ул. ${r.street}`,
    r.house && `д. ${r.house}`,
    r.building && `корп. ${r.building}`,
    r.flat && `кв. ${r.flat}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** A supplier named by its ИНН or, as the catalog's API names it, by its id. */
async function supplierByInn(db: Database, key: string): Promise<Registry['supplier']> {
  const byId = UUID.test(key);
  const supplier = await db
    .selectFrom('suppliers')
    .select(['id', 'name', 'inn', 'account'])
    .where(byId ? 'id' : 'inn', '=', key)
    .executeTakeFirst();
  if (!supplier) throw new AppError('not_found', byId ? `Поставщик ${key} не найден` : `Поставщик с ИНН ${key} не найден`);
  return supplier;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a registry holds: one batch, or a day — every point's day batch, or for a point whose day is not closed yet, what closing it now would take. */
type Scope = { batchId: string } | { date: string };

interface LineRow {
  at: Date;
  point_code: string;
  desk_name: string;
  op_id: string;
  account_number: string | null;
  owner_name: string | null;
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
  period: string | null;
  name: string | null;
  code: string;
  amount_kop: number;
  penalty_kop: number;
  commission_kop: number;
}

/**
 * A supplier's registry of a day — or of one batch. A batch's registry is its payments and, as negative
 * lines, its reversals. A day's registry is the same thing for the day: each point's day batch once
 * that point's day is closed, and before that exactly what closing it would put in the day batch (the
 * day's payments and reversals not in a batch yet). So the numbers do not move at closing, a payment
 * reversed the same day stays with its «Сторно» line, and what arrives after closing (a correction
 * batch) never slips into a registry already sent.
 */
export async function buildRegistry(db: Database, date: string, supplierInn: string, batchId?: string): Promise<Registry> {
  const supplier = await supplierByInn(db, supplierInn);
  const scope: Scope = batchId ? { batchId } : { date };
  const paid = await paymentLines(db, supplier.id, scope);
  const reversed = await reversalLines(db, supplier.id, scope);
  const lines = [...paid, ...reversed];
  const sum = (f: (l: RegistryLine) => number): number => lines.reduce((t, l) => t + f(l), 0);
  const payments = new Set(paid.map((l) => l.opId)).size;
  const reversals = new Set(reversed.map((l) => l.opId)).size;
  const totals = {
    count: payments,
    payments,
    reversals,
    lines: lines.length,
    acceptedKop: sum((l) => l.acceptedKop),
    principalKop: sum((l) => l.principalKop),
    penaltyKop: sum((l) => l.penaltyKop),
    transferredKop: sum((l) => l.transferredKop),
    commissionKop: sum((l) => l.commissionKop),
  };
  // The payment order paid the day as it was closed: its day batch's registry carries it, a correction's does not.
  const ofDay = !batchId || (await db.selectFrom('batches').select('kind').where('id', '=', batchId).executeTakeFirst())?.kind === 'day';
  const t = ofDay
    ? await db
        .selectFrom('supplier_transfers')
        .selectAll()
        .where('supplier_id', '=', supplier.id)
        .where('day', '=', date)
        .executeTakeFirst()
    : undefined;
  const transfer = t
    ? { orderNumber: t.order_number, orderDate: t.order_date, amountKop: t.amount_kop, matches: t.amount_kop === totals.transferredKop }
    : null;
  return { supplier, date, lines, totals, transfer };
}

/** The day batches of a day, or for a point not closed yet what closing would take: `op` is `p` (payments) or `r` (reversals), `point` the SQL of its point. */
function inScope(scope: Scope, op: 'p' | 'r', point: RawBuilder<unknown>): RawBuilder<unknown> {
  const batch = sql.ref(`${op}.batch_id`);
  if ('batchId' in scope) return sql`${batch} = ${scope.batchId}`;
  const [from, to] = dayBounds(scope.date);
  const at = sql.ref(op === 'p' ? 'p.accepted_at' : 'r.reversed_at');
  return sql`(${batch} IN (SELECT id FROM batches WHERE day = ${scope.date} AND kind = 'day')
    OR (${batch} IS NULL AND ${at} >= ${from} AND ${at} < ${to}
      AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.point_id = ${point} AND b.day = ${scope.date} AND b.kind = 'day')))`;
}

function lineOf(
  r: LineRow,
): Omit<RegistryLine, 'acceptedKop' | 'principalKop' | 'penaltyKop' | 'transferredKop' | 'commissionKop' | 'serviceName'> {
  return {
    acceptedAt: r.at,
    pointCode: r.point_code,
    deskName: r.desk_name,
    opId: r.op_id,
    txnId: txnIdFromOpId(r.op_id),
    accountNumber: r.account_number ?? '',
    ownerName: r.owner_name ?? '',
    address: addressOf(r),
    period: r.period ?? '',
    serviceCode: r.code,
  };
}

/** The supplier's lines of the billing payments in scope. */
async function paymentLines(db: Database, supplierId: string, scope: Scope): Promise<RegistryLine[]> {
  const rows = await sql<LineRow>`
    SELECT p.accepted_at AS at, pt.code AS point_code, d.name AS desk_name, p.op_id, p.account_number, a.owner_name, a.city, a.street, a.house, a.building, a.flat,
      l.period, l.name, l.code, l.amount_kop, l.penalty_kop, l.commission_kop
    FROM payments p JOIN payment_lines l ON l.op_id = p.op_id JOIN desks d ON d.id = p.desk_id JOIN points pt ON pt.id = p.point_id LEFT JOIN accounts a ON a.number = p.account_number
    WHERE l.supplier_id = ${supplierId} AND p.kind = 'billing' AND ${inScope(scope, 'p', sql.ref('p.point_id'))}
    ORDER BY p.accepted_at, p.op_id, l.line_no`.execute(db);
  return rows.rows.map((r) => ({
    ...lineOf(r),
    serviceName: r.name ?? r.code,
    acceptedKop: r.amount_kop + r.penalty_kop + r.commission_kop,
    principalKop: r.amount_kop,
    penaltyKop: r.penalty_kop,
    transferredKop: r.amount_kop + r.penalty_kop,
    commissionKop: r.commission_kop,
  }));
}

/** The reversals in scope of the supplier's billing lines, as negative lines: what the supplier must give back. */
async function reversalLines(db: Database, supplierId: string, scope: Scope): Promise<RegistryLine[]> {
  const rows = await sql<LineRow>`
    SELECT r.reversed_at AS at, pt.code AS point_code, d.name AS desk_name, r.op_id, p.account_number, a.owner_name, a.city, a.street, a.house, a.building, a.flat,
      l.period, l.name, l.code, l.amount_kop, l.penalty_kop, l.commission_kop
    FROM reversals r JOIN payments p ON p.op_id = r.original_op_id JOIN payment_lines l ON l.op_id = p.op_id
      JOIN desks d ON d.id = r.desk_id JOIN points pt ON pt.id = d.point_id LEFT JOIN accounts a ON a.number = p.account_number
    WHERE l.supplier_id = ${supplierId} AND p.kind = 'billing' AND ${inScope(scope, 'r', sql.ref('d.point_id'))}
    ORDER BY r.reversed_at, r.op_id, l.line_no`.execute(db);
  return rows.rows.map((r) => ({
    ...lineOf(r),
    serviceName: `Сторно: ${r.name ?? r.code}`,
    acceptedKop: -(r.amount_kop + r.penalty_kop + r.commission_kop),
    principalKop: -r.amount_kop,
    penaltyKop: -r.penalty_kop,
    transferredKop: -(r.amount_kop + r.penalty_kop),
    commissionKop: -r.commission_kop,
  }));
}

/**
 * Records the payment order that paid a supplier's day out; the day's registries carry it from then on.
 * A day that has not come yet, or one the supplier has nothing in, has nothing a payment order could pay.
 */
export async function recordTransfer(
  db: Database,
  input: { supplierInn: string; date: string; orderNumber: string; orderDate: string; amountKop: number },
  by: string,
): Promise<Transfer> {
  const supplier = await supplierByInn(db, input.supplierInn);
  const today = todayIn(await organisationTimeZone(db), new Date());
  if (input.date > today)
    throw new AppError(
      'validation.failed',
      `День ${input.date} ещё не наступил (сегодня ${today}): платёжное поручение вносят за прошедший или текущий день`,
    );
  if ((await buildRegistry(db, input.date, supplier.inn)).lines.length === 0) {
    throw new AppError(
      'conflict',
      `За ${input.date} у поставщика ${supplier.name} (ИНН ${supplier.inn}) нет платежей: перечислять нечего`,
      { reason: 'nothing_to_pay' },
    );
  }
  await db
    .insertInto('supplier_transfers')
    .values({
      supplier_id: supplier.id,
      day: input.date,
      order_number: input.orderNumber,
      order_date: input.orderDate,
      amount_kop: input.amountKop,
      recorded_by: by,
    })
    .onConflict((oc) =>
      oc.columns(['supplier_id', 'day']).doUpdateSet({
        order_number: input.orderNumber,
        order_date: input.orderDate,
        amount_kop: input.amountKop,
        recorded_by: by,
        recorded_at: new Date(),
      }),
    )
    .execute();
  const registry = await buildRegistry(db, input.date, input.supplierInn);
  return registry.transfer as Transfer;
}

function clean(text: string): string {
  return text.replace(/[;\r\n]+/g, ' ').trim();
}

function moscowParts(d: Date): { date: string; time: string } {
  const m = new Date(d.getTime() + 3 * 3_600_000).toISOString();
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
    const t = moscowParts(l.acceptedAt);
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

function rowOf(l: RegistryLine): (string | number)[] {
  const t = moscowParts(l.acceptedAt);
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
  const rows = [HEADER, ...r.lines.map(rowOf), totalsRow(r)];
  const transfer = transferRow(r);
  if (transfer) rows.push(transfer);
  return `\ufeff${rows.map((row) => row.map(esc).join(';')).join('\r\n')}\r\n`;
}

/** A moment's Moscow calendar day as Excel keeps dates: midnight UTC of that day, no zone. */
function excelDate(at: Date): Date {
  const [d, m, y] = moscowParts(at).date.split('-');
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

export async function xlsxRegistry(r: Registry): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Paydesk';
  const ws = wb.addWorksheet(`Реестр ${r.date}`);
  ws.addRow([`Реестр платежей в пользу ${r.supplier.name} (ИНН ${r.supplier.inn}) за ${dmy(r.date, '.')}`]).font = { bold: true };
  ws.addRow([]);
  ws.addRow(HEADER).font = { bold: true };
  // The date is a real date (the day as Moscow's clocks show it), so Excel sorts and filters by it.
  for (const l of r.lines) ws.addRow([excelDate(l.acceptedAt), ...rowOf(l).slice(1)]);
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
