/**
 * The audit log: who did what, when, from where. Each entry carries the hash of the one before, so
 * editing or deleting an entry breaks the chain and `paydesk-server audit verify` finds where.
 */
import { createHash } from 'node:crypto';
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

function entryHash(
  prev: string,
  e: { id: number; at: string; actorType: string; actorId: string | null; action: string; target: string | null; details: unknown },
): string {
  return createHash('sha256').update(prev).update(canonicalJson(e)).digest('hex');
}

export async function appendAudit(db: Kysely<DB> | Transaction<DB>, entry: AuditEntry, at = new Date()): Promise<void> {
  const write = async (trx: Transaction<DB>): Promise<void> => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const last = await trx.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const id = (last?.id ?? 0) + 1;
    const prev = last?.hash ?? GENESIS;
    const details = entry.details ?? {};
    const iso = at.toISOString();
    const hash = entryHash(prev, {
      id,
      at: iso,
      actorType: entry.actorType,
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target,
      details,
    });
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

export async function verifyAudit(db: Kysely<DB>): Promise<AuditVerification> {
  let prev = GENESIS;
  let expectedId = 1;
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('id', '>', after).orderBy('id').limit(5000).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.id !== expectedId) return { ok: false, entries: count, brokenAt: expectedId, reason: `запись ${expectedId} отсутствует` };
      if (r.prev_hash !== prev) return { ok: false, entries: count, brokenAt: r.id, reason: 'нарушена ссылка на предыдущую запись' };
      const details: unknown = typeof r.details === 'string' ? JSON.parse(r.details) : r.details;
      const h = entryHash(prev, {
        id: r.id,
        at: r.at.toISOString(),
        actorType: r.actor_type,
        actorId: r.actor_id,
        action: r.action,
        target: r.target,
        details,
      });
      if (h !== r.hash) return { ok: false, entries: count, brokenAt: r.id, reason: 'содержимое записи изменено' };
      prev = r.hash;
      expectedId++;
      count++;
      after = r.id;
    }
  }
  return { ok: true, entries: count };
}
