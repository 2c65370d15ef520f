/**
 * What a pushed batch writes, once its ops are applied in memory: the facts (payments, lines,
 * readings, reversals, cash, shifts, review items), then the replicated rows and the billing feed,
 * stamped under the lock so readers see them in commit order.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { txnIdCandidates } from '@paydesk/domain';
import type { DB } from '../../db/schema.ts';
import { lockStamping, nextFeedPosition, nextVersion } from '../../db/versioning.ts';
import type { Batch } from './batch.ts';
import { pgJson } from '../../db/pg-json.ts';

/** Splits rows into chunks that keep a statement under PostgreSQL's parameter limit. */
export function chunks<T>(rows: T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(30_000 / Math.max(columns, 1)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Rows that are not replicated: written before the stamping lock is taken. */
export async function writeEffects(trx: Transaction<DB>, deskId: string, b: Batch): Promise<void> {
  for (const part of chunks(b.payments, 22)) await trx.insertInto('payments').values(part).execute();
  for (const part of chunks(b.lines, 11)) await trx.insertInto('payment_lines').values(part).execute();
  for (const part of chunks(b.readings, 16)) await trx.insertInto('readings').values(part).execute();
  for (const part of chunks(b.reversals, 13)) await trx.insertInto('reversals').values(part).execute();
  for (const part of chunks(b.cashOps, 12)) await trx.insertInto('cash_ops').values(part).execute();
  for (const part of chunks(b.corrections, 12)) await trx.insertInto('corrections').values(part).execute();
  for (const [opId, reversal] of b.reversedPayments) {
    await trx.updateTable('payments').set({ state: 'reversed', reversed_by: reversal }).where('op_id', '=', opId).execute();
  }
  for (const s of b.shifts.values()) {
    await trx
      .insertInto('shifts')
      .values(s)
      .onConflict((oc) =>
        oc.columns(['desk_id', 'shift_number']).doUpdateSet((eb) => ({
          opened_at: eb.fn.coalesce('excluded.opened_at', 'shifts.opened_at'),
          opened_by: eb.fn.coalesce('excluded.opened_by', 'shifts.opened_by'),
          opening_float_kop: eb.fn.coalesce('excluded.opening_float_kop', 'shifts.opening_float_kop'),
          closed_at: eb.fn.coalesce('excluded.closed_at', 'shifts.closed_at'),
          closed_by: eb.fn.coalesce('excluded.closed_by', 'shifts.closed_by'),
          register_totals: eb.fn.coalesce('excluded.register_totals', 'shifts.register_totals'),
          journal_totals: eb.fn.coalesce('excluded.journal_totals', 'shifts.journal_totals'),
          unsent_at_close: eb.fn.coalesce('excluded.unsent_at_close', 'shifts.unsent_at_close'),
        })),
      )
      .execute();
  }
  await writeReview(trx, deskId, b.review);
}

export async function writeReview(trx: Transaction<DB>, deskId: string, review: Batch['review']): Promise<void> {
  if (review.length === 0) return;
  const rows = review.map((r) => ({
    id: randomUUID(),
    kind: r.kind,
    code: r.code,
    message: r.message,
    op_id: r.opId,
    desk_id: deskId,
    context: pgJson(r.context),
  }));
  for (const part of chunks(rows, 7)) {
    await trx
      .insertInto('review_items')
      .values(part)
      .onConflict((oc) => oc.columns(['op_id', 'code']).where('op_id', 'is not', null).doNothing())
      .execute();
  }
}

/**
 * Each forwarding's txn_id: the first of its op id's candidates that no other payment holds at the
 * same provider. Runs under the stamping lock, which every writer of forwardings takes, so no
 * concurrent push can take the same number between the check and the insert.
 */
async function assignTxnIds(trx: Transaction<DB>, forwardings: Batch['forwardings']): Promise<void> {
  const taken = new Set<string>();
  for (const f of forwardings) {
    const candidates = txnIdCandidates(f.op_id);
    const held = new Set(
      (
        await trx
          .selectFrom('forwardings')
          .select('txn_id')
          .where('provider_code', '=', f.provider_code)
          .where('txn_id', 'in', candidates)
          .where('op_id', '!=', f.op_id)
          .execute()
      ).map((r) => r.txn_id),
    );
    const free = candidates.find((c) => !held.has(c) && !taken.has(`${f.provider_code}:${c}`));
    if (!free) throw new Error(`no free txn_id for ${f.op_id} at ${f.provider_code}`);
    f.txn_id = free;
    taken.add(`${f.provider_code}:${free}`);
  }
}

/** Replicated rows and the billing feed: stamped under the lock, in commit order. */
export async function writeVersioned(trx: Transaction<DB>, b: Batch): Promise<number> {
  const needsStamp =
    b.charges.size > 0 || b.meters.size > 0 || b.forwardings.length > 0 || b.cancelForwardings.length > 0 || b.feed.length > 0;
  if (!needsStamp) return 0;
  await lockStamping(trx);
  const charges = [...b.charges.values()].filter((c) => c.paidKop !== 0 || c.paidPenaltyKop !== 0);
  for (const part of chunks(charges, 5)) {
    await trx
      .insertInto('charges')
      .values(
        part.map((c) => ({
          account_number: c.account,
          service_code: c.service,
          period: c.period,
          due_kop: 0,
          paid_kop: c.paidKop,
          paid_penalty_kop: c.paidPenaltyKop,
          charge_kop: null,
          version: nextVersion(),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['account_number', 'service_code', 'period']).doUpdateSet({
          paid_kop: sql`charges.paid_kop + excluded.paid_kop`,
          paid_penalty_kop: sql`charges.paid_penalty_kop + excluded.paid_penalty_kop`,
          version: sql`excluded.version`,
        }),
      )
      .execute();
  }
  for (const [id, m] of b.meters) {
    await trx
      .updateTable('meters')
      .set({ last_value_milli: m.valueMilli, last_date: m.date, version: nextVersion() })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_date', 'is', null), eb('last_date', '<', m.date)]))
      .execute();
  }
  await assignTxnIds(trx, b.forwardings);
  for (const part of chunks(b.forwardings, 13)) {
    await trx
      .insertInto('forwardings')
      .values(part.map((f) => ({ ...f, version: nextVersion() })))
      .execute();
  }
  if (b.cancelForwardings.length > 0) {
    await trx
      .updateTable('forwardings')
      .set({ state: 'cancelled', comment: 'Платёж сторнирован до передачи поставщику', updated_at: new Date(), version: nextVersion() })
      .where('op_id', 'in', b.cancelForwardings)
      .where('state', 'in', ['queued', 'held'])
      .execute();
  }
  for (const part of chunks(b.feed, 5)) {
    await trx
      .insertInto('billing_feed')
      .values(part.map((f) => ({ position: nextFeedPosition(), op_id: f.opId, kind: f.kind, at: f.at, payload: pgJson(f.payload) })))
      .execute();
  }
  const r = await sql<{ v: number }>`SELECT last_value AS v FROM ref_version`.execute(trx);
  return Number(r.rows[0]?.v ?? 0);
}
