/**
 * Issue 18 item 6: the audit chain proves what it says against someone with the database in hand. It is
 * keyed (an HMAC whose secret is not in the database), so rewriting an entry and re-hashing the chain
 * after it is found; the table refuses UPDATE and DELETE; and a head published elsewhere shows entries
 * cut off the end.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '@paydesk/protocol';
import type { OpenDatabase } from '../../db/database.ts';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { appendAudit, auditHead, setAuditKey, startKeyedAudit, verifyAudit } from './audit-log.ts';

let open: OpenDatabase;
beforeEach(async () => {
  open = await pgliteTestDb();
  setAuditKey(Buffer.from('a secret kept outside the database, 32+ bytes long'));
  for (let i = 1; i <= 5; i++) await appendAudit(open.db, { actorType: 'system', actorId: null, action: `test.${i}`, target: String(i) });
});
afterEach(async () => {
  setAuditKey(null);
  await open.close();
});

/** What someone with the database does: triggers off, as the owner can. */
async function asOwner<T>(fn: () => Promise<T>): Promise<T> {
  await sql`SET session_replication_role = replica`.execute(open.db);
  try {
    return await fn();
  } finally {
    await sql`SET session_replication_role = origin`.execute(open.db);
  }
}

describe('the audit chain', () => {
  it('an entry rewritten and the chain re-hashed after it (without the key) is found', async () => {
    const rows = await open.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    let prev = rows[1]?.hash as string;
    await asOwner(async () => {
      for (const r of rows.slice(2)) {
        const details = r.id === 3 ? { forged: true } : r.details;
        const hash = createHash('sha256')
          .update(prev)
          .update(
            canonicalJson({
              id: r.id,
              at: r.at.toISOString(),
              actorType: r.actor_type,
              actorId: r.actor_id,
              action: r.action,
              target: r.target,
              details,
            }),
          )
          .digest('hex');
        await open.db
          .updateTable('audit_log')
          .set({ details: JSON.stringify(details), prev_hash: prev, hash })
          .where('id', '=', r.id)
          .execute();
        prev = hash;
      }
    });
    expect(await verifyAudit(open.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('the table refuses UPDATE and DELETE', async () => {
    await expect(open.db.updateTable('audit_log').set({ action: 'x' }).where('id', '=', 1).execute()).rejects.toThrow();
    await expect(open.db.deleteFrom('audit_log').where('id', '=', 5).execute()).rejects.toThrow();
    expect((await verifyAudit(open.db)).ok).toBe(true);
  });

  it('entries cut off the end are found against a head published before', async () => {
    const head = await auditHead(open.db);
    expect(head).toMatchObject({ id: 5 });
    await asOwner(() => open.db.deleteFrom('audit_log').where('id', '>=', 4).execute());
    expect((await verifyAudit(open.db)).ok).toBe(true);
    expect(await verifyAudit(open.db, head)).toMatchObject({ ok: false, reason: expect.stringMatching(/4|5/) });
  });

  it('a log kept before the key: the plain prefix is closed by an audit.keyed entry; a keyed entry made plain is found', async () => {
    const plain = await pgliteTestDb();
    try {
      setAuditKey(null);
      for (let i = 1; i <= 3; i++) await appendAudit(plain.db, { actorType: 'system', actorId: null, action: `old.${i}`, target: null });
      await startKeyedAudit(plain.db, Buffer.from('a secret kept outside the database, 32+ bytes long'), { freshKey: true });
      await appendAudit(plain.db, { actorType: 'system', actorId: null, action: 'new.1', target: null });
      const rows = await plain.db.selectFrom('audit_log').select(['id', 'action', 'keyed']).orderBy('id').execute();
      expect(rows.map((r) => [r.action, r.keyed])).toEqual([
        ['old.1', false],
        ['old.2', false],
        ['old.3', false],
        ['audit.keyed', true],
        ['new.1', true],
      ]);
      expect((await verifyAudit(plain.db)).ok).toBe(true);
      // The forger makes the last entry plain and re-hashes it without the key.
      const last = await plain.db.selectFrom('audit_log').selectAll().where('id', '=', 5).executeTakeFirstOrThrow();
      const hash = createHash('sha256')
        .update(last.prev_hash)
        .update(
          canonicalJson({
            id: 5,
            at: last.at.toISOString(),
            actorType: last.actor_type,
            actorId: last.actor_id,
            action: 'new.1',
            target: last.target,
            details: {},
          }),
        )
        .digest('hex');
      await sql`SET session_replication_role = replica`.execute(plain.db);
      await plain.db.updateTable('audit_log').set({ keyed: false, hash }).where('id', '=', 5).execute();
      expect(await verifyAudit(plain.db)).toMatchObject({ ok: false, brokenAt: 5 });
    } finally {
      await plain.close();
    }
  });
});

describe('the audit key', () => {
  it('one that did not sign the log writes nothing to it', async () => {
    const db = await pgliteTestDb();
    try {
      setAuditKey(null);
      await startKeyedAudit(db.db, Buffer.from('the key that signed this log, 32+ bytes'), { freshKey: true });
      await appendAudit(db.db, { actorType: 'system', actorId: null, action: 'signed', target: null });
      const before = await auditHead(db.db);
      await expect(startKeyedAudit(db.db, Buffer.from('another data folder’s key, 32+ bytes'), { freshKey: true })).rejects.toThrow(
        /не тот/,
      );
      expect(await auditHead(db.db)).toEqual(before);
    } finally {
      setAuditKey(null);
      await db.close();
    }
  });
});
