/**
 * The audit log: who did what, when, from where. Each entry carries the hash of the one before, so
 * editing or deleting an entry breaks the chain and `paydesk-server audit verify` finds where. The hash
 * is an HMAC with the server's audit key, kept outside the database (PAYDESK_AUDIT_KEY or the data
 * folder's audit.key): someone with the database alone can edit an entry but not re-hash the chain
 * after it. The table refuses UPDATE and DELETE (migration 0015), and the chain's head — logged at
 * every start and given by `audit verify` — lets a copy kept elsewhere show entries cut off the end.
 */
import { createHash, createHmac } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalJson } from '@paydesk/protocol';
import type { DB } from '../../db/schema.ts';

const AUDIT_LOCK = 7_331_002;
const GENESIS = '0'.repeat(64);

export interface AuditEntry {
  actorType: 'user' | 'desk' | 'system';
  actorId: string | null;
  action: string;
  target: string | null;
  details?: Record<string, unknown>;
}

let auditKey: Buffer | null = null;

/** The key the server's entries are made with (set once at start); null: plain hashes (tests, tools). */
export function setAuditKey(key: Buffer | null): void {
  auditKey = key;
}

function entryHash(
  prev: string,
  e: { id: number; at: string; actorType: string; actorId: string | null; action: string; target: string | null; details: unknown },
  key: Buffer | null,
): string {
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(prev).update(canonicalJson(e)).digest('hex');
}

export async function appendAudit(db: Kysely<DB> | Transaction<DB>, entry: AuditEntry, at = new Date()): Promise<void> {
  const write = async (trx: Transaction<DB>): Promise<void> => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const last = await trx.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const id = (last?.id ?? 0) + 1;
    const prev = last?.hash ?? GENESIS;
    const details = entry.details ?? {};
    const iso = at.toISOString();
    const hash = entryHash(
      prev,
      { id, at: iso, actorType: entry.actorType, actorId: entry.actorId, action: entry.action, target: entry.target, details },
      auditKey,
    );
    await trx
      .insertInto('audit_log')
      .values({
        id,
        at: iso,
        actor_type: entry.actorType,
        actor_id: entry.actorId,
        action: entry.action,
        target: entry.target,
        details: JSON.stringify(details),
        prev_hash: prev,
        hash,
        keyed: auditKey !== null,
      })
      .execute();
  };
  if (db.isTransaction) await write(db as Transaction<DB>);
  else await db.transaction().execute(write);
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose content or link does not match. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Makes the server's entries keyed from now on: the key set, and on a log that has none keyed yet an entry
 * that says so, so the plain prefix before it is closed (a keyed entry after it cannot be made plain).
 */
export async function startKeyedAudit(db: Kysely<DB>, key: Buffer, options: { freshKey?: boolean } = {}): Promise<string | null> {
  const newest = await db.selectFrom('audit_log').selectAll().where('keyed', '=', true).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (newest) {
    // A key that did not sign this log (another data folder's, a new one made by mistake) must not write
    // a single entry to it: the chain would be broken for good, the table being append-only.
    const details: unknown = typeof newest.details === 'string' ? JSON.parse(newest.details) : newest.details;
    const e = {
      id: Number(newest.id),
      at: newest.at.toISOString(),
      actorType: newest.actor_type,
      actorId: newest.actor_id,
      action: newest.action,
      target: newest.target,
      details,
    };
    if (entryHash(newest.prev_hash, e, key) !== newest.hash) {
      throw new Error(
        'Ключ аудита не тот, что подписывал журнал: проверьте PAYDESK_AUDIT_KEY или папку данных (audit.key) — ничего не записано',
      );
    }
  }
  setAuditKey(key);
  const keyed = newest;
  // A plain log is closed by a transition only when the key is new (or the log empty): a key that signed
  // before and finds no signed entry finds a log someone replaced, and must not sign over it.
  if (!keyed && !options.freshKey && (await auditHead(db)) !== null) {
    return 'Журнал аудита без подписанных записей, а ключ аудита уже подписывал: журнал подменён или ключ не тот — проверьте (audit verify)';
  }
  if (!keyed) {
    const before = await auditHead(db);
    await appendAudit(db, {
      actorType: 'system',
      actorId: null,
      action: 'audit.keyed',
      target: null,
      details: { plainEntries: before?.id ?? 0 },
    });
  }
  return null;
}

/** The chain's last entry: published (logged, copied elsewhere), it shows later whether entries were cut off the end. */
export async function auditHead(db: Kysely<DB>): Promise<{ id: number; hash: string } | null> {
  const last = await db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return last ? { id: Number(last.id), hash: last.hash } : null;
}

/**
 * Checks the chain from its first entry; with a head published before, also that the chain still
 * reaches it. A keyed entry is checked with the server's key, and cannot be without it.
 */
export async function verifyAudit(db: Kysely<DB>, head?: { id: number; hash: string } | null): Promise<AuditVerification> {
  let prev = GENESIS;
  let expectedId = 1;
  let count = 0;
  let after = 0;
  // Entries from before the key are a plain prefix; once one is keyed, every later one must be.
  let keyedSeen = false;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', after).orderBy('id').limit(5000).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.id !== expectedId) return { ok: false, entries: count, brokenAt: expectedId, reason: `запись ${expectedId} отсутствует` };
      if (r.prev_hash !== prev) return { ok: false, entries: count, brokenAt: r.id, reason: 'нарушена ссылка на предыдущую запись' };
      const details: unknown = typeof r.details === 'string' ? JSON.parse(r.details) : r.details;
      if (!r.keyed && keyedSeen)
        return { ok: false, entries: count, brokenAt: r.id, reason: 'запись без подписи ключом после подписанных' };
      keyedSeen ||= r.keyed;
      if (r.keyed && !auditKey)
        return { ok: false, entries: count, brokenAt: r.id, reason: 'запись подписана ключом аудита, а ключа нет: проверьте на сервере' };
      const h = entryHash(
        prev,
        { id: r.id, at: r.at.toISOString(), actorType: r.actor_type, actorId: r.actor_id, action: r.action, target: r.target, details },
        r.keyed ? auditKey : null,
      );
      if (h !== r.hash) return { ok: false, entries: count, brokenAt: r.id, reason: 'содержимое записи изменено' };
      if (head && r.id === head.id && r.hash !== head.hash)
        return { ok: false, entries: count, brokenAt: r.id, reason: 'запись не та, что в опубликованной голове цепочки' };
      prev = r.hash;
      expectedId++;
      count++;
      after = r.id;
    }
  }
  if (auditKey && count > 0 && !keyedSeen) {
    return {
      ok: false,
      entries: count,
      brokenAt: 1,
      reason: 'ни одна запись не подписана ключом аудита, а сервер с ключом их подписывает',
    };
  }
  if (head && count < head.id) {
    return {
      ok: false,
      entries: count,
      brokenAt: count + 1,
      reason: `записей ${count + 1}–${head.id} нет, а голова цепочки была на ${head.id}: конец журнала удалён`,
    };
  }
  return { ok: true, entries: count };
}
