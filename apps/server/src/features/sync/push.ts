/**
 * Push: a desk's journal arrives in seq order and is applied exactly once, in one transaction per
 * batch. The desk's row is locked first, so two pushes of one desk run one after the other. An op at
 * or below the desk's last seq is a replay and gets its stored outcome back; a gap is refused with
 * the expected seq; the same op id with a different body is a conflict, never an overwrite; a
 * business anomaly is applied and queued for review; a rejection still advances the seq. Anything
 * that fails (the database, a bug) rolls the whole batch back and advances nothing.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { AppError, opBodySchemas, zodIssues, type OpResult, type PushRequest, type PushResponse } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { currentVersion, lockStamping, nextFeedPosition, nextVersion } from '../../db/versioning.ts';
import { Batch } from './batch.ts';
import { applyOp, type OpOutcome } from './apply-ops.ts';
import { loadLookups } from './lookups.ts';

export interface PushDesk {
  deskId: string;
  pointId: string;
}

export interface PushStats {
  applied: number;
  review: number;
  rejected: number;
  replayed: number;
}

/** Splits rows into chunks that keep a statement under PostgreSQL's parameter limit. */
function chunks<T>(rows: T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(30_000 / Math.max(columns, 1)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export async function processPush(db: Database, desk: PushDesk, req: PushRequest, stats?: (s: PushStats) => void): Promise<PushResponse> {
  if (req.deskId !== desk.deskId) throw new AppError('sync.wrong_desk', 'Касса может отправлять только свои операции');
  for (const op of req.ops) {
    if (opHash(op.body) !== op.hash) throw new AppError('sync.hash_mismatch', `Операция ${op.seq}: контрольная сумма не совпадает с содержимым — пакет повреждён`, { seq: op.seq });
  }
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('desks').select(['epoch', 'last_seq', 'revoked_at']).where('id', '=', desk.deskId).forUpdate().executeTakeFirst();
    if (!row || row.revoked_at) throw new AppError('auth.key_revoked');
    if (req.epoch !== row.epoch) {
      throw new AppError('sync.epoch_fenced', `Касса переустановлена (эпоха ${row.epoch}); операции эпохи ${req.epoch} не принимаются`, { currentEpoch: row.epoch });
    }
    const lastSeq = row.last_seq;
    const replays = req.ops.filter((op) => op.seq <= lastSeq);
    const fresh = req.ops.filter((op) => op.seq > lastSeq);
    const first = fresh[0];
    if (first && first.seq !== lastSeq + 1) {
      throw new AppError('sync.gap', `Ожидалась операция ${lastSeq + 1}, пришла ${first.seq}`, { expectedSeq: lastSeq + 1 });
    }
    const results: OpResult[] = [];
    const counts: PushStats = { applied: 0, review: 0, rejected: 0, replayed: replays.length };
    if (replays.length > 0) results.push(...(await storedResults(trx, desk.deskId, req.epoch, replays)));
    if (fresh.length === 0) {
      stats?.(counts);
      // The replayed ops' effects carry versions up to now: a desk that learns only now that they
      // were applied must keep showing them locally until its replica has pulled this far.
      return { lastSeq, results, version: String(await currentVersion(trx)) };
    }

    const opIds = fresh.map((o) => o.opId);
    const seenElsewhere = new Map<string, { hash: string; outcome: OpOutcome['outcome']; code: string | null; message: string | null }>();
    for (const r of await trx.selectFrom('ops').select(['op_id', 'body_hash', 'outcome', 'code', 'message']).where('op_id', 'in', opIds).execute()) {
      seenElsewhere.set(r.op_id, { hash: r.body_hash, outcome: r.outcome, code: r.code, message: r.message });
    }

    const batch = new Batch();
    const lookups = await loadLookups(trx, fresh);
    const ctx = { deskId: desk.deskId, pointId: desk.pointId, batch, lookups };
    const opRows: { desk_id: string; epoch: number; seq: number; op_id: string; type: string; body: string; body_hash: string; outcome: OpOutcome['outcome']; code: string | null; message: string | null }[] = [];

    for (const op of fresh) {
      let outcome: OpOutcome;
      const earlier = seenElsewhere.get(op.opId);
      if (earlier) {
        // The same operation under a second seq: never applied twice, never overwritten.
        outcome = earlier.hash === op.hash
          ? { outcome: earlier.outcome, code: 'sync.duplicate', message: 'Операция уже принята ранее под другим номером' }
          : { outcome: 'rejected', code: 'sync.op_conflict', message: 'Номер операции уже использован для другой операции' };
        if (earlier.hash !== op.hash) batch.review.push({ kind: 'sync', code: 'sync.op_conflict', message: `Касса прислала операцию ${op.opId} с другим содержанием`, opId: op.opId, context: { seq: op.seq } });
      } else {
        const parsed = opBodySchemas[op.type].safeParse(op.body);
        if (!parsed.success) {
          const issues = zodIssues(parsed.error);
          outcome = { outcome: 'rejected', code: 'validation.failed', message: `Операция не принята: ${issues.map((i) => `${i.path} — ${i.message}`).join('; ')}` };
          batch.review.push({ kind: 'sync', code: 'sync.rejected', message: outcome.message ?? '', opId: op.opId, context: { seq: op.seq, type: op.type, issues } });
        } else {
          outcome = applyOp(ctx, op.opId, op.type, parsed.data);
        }
      }
      seenElsewhere.set(op.opId, { hash: op.hash, outcome: outcome.outcome, code: outcome.code ?? null, message: outcome.message ?? null });
      opRows.push({ desk_id: desk.deskId, epoch: req.epoch, seq: op.seq, op_id: op.opId, type: op.type, body: JSON.stringify(op.body), body_hash: op.hash, outcome: outcome.outcome, code: outcome.code ?? null, message: outcome.message ?? null });
      results.push({ seq: op.seq, opId: op.opId, outcome: outcome.outcome, ...(outcome.code ? { code: outcome.code } : {}), ...(outcome.message ? { message: outcome.message } : {}), replay: false });
      if (outcome.outcome === 'applied') counts.applied++;
      else if (outcome.outcome === 'applied_with_review') counts.review++;
      else counts.rejected++;
    }

    for (const part of chunks(opRows, 10)) await trx.insertInto('ops').values(part).execute();
    await writeEffects(trx, desk.deskId, batch);
    const newLastSeq = lastSeq + fresh.length;
    await trx.updateTable('desks').set({ last_seq: newLastSeq, last_push_at: new Date() }).where('id', '=', desk.deskId).execute();
    const version = await writeVersioned(trx, batch);
    stats?.(counts);
    return { lastSeq: newLastSeq, results, version: String(version) };
  });
}

async function storedResults(trx: Transaction<DB>, deskId: string, epoch: number, replays: PushRequest['ops']): Promise<OpResult[]> {
  const seqs = replays.map((o) => o.seq);
  const rows = await trx
    .selectFrom('ops')
    .select(['seq', 'op_id', 'body_hash', 'outcome', 'code', 'message'])
    .where('desk_id', '=', deskId)
    .where('epoch', '=', epoch)
    .where('seq', '>=', Math.min(...seqs))
    .where('seq', '<=', Math.max(...seqs))
    .execute();
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  return replays.map((op) => {
    const stored = bySeq.get(op.seq);
    if (!stored) throw new Error(`ops row missing for desk ${deskId} epoch ${epoch} seq ${op.seq}`);
    if (stored.op_id !== op.opId || stored.body_hash !== op.hash) {
      return { seq: op.seq, opId: op.opId, outcome: 'rejected' as const, code: 'sync.op_conflict', message: `Под номером ${op.seq} уже принята другая операция`, replay: true };
    }
    return { seq: op.seq, opId: op.opId, outcome: stored.outcome, ...(stored.code ? { code: stored.code } : {}), ...(stored.message ? { message: stored.message } : {}), replay: true };
  });
}

/** Rows that are not replicated: written before the stamping lock is taken. */
async function writeEffects(trx: Transaction<DB>, deskId: string, b: Batch): Promise<void> {
  for (const part of chunks(b.payments, 22)) await trx.insertInto('payments').values(part).execute();
  for (const part of chunks(b.lines, 11)) await trx.insertInto('payment_lines').values(part).execute();
  for (const part of chunks(b.readings, 16)) await trx.insertInto('readings').values(part).execute();
  for (const part of chunks(b.reversals, 13)) await trx.insertInto('reversals').values(part).execute();
  for (const part of chunks(b.cashOps, 12)) await trx.insertInto('cash_ops').values(part).execute();
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
  if (b.review.length > 0) {
    const rows = b.review.map((r) => ({ id: randomUUID(), kind: r.kind, code: r.code, message: r.message, op_id: r.opId, desk_id: deskId, context: JSON.stringify(r.context) }));
    for (const part of chunks(rows, 7)) {
      await trx.insertInto('review_items').values(part).onConflict((oc) => oc.columns(['op_id', 'code']).where('op_id', 'is not', null).doNothing()).execute();
    }
  }
}

/** Replicated rows and the billing feed: stamped under the lock, in commit order. */
async function writeVersioned(trx: Transaction<DB>, b: Batch): Promise<number> {
  const needsStamp = b.charges.size > 0 || b.meters.size > 0 || b.forwardings.length > 0 || b.cancelForwardings.length > 0 || b.feed.length > 0;
  if (!needsStamp) return 0;
  await lockStamping(trx);
  const charges = [...b.charges.values()].filter((c) => c.paidKop !== 0 || c.paidPenaltyKop !== 0);
  for (const part of chunks(charges, 5)) {
    await trx
      .insertInto('charges')
      .values(part.map((c) => ({ account_number: c.account, service_code: c.service, period: c.period, due_kop: 0, paid_kop: c.paidKop, paid_penalty_kop: c.paidPenaltyKop, charge_kop: null, version: nextVersion() })))
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
  for (const part of chunks(b.forwardings, 13)) {
    await trx.insertInto('forwardings').values(part.map((f) => ({ ...f, version: nextVersion() }))).execute();
  }
  if (b.cancelForwardings.length > 0) {
    await trx
      .updateTable('forwardings')
      .set({ state: 'failed', comment: 'Платёж сторнирован до передачи поставщику', updated_at: new Date(), version: nextVersion() })
      .where('op_id', 'in', b.cancelForwardings)
      .where('state', '=', 'queued')
      .execute();
  }
  for (const part of chunks(b.feed, 5)) {
    await trx
      .insertInto('billing_feed')
      .values(part.map((f) => ({ position: nextFeedPosition(), op_id: f.opId, kind: f.kind, at: f.at, payload: JSON.stringify(f.payload) })))
      .execute();
  }
  const r = await sql<{ v: number }>`SELECT last_value AS v FROM ref_version`.execute(trx);
  return Number(r.rows[0]?.v ?? 0);
}
