/**
 * The readings registry of one supplier for one billing period: the last reading of each of its meters
 * taken that period, with the previous one the server knew, so the supplier posts consumption without
 * asking again. CSV (UTF-8 with BOM, `;`) or JSON.
 */
import { sql } from 'kysely';
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';

export interface ReadingLine {
  accountNumber: string;
  ownerName: string;
  address: string;
  serviceCode: string;
  /** The meter as the feed and the catalog name it. */
  meterId: string;
  meterSerial: string;
  readAt: string;
  valueMilli: number;
  /** The value as a decimal with a dot, as the feed writes it: «1030.5». */
  value: string;
  previousValueMilli: number | null;
  previousValue: string | null;
  previousDate: string | null;
  deskName: string;
}

export async function buildReadingsRegistry(
  db: Database,
  period: string,
  supplierInn: string,
): Promise<{ supplier: { name: string; inn: string }; period: string; lines: ReadingLine[] }> {
  const supplier = await db.selectFrom('suppliers').select(['id', 'name', 'inn']).where('inn', '=', supplierInn).executeTakeFirst();
  if (!supplier) throw new AppError('not_found', `Поставщик с ИНН ${supplierInn} не найден`);
  const rows = await sql<{
    account_number: string;
    owner_name: string | null;
    city: string | null;
    street: string | null;
    house: string | null;
    building: string | null;
    flat: string | null;
    service_code: string;
    meter_id: string;
    meter_serial: string;
    read_at: string;
    value_milli: number;
    previous: number | string | null;
    previous_date: string | null;
    desk_name: string;
  }>`
    SELECT DISTINCT ON (r.meter_id) r.meter_id, r.account_number, a.owner_name, a.city, a.street, a.house, a.building, a.flat, r.service_code, r.meter_serial,
      r.read_at::text AS read_at, r.value_milli, f.payload->>'previousValueMilli' AS previous, f.payload->>'previousDate' AS previous_date, d.name AS desk_name
    FROM readings r
    JOIN services s ON s.code = r.service_code
    JOIN desks d ON d.id = r.desk_id
    LEFT JOIN accounts a ON a.number = r.account_number
    LEFT JOIN billing_feed f ON f.op_id = r.op_id AND f.kind = 'reading'
    WHERE s.supplier_id = ${supplier.id} AND r.period = ${period}
    ORDER BY r.meter_id, r.read_at DESC, r.submitted_at DESC`.execute(db);
  const lines = rows.rows
    .map<ReadingLine>((r) => ({
      accountNumber: r.account_number,
      ownerName: r.owner_name ?? '',
      address: [
        r.city && `г. ${r.city}`,
        r.street && `ул. ${r.street}`,
        r.house && `д. ${r.house}`,
        r.building && `корп. ${r.building}`,
        r.flat && `кв. ${r.flat}`,
      ]
        .filter(Boolean)
        .join(', '),
      serviceCode: r.service_code,
      meterId: r.meter_id,
      meterSerial: r.meter_serial,
      readAt: r.read_at.slice(0, 10),
      valueMilli: Number(r.value_milli),
      value: decimal(Number(r.value_milli), '.'),
      previousValueMilli: r.previous === null ? null : Number(r.previous),
      previousValue: r.previous === null ? null : decimal(Number(r.previous), '.'),
      previousDate: r.previous_date,
      deskName: r.desk_name,
    }))
    .sort((a, b) => a.accountNumber.localeCompare(b.accountNumber) || a.meterSerial.localeCompare(b.meterSerial));
  return { supplier: { name: supplier.name, inn: supplier.inn }, period, lines };
}

/** Thousandths as a decimal without trailing zeros: the CSV's comma, the JSON's dot. */
function decimal(milli: number, point: ',' | '.'): string {
  const frac = String(milli % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${Math.floor(milli / 1000)}${frac ? `${point}${frac}` : ''}`;
}

const value = (milli: number | null): string => (milli === null ? '' : decimal(milli, ','));

const dmy = (iso: string | null): string => (iso ? iso.slice(0, 10).split('-').reverse().join('.') : '');

export function csvReadingsRegistry(r: { period: string; lines: ReadingLine[] }): string {
  const esc = (s: string): string => (/[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const header = [
    'Период',
    'Лицевой счёт',
    'ФИО',
    'Адрес',
    'Код услуги',
    'Счётчик',
    'Дата показания',
    'Показание',
    'Предыдущее',
    'Дата предыдущего',
    'Касса',
  ];
  const period = `${r.period.slice(5, 7)}.${r.period.slice(0, 4)}`;
  const rows = r.lines.map((l) => [
    period,
    l.accountNumber,
    l.ownerName,
    l.address,
    l.serviceCode,
    l.meterSerial,
    dmy(l.readAt),
    value(l.valueMilli),
    value(l.previousValueMilli),
    dmy(l.previousDate),
    l.deskName,
  ]);
  return `\ufeff${[header, ...rows].map((row) => row.map(esc).join(';')).join('\r\n')}\r\n`;
}
