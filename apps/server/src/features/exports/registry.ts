/**
 * The registry of payments to one supplier, of a day or of one batch: its lines (registry-lines.ts),
 * totals and the payment order that paid it. Files in registry-formats.ts.
 */
import { AppError, isUuid } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { dayBoundsIn, organisationTimeZone, todayIn } from '../settings/time-zone.ts';
import { frozenLines, frozenSupplier, liveLines, type RegistryLine, type SupplierLines } from './registry-lines.ts';

export type { RegistryLine } from './registry-lines.ts';

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
  /** The organisation's time zone: the day's bounds and every date and time in the files. */
  timeZone: string;
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

/**
 * A supplier named by its id or its ИНН. A ИНН two suppliers share (a head office and a branch, with
 * different КПП) names neither: the answer says so and lists their ids instead of picking one.
 */
async function supplierByKey(db: Database, key: string): Promise<Registry['supplier']> {
  const byId = isUuid(key);
  const found = await db
    .selectFrom('suppliers')
    .select(['id', 'name', 'inn', 'kpp', 'account'])
    .where(byId ? 'id' : 'inn', '=', key)
    .orderBy('name')
    .execute();
  const [first, second] = found;
  if (!first) throw new AppError('not_found', byId ? `Поставщик ${key} не найден` : `Поставщик с ИНН ${key} не найден`);
  if (second) {
    throw new AppError(
      'conflict',
      `ИНН ${key} у нескольких поставщиков: ${found.map((s) => `${s.name} (КПП ${s.kpp ?? '—'}, id ${s.id})`).join('; ')}. Укажите поставщика по id.`,
      { reason: 'supplier_ambiguous', suppliers: found.map((s) => s.id) },
    );
  }
  return { id: first.id, name: first.name, inn: first.inn, account: first.account };
}

/** A batch as a registry needs it: which, of what kind, and whether its lines were written down at closing. */
export interface BatchRef {
  id: string;
  kind: 'day' | 'correction';
  frozen: boolean;
}

/** A batch's lines: as written at its closing, or read live for a batch closed before batches were frozen. */
async function batchLines(db: Database, batch: BatchRef, supplierId: string): Promise<SupplierLines> {
  return (await frozenLines(db, batch, supplierId)) ?? liveLines(db, supplierId, { batchId: batch.id });
}

/** Payments and reversals each in time order, as they stood; a stable sort keeps a payment's lines together. */
function inTimeOrder(lines: RegistryLine[]): RegistryLine[] {
  return [...lines].sort((a, b) => a.acceptedAt.getTime() - b.acceptedAt.getTime() || (a.opId < b.opId ? -1 : a.opId > b.opId ? 1 : 0));
}

/**
 * A supplier's registry of a day — or of one batch. A batch's registry is its payments and, as negative
 * lines, the reversals that undid them, as written when it closed. A day's registry is the same for the
 * day (in the organisation's time zone): each point's day batch once that point's day is closed, and
 * before that exactly what closing it would put in the day batch. So the numbers do not move at closing,
 * a payment reversed the same day stays with its «Сторно» line, and what arrives after closing (a
 * correction batch) never slips into a registry already sent.
 */
export async function buildRegistry(db: Database, date: string, supplierKey: string, batch?: BatchRef): Promise<Registry> {
  const live = await supplierByKey(db, supplierKey);
  const timeZone = await organisationTimeZone(db);
  let supplier = live;
  let parts: SupplierLines[];
  if (batch) {
    supplier = (await frozenSupplier(db, batch.id, live.id)) ?? live;
    parts = [await batchLines(db, batch, live.id)];
  } else {
    const [from, to] = dayBoundsIn(timeZone, date);
    const dayBatches = await db
      .selectFrom('batches')
      .select(['id', 'kind', 'frozen'])
      .where('day', '=', date)
      .where('kind', '=', 'day')
      .execute();
    parts = [
      ...(await Promise.all(dayBatches.map((b) => batchLines(db, b, live.id)))),
      await liveLines(db, live.id, { open: { date, from, to } }),
    ];
  }
  const paid = inTimeOrder(parts.flatMap((p) => p.paid));
  const reversed = inTimeOrder(parts.flatMap((p) => p.reversed));
  const lines = [...paid, ...reversed];
  const sum = (f: (l: RegistryLine) => number): number => lines.reduce((t, l) => t + f(l), 0);
  const payments = new Set(paid.map((l) => l.opId)).size;
  const totals = {
    count: payments,
    payments,
    reversals: new Set(reversed.map((l) => l.opId)).size,
    lines: lines.length,
    acceptedKop: sum((l) => l.acceptedKop),
    principalKop: sum((l) => l.principalKop),
    penaltyKop: sum((l) => l.penaltyKop),
    transferredKop: sum((l) => l.transferredKop),
    commissionKop: sum((l) => l.commissionKop),
  };
  // The payment order paid the day as it was closed: its day batch's registry carries it, a correction's does not.
  const ofDay = !batch || batch.kind === 'day';
  const t = ofDay
    ? await db.selectFrom('supplier_transfers').selectAll().where('supplier_id', '=', live.id).where('day', '=', date).executeTakeFirst()
    : undefined;
  const transfer = t
    ? { orderNumber: t.order_number, orderDate: t.order_date, amountKop: t.amount_kop, matches: t.amount_kop === totals.transferredKop }
    : null;
  return { supplier, date, timeZone, lines, totals, transfer };
}

/** Whether any batch of the day holds money of the supplier (a correction batch included). */
async function inAnyBatchOf(db: Database, supplierId: string, date: string): Promise<boolean> {
  for (const b of await db.selectFrom('batches').select(['id', 'kind', 'frozen']).where('day', '=', date).execute()) {
    const { paid, reversed } = await batchLines(db, b, supplierId);
    if (paid.length + reversed.length > 0) return true;
  }
  return false;
}

/**
 * Records the payment order that paid a supplier's day out; the day's registries carry it from then on.
 * A day that has not come yet, or one the supplier has nothing in (in no batch of the day either), has
 * nothing a payment order could pay.
 */
export async function recordTransfer(
  db: Database,
  input: { supplierInn: string; date: string; orderNumber: string; orderDate: string; amountKop: number },
  by: string,
): Promise<Transfer> {
  const supplier = await supplierByKey(db, input.supplierInn);
  const today = todayIn(await organisationTimeZone(db), new Date());
  if (input.date > today)
    throw new AppError(
      'validation.failed',
      `День ${input.date} ещё не наступил (сегодня ${today}): платёжное поручение вносят за прошедший или текущий день`,
    );
  if ((await buildRegistry(db, input.date, supplier.id)).lines.length === 0 && !(await inAnyBatchOf(db, supplier.id, input.date))) {
    throw new AppError(
      'conflict',
      `За ${input.date} у поставщика ${supplier.name} (ИНН ${supplier.inn}) нет платежей: перечислять нечего`,
      {
        reason: 'nothing_to_pay',
      },
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
  const registry = await buildRegistry(db, input.date, supplier.id);
  return registry.transfer as Transfer;
}
