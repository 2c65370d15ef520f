/**
 * Payment batches («пачки оплат», issue 24 item 13). A point's operating day is closed (after its
 * desks' Z reports) into a numbered batch: every payment and reversal of that day not yet in a batch,
 * with totals a billing posts as one document. The first batch of a day is the day batch; what arrives
 * for the day after it was closed — an offline desk's payments, a reversal made that day — waits for the
 * next closing, which makes a correction batch. A batch never changes once made: its registries and
 * the billing's totals are written down at closing (registry-lines.ts), so the day's registry is the
 * day batch's, and stays so. A reversal whose payment has not reached the server waits for a later
 * closing: its lines are the payment's, and a batch must not hold money it cannot name.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { AppError, isUuid } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { dayBoundsIn, organisationTimeZone } from '../settings/time-zone.ts';
import { freezeBatch } from './registry-lines.ts';

export interface Batch {
  id: string;
  pointId: string;
  day: string;
  number: number;
  kind: 'day' | 'correction';
  closedAt: string;
  closedBy: string | null;
  paymentsCount: number;
  acceptedKop: number;
  commissionKop: number;
  reversalsCount: number;
  reversedKop: number;
  /** Of it, the billing's: payments to accounts and their reversals — what the feed and the suppliers' registries add up to. */
  billing: { paymentsCount: number; acceptedKop: number; commissionKop: number; reversalsCount: number; reversedKop: number };
}

type BatchRow = {
  id: string;
  point_id: string;
  day: string;
  number: number;
  kind: 'day' | 'correction';
  closed_at: Date;
  closed_by: string | null;
  payments_count: number;
  accepted_kop: number;
  commission_kop: number;
  reversals_count: number;
  reversed_kop: number;
  billing: unknown;
};

type BillingTotals = Batch['billing'];

/**
 * The billing's part of batches, counted from what they hold: its payments to accounts and the
 * reversals that undid them (the payment's `reversed_by`, so a second reversal of one payment is not
 * money given back twice), each at the payment's total — as the registries give it back.
 */
async function billingOf(db: Kysely<DB>, ids: string[]): Promise<Map<string, BillingTotals>> {
  const paid = await sql<{ batch_id: string; n: number; total: string | null; fee: string | null }>`
    SELECT batch_id, count(*)::int AS n, sum(total_kop) AS total, sum(commission_kop) AS fee FROM payments
    WHERE kind = 'billing' AND batch_id IN (${sql.join(ids)}) GROUP BY batch_id`.execute(db);
  const back = await sql<{ batch_id: string; n: number; total: string | null }>`
    SELECT r.batch_id, count(*)::int AS n, sum(p.total_kop) AS total FROM reversals r JOIN payments p ON p.op_id = r.original_op_id AND p.reversed_by = r.op_id
    WHERE p.kind = 'billing' AND r.batch_id IN (${sql.join(ids)}) GROUP BY r.batch_id`.execute(db);
  return new Map(
    ids.map((id) => {
      const p = paid.rows.find((x) => x.batch_id === id);
      const r = back.rows.find((x) => x.batch_id === id);
      return [
        id,
        {
          paymentsCount: p?.n ?? 0,
          acceptedKop: Number(p?.total ?? 0),
          commissionKop: Number(p?.fee ?? 0),
          reversalsCount: r?.n ?? 0,
          reversedKop: Number(r?.total ?? 0),
        },
      ];
    }),
  );
}

/** Batches as answered: the billing's part as written at closing (counted now for a batch closed before that was kept). */
async function views(db: Kysely<DB>, rows: BatchRow[]): Promise<Batch[]> {
  if (rows.length === 0) return [];
  const unstored = rows.filter((b) => b.billing === null).map((b) => b.id);
  const counted = unstored.length > 0 ? await billingOf(db, unstored) : new Map<string, BillingTotals>();
  return rows.map((b) => ({
    id: b.id,
    pointId: b.point_id,
    day: b.day,
    number: b.number,
    kind: b.kind,
    closedAt: b.closed_at.toISOString(),
    closedBy: b.closed_by,
    paymentsCount: b.payments_count,
    acceptedKop: Number(b.accepted_kop),
    commissionKop: Number(b.commission_kop),
    reversalsCount: b.reversals_count,
    reversedKop: Number(b.reversed_kop),
    billing:
      b.billing === null
        ? (counted.get(b.id) as BillingTotals)
        : ((typeof b.billing === 'string' ? JSON.parse(b.billing) : b.billing) as BillingTotals),
  }));
}

/** A point named by its id or by its code (P1), as an integrator knows it. */
export async function pointIdOf(db: Database, key: string): Promise<string> {
  const byId = isUuid(key);
  const point = await db
    .selectFrom('points')
    .select('id')
    .where(byId ? 'id' : 'code', '=', key)
    .executeTakeFirst();
  if (!point) throw new AppError('not_found', `Пункт ${key} не найден`);
  return point.id;
}

/**
 * Closes a point's day into its next batch. While a desk of the point has a shift open that began before
 * the day's end, more of the day is still to come: the closing is refused unless `force` says the
 * operator knows (a desk that will never report, a shift forgotten open).
 */
export async function closeDay(db: Database, pointId: string, day: string, by: string, options: { force?: boolean } = {}): Promise<Batch> {
  const [from, to] = dayBoundsIn(await organisationTimeZone(db), day);
  return db.transaction().execute(async (trx) => {
    // One closing of a point at a time: two would both number their batch the same.
    const point = await trx.selectFrom('points').select('id').where('id', '=', pointId).forUpdate().executeTakeFirst();
    if (!point) throw new AppError('not_found', 'Пункт не найден');
    if (!options.force) {
      const open = await trx
        .selectFrom('shifts as s')
        .innerJoin('desks as d', 'd.id', 's.desk_id')
        .select(['d.name', 's.shift_number'])
        .where('d.point_id', '=', pointId)
        .where('s.closed_at', 'is', null)
        .where('s.opened_at', '<', to)
        .orderBy('d.name')
        .execute();
      if (open.length > 0) {
        throw new AppError(
          'conflict',
          `День ${day} не закрыт: открыты смены — ${open.map((o) => `${o.name}, смена ${o.shift_number}`).join('; ')}. Закройте смены (Z-отчёт) и закройте день; если касса не выйдет на связь, закройте день принудительно (force).`,
          { reason: 'shifts_open' },
        );
      }
    }
    const last = await trx
      .selectFrom('batches')
      .select((eb) => eb.fn.max('number').as('n'))
      .where('point_id', '=', pointId)
      .where('day', '=', day)
      .executeTakeFirst();
    const number = Number(last?.n ?? 0) + 1;
    const id = randomUUID();
    await trx
      .insertInto('batches')
      .values({
        id,
        point_id: pointId,
        day,
        number,
        kind: number === 1 ? 'day' : 'correction',
        closed_by: by,
        payments_count: 0,
        accepted_kop: 0,
        commission_kop: 0,
        reversals_count: 0,
        reversed_kop: 0,
      })
      .execute();
    const payments = await sql<{ n: number; total: number | null; fee: number | null }>`
      WITH taken AS (
        UPDATE payments SET batch_id = ${id}
        WHERE point_id = ${pointId} AND batch_id IS NULL AND accepted_at >= ${from} AND accepted_at < ${to}
        RETURNING total_kop, commission_kop)
      SELECT count(*)::int AS n, sum(total_kop) AS total, sum(commission_kop) AS fee FROM taken`.execute(trx);
    const reversals = await sql<{ n: number; total: number | null }>`
      WITH taken AS (
        UPDATE reversals r SET batch_id = ${id}
        FROM desks d WHERE d.id = r.desk_id AND d.point_id = ${pointId} AND r.batch_id IS NULL AND r.reversed_at >= ${from} AND r.reversed_at < ${to}
          AND EXISTS (SELECT 1 FROM payments p WHERE p.op_id = r.original_op_id)
        RETURNING r.amount_kop)
      SELECT count(*)::int AS n, sum(amount_kop) AS total FROM taken`.execute(trx);
    const p = payments.rows[0];
    const r = reversals.rows[0];
    if (!p?.n && !r?.n) {
      throw new AppError(
        'conflict',
        number === 1
          ? `За ${day} в этом пункте нет платежей и сторно`
          : `С последнего закрытия ${day} не пришло ни платежей, ни сторно: новая пачка не нужна`,
        { reason: 'nothing_to_close' },
      );
    }
    const row = await trx
      .updateTable('batches')
      .set({
        payments_count: p?.n ?? 0,
        accepted_kop: Number(p?.total ?? 0),
        commission_kop: Number(p?.fee ?? 0),
        reversals_count: r?.n ?? 0,
        reversed_kop: Number(r?.total ?? 0),
        billing: JSON.stringify((await billingOf(trx, [id])).get(id)),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await freezeBatch(trx, id);
    return (await views(trx, [row]))[0] as Batch;
  });
}

export async function listBatches(db: Database, filter: { day?: string | undefined; pointId?: string | undefined }): Promise<Batch[]> {
  let q = db.selectFrom('batches').selectAll();
  if (filter.day) q = q.where('day', '=', filter.day);
  if (filter.pointId) q = q.where('point_id', '=', filter.pointId);
  return views(db, await q.orderBy('day').orderBy('point_id').orderBy('number').limit(1000).execute());
}

export async function batchDetails(db: Database, id: string): Promise<Batch & { payments: string[]; reversals: string[] }> {
  const b = await db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!b) throw new AppError('not_found', 'Пачка не найдена');
  const payments = (await db.selectFrom('payments').select('op_id').where('batch_id', '=', id).orderBy('accepted_at').execute()).map(
    (r) => r.op_id,
  );
  const reversals = (await db.selectFrom('reversals').select('op_id').where('batch_id', '=', id).orderBy('reversed_at').execute()).map(
    (r) => r.op_id,
  );
  return { ...((await views(db, [b]))[0] as Batch), payments, reversals };
}
