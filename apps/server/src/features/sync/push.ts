/**
 * Push: a desk's journal arrives in seq order and is applied exactly once, in one transaction per
 * batch. The desk's row is locked first, so two pushes of one desk run one after the other. An op at
 * or below the desk's last seq is a replay and gets its stored outcome back; a gap is refused with
 * the expected seq; the same op id with a different body is a conflict, never an overwrite; a
 * business anomaly is applied and queued for review; a rejection still advances the seq.
 *
 * One op's content never fails the batch. When applying the batch in one go fails for anything but
 * the database being unreachable (a handler's bug, a constraint an odd op breaks), the batch is
 * applied again op by op, each in a savepoint: an op that still cannot be placed is kept whole — its
 * body in the ops table and in a review item — and answered `rejected / sync.unapplicable`, and the
 * ops after it are applied. Only an infrastructure failure advances nothing.
 */
import { sql, type Transaction } from 'kysely';
import { AppError, opBodySchemas, zodIssues, type OpResult, type PushRequest, type PushResponse } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { currentVersion } from '../../db/versioning.ts';
import { Batch } from './batch.ts';
import { applyOp, type ApplyContext, type OpOutcome } from './apply-ops.ts';
import { loadLookups } from './lookups.ts';
import { chunks, writeEffects, writeReview, writeVersioned } from './push-writes.ts';
import { pgJson } from '../../db/pg-json.ts';

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

export interface PushOptions {
  /** The op handler; tests replace it to prove a failing op does not take the batch down. */
  apply?: typeof applyOp;
}

type Fresh = PushRequest['ops'][number];
type OpRow = {
  desk_id: string;
  epoch: number;
  seq: number;
  op_id: string;
  type: string;
  body: string;
  body_hash: string;
  outcome: OpOutcome['outcome'];
  code: string | null;
  message: string | null;
};
type Earlier = Map<string, { hash: string; outcome: OpOutcome['outcome']; code: string | null; message: string | null }>;

/**
 * PostgreSQL error classes that say the database, not the op, failed: retry the whole push later.
 * Connection (08), rollback/serialization (40), resources (53), lock not available (55P03), operator
 * intervention (57), system (58), internal (XX). A program limit (54: a statement too deep) comes from
 * an op's content and is placed op by op like any other.
 */
const INFRASTRUCTURE = /^(08|40|53|55P03|57|58|XX)/;

function isInfrastructure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && INFRASTRUCTURE.test(code);
}

export async function processPush(
  db: Database,
  desk: PushDesk,
  req: PushRequest,
  stats?: (s: PushStats) => void,
  options: PushOptions = {},
): Promise<PushResponse> {
  if (req.deskId !== desk.deskId) throw new AppError('sync.wrong_desk', 'Касса может отправлять только свои операции');
  for (const op of req.ops) {
    if (opHash(op.body) !== op.hash)
      throw new AppError('sync.hash_mismatch', `Операция ${op.seq}: контрольная сумма не совпадает с содержимым — пакет повреждён`, {
        seq: op.seq,
      });
  }
  try {
    return await db.transaction().execute((trx) => pushIn(trx, desk, req, stats, options, false));
  } catch (e) {
    if (e instanceof AppError || isInfrastructure(e)) throw e;
    return db.transaction().execute((trx) => pushIn(trx, desk, req, stats, options, true));
  }
}

async function pushIn(
  trx: Transaction<DB>,
  desk: PushDesk,
  req: PushRequest,
  stats: ((s: PushStats) => void) | undefined,
  options: PushOptions,
  opByOp: boolean,
): Promise<PushResponse> {
  const row = await trx
    .selectFrom('desks')
    .select(['epoch', 'last_seq', 'revoked_at'])
    .where('id', '=', desk.deskId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.revoked_at) throw new AppError('auth.key_revoked');
  if (req.epoch !== row.epoch) {
    throw new AppError('sync.epoch_fenced', `Касса переустановлена (эпоха ${row.epoch}); операции эпохи ${req.epoch} не принимаются`, {
      currentEpoch: row.epoch,
    });
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

  const earlier: Earlier = new Map();
  for (const r of await trx
    .selectFrom('ops')
    .select(['op_id', 'body_hash', 'outcome', 'code', 'message'])
    .where(
      'op_id',
      'in',
      fresh.map((o) => o.opId),
    )
    .execute()) {
    earlier.set(r.op_id, { hash: r.body_hash, outcome: r.outcome, code: r.code, message: r.message });
  }
  const apply = options.apply ?? applyOp;
  const opRows: OpRow[] = [];
  let version = 0;
  const record = (op: Fresh, outcome: OpOutcome, body: string = pgJson(op.body)): void => {
    earlier.set(op.opId, { hash: op.hash, outcome: outcome.outcome, code: outcome.code ?? null, message: outcome.message ?? null });
    opRows.push({
      desk_id: desk.deskId,
      epoch: req.epoch,
      seq: op.seq,
      op_id: op.opId,
      type: op.type,
      body,
      body_hash: op.hash,
      outcome: outcome.outcome,
      code: outcome.code ?? null,
      message: outcome.message ?? null,
    });
    results.push({
      seq: op.seq,
      opId: op.opId,
      outcome: outcome.outcome,
      ...(outcome.code ? { code: outcome.code } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
      replay: false,
    });
    counts[outcome.outcome === 'applied' ? 'applied' : outcome.outcome === 'applied_with_review' ? 'review' : 'rejected']++;
  };

  if (!opByOp) {
    const batch = new Batch();
    const ctx: ApplyContext = { deskId: desk.deskId, pointId: desk.pointId, batch, lookups: await loadLookups(trx, fresh) };
    for (const op of fresh) record(op, placeOne(ctx, op, earlier, apply));
    await writeEffects(trx, desk.deskId, batch);
    version = await writeVersioned(trx, batch);
  } else {
    for (const op of fresh) {
      await sql`SAVEPOINT push_op`.execute(trx);
      try {
        const batch = new Batch();
        const ctx: ApplyContext = { deskId: desk.deskId, pointId: desk.pointId, batch, lookups: await loadLookups(trx, [op]) };
        const outcome = placeOne(ctx, op, earlier, apply);
        await writeEffects(trx, desk.deskId, batch);
        version = Math.max(version, await writeVersioned(trx, batch));
        await sql`RELEASE SAVEPOINT push_op`.execute(trx);
        record(op, outcome);
      } catch (e) {
        if (isInfrastructure(e)) throw e;
        await sql`ROLLBACK TO SAVEPOINT push_op`.execute(trx);
        record(op, await keepUnplaceable(trx, desk.deskId, op, e));
      }
    }
  }
  for (const part of chunks(opRows, 10)) await trx.insertInto('ops').values(part).execute();
  const newLastSeq = lastSeq + fresh.length;
  await trx.updateTable('desks').set({ last_seq: newLastSeq, last_push_at: new Date() }).where('id', '=', desk.deskId).execute();
  stats?.(counts);
  return { lastSeq: newLastSeq, results, version: String(version || (await currentVersion(trx))) };
}

/** Fields of money ops that only inform: dropped, never the payment, when they fail their schema. */
const INFORMATIONAL: Partial<Record<Fresh['type'], string[]>> = {
  'thirdparty.accepted': ['check', 'checkSkippedOffline'],
  'cash.in': ['comment'],
  'cash.out': ['comment'],
};

/** One op in memory: a second copy of an earlier op, a body that fails its schema, or the handler's outcome. */
function placeOne(ctx: ApplyContext, op: Fresh, earlier: Earlier, apply: typeof applyOp): OpOutcome {
  const seen = earlier.get(op.opId);
  if (seen) {
    // The same operation under a second seq: never applied twice, never overwritten.
    if (seen.hash === op.hash)
      return { outcome: seen.outcome, code: 'sync.duplicate', message: 'Операция уже принята ранее под другим номером' };
    ctx.batch.review.push({
      kind: 'sync',
      code: 'sync.op_conflict',
      message: `Касса прислала операцию ${op.opId} с другим содержанием`,
      opId: op.opId,
      context: { seq: op.seq, type: op.type, body: op.body },
    });
    return { outcome: 'rejected', code: 'sync.op_conflict', message: 'Номер операции уже использован для другой операции' };
  }
  let parsed = opBodySchemas[op.type].safeParse(op.body);
  let trimmed: string[] = [];
  if (!parsed.success && INFORMATIONAL[op.type]) {
    // A payment taken is a fact: a field that only informs (the provider's answer to the check) must
    // not cost the payment. Without it the op is placed, and a person sees what was left out.
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
    trimmed = (INFORMATIONAL[op.type] ?? []).filter((f) => bad.has(f));
    if (trimmed.length > 0 && bad.size === trimmed.length) {
      const rest = Object.fromEntries(Object.entries(op.body).filter(([k]) => !trimmed.includes(k)));
      parsed = opBodySchemas[op.type].safeParse(rest);
    }
  }
  if (parsed.success && trimmed.length > 0) {
    ctx.batch.review.push({
      kind: 'sync',
      code: 'sync.body_trimmed',
      message: `Операция принята без полей ${trimmed.join(', ')}: они не проходят проверку (полный текст — в ops)`,
      opId: op.opId,
      context: { seq: op.seq, type: op.type, dropped: trimmed },
    });
  }
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    const message = `Операция не принята: ${issues.map((i) => `${i.path} — ${i.message}`).join('; ')}`;
    ctx.batch.review.push({
      kind: 'sync',
      code: 'sync.rejected',
      message,
      opId: op.opId,
      context: { seq: op.seq, type: op.type, issues, body: op.body },
    });
    return { outcome: 'rejected', code: 'validation.failed', message };
  }
  let outcome = apply(ctx, op.opId, op.type, parsed.data);
  if (trimmed.length > 0 && outcome.outcome === 'applied')
    outcome = { outcome: 'applied_with_review', code: 'sync.body_trimmed', message: `Принято без полей ${trimmed.join(', ')}` };
  const settledBy = (parsed.data as { fiscal?: { settledBy?: string } }).fiscal?.settledBy;
  if (settledBy && outcome.outcome !== 'rejected') {
    // The register could not say whether it printed this; a senior cashier decided from what it showed.
    const message = 'Исход операции на ККТ установлен старшим кассиром вручную: сверьте с данными ОФД';
    ctx.batch.review.push({
      kind: 'fiscal',
      code: 'fiscal.settled_by_hand',
      message,
      opId: op.opId,
      context: { settledBy, fiscal: (parsed.data as { fiscal: unknown }).fiscal },
    });
    return outcome.outcome === 'applied' ? { outcome: 'applied_with_review', code: 'fiscal.settled_by_hand', message } : outcome;
  }
  return outcome;
}

/** An op the server cannot place: kept whole for a person, answered so the queue moves on. */
async function keepUnplaceable(trx: Transaction<DB>, deskId: string, op: Fresh, e: unknown): Promise<OpOutcome> {
  const message = `Сервер не смог провести операцию: она сохранена целиком и передана на разбор (${(e as Error).message.slice(0, 200)})`;
  const original = Buffer.from(JSON.stringify(op.body), 'utf8').toString('base64');
  await writeReview(trx, deskId, [
    {
      kind: 'sync',
      code: 'sync.unapplicable',
      message,
      opId: op.opId,
      context: {
        seq: op.seq,
        type: op.type,
        hash: op.hash,
        body: op.body,
        bodyBase64: original,
        error: String((e as Error).stack ?? e).slice(0, 2000),
      },
    },
  ]);
  return { outcome: 'rejected', code: 'sync.unapplicable', message };
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
  const strangers = replays.filter((op) => bySeq.get(op.seq)?.op_id !== op.opId);
  const elsewhere = new Map(
    strangers.length === 0
      ? []
      : (
          await trx
            .selectFrom('ops')
            .select(['op_id', 'body_hash', 'outcome', 'code', 'message'])
            .where(
              'op_id',
              'in',
              strangers.map((o) => o.opId),
            )
            .execute()
        ).map((r) => [r.op_id, r]),
  );
  const unknown = strangers.filter((op) => !elsewhere.has(op.opId));
  if (unknown.length > 0) {
    // Seqs the server holds under other op ids, for ops it has never seen: the desk's journal was put
    // back from an older copy and numbers its new ops again. They must go after what the server has.
    const lastSeq = (await trx.selectFrom('desks').select('last_seq').where('id', '=', deskId).executeTakeFirstOrThrow()).last_seq;
    const lastNumber =
      (
        await trx
          .selectFrom('payments')
          .select((eb) => eb.fn.max('number').as('n'))
          .where('desk_id', '=', deskId)
          .executeTakeFirst()
      )?.n ?? null;
    throw new AppError(
      'sync.seq_reused',
      `Номер ${unknown[0]?.seq ?? ''} уже занят другой операцией этой кассы: журнал кассы восстановлен из копии. Касса пришлёт новые операции после ${lastSeq}.`,
      { lastSeq, lastNumber },
    );
  }
  const review: Batch['review'] = [];
  const results = replays.map((op): OpResult => {
    const stored = bySeq.get(op.seq);
    if (!stored) throw new Error(`ops row missing for desk ${deskId} epoch ${epoch} seq ${op.seq}`);
    if (stored.op_id === op.opId && stored.body_hash === op.hash) {
      return {
        seq: op.seq,
        opId: op.opId,
        outcome: stored.outcome,
        ...(stored.code ? { code: stored.code } : {}),
        ...(stored.message ? { message: stored.message } : {}),
        replay: true,
      };
    }
    const known = stored.op_id === op.opId ? stored : elsewhere.get(op.opId);
    if (known && known.body_hash === op.hash) {
      // The op itself, known under another seq (sent again after a rebase): its outcome stands.
      return {
        seq: op.seq,
        opId: op.opId,
        outcome: known.outcome,
        code: 'sync.duplicate',
        message: 'Операция уже принята ранее под другим номером',
        replay: true,
      };
    }
    // The same op id with another body: never overwritten, kept whole for a person.
    review.push({
      kind: 'sync',
      code: 'sync.op_conflict',
      message: `Касса прислала операцию ${op.opId} с другим содержанием`,
      opId: op.opId,
      context: { seq: op.seq, type: op.type, body: op.body },
    });
    return {
      seq: op.seq,
      opId: op.opId,
      outcome: 'rejected' as const,
      code: 'sync.op_conflict',
      message: `Операция ${op.opId} уже принята с другим содержанием`,
      replay: true,
    };
  });
  await writeReview(trx, deskId, review);
  return results;
}
