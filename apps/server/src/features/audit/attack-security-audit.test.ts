/**
 * Attack on issue 18 item 6 with the database alone (no audit key): the `audit.keyed` transition entry
 * is written by the server on any start that finds no keyed entry, so a forger who replaces the whole
 * log with a plain (unkeyed) chain gets the server itself to seal it with the key.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '@paydesk/protocol';
import type { OpenDatabase } from '../../db/database.ts';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { appendAudit, setAuditKey, startKeyedAudit, verifyAudit } from './audit-log.ts';

const KEY = Buffer.from('a secret kept outside the database, 32+ bytes long');
let open: OpenDatabase;
beforeEach(async () => {
  open = await pgliteTestDb();
  setAuditKey(null);
  // A server that started keyed: the transition entry, then its keyed entries.
  await startKeyedAudit(open.db, KEY);
  for (let i = 1; i <= 5; i++) await appendAudit(open.db, { actorType: 'user', actorId: null, action: `money.${i}`, target: String(i) });
});
afterEach(async () => {
  setAuditKey(null);
  await open.close();
});

describe('attack: the audit chain re-keyed by the server after a forger replaced it', () => {
  it('a log rewritten as a plain chain (one entry edited) is not accepted after the next start', async () => {
    const rows = await open.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(rows.every((r) => r.keyed)).toBe(true);
    // The forger, with the database only: triggers off, the log replaced by a plain chain without the
    // transition entry, entry money.3 edited.
    await sql`SET session_replication_role = replica`.execute(open.db);
    await open.db.deleteFrom('audit_log').execute();
    let prev = '0'.repeat(64);
    let id = 0;
    for (const r of rows.filter((x) => x.action !== 'audit.keyed')) {
      id++;
      const details = r.action === 'money.3' ? { forged: true } : r.details;
      const e = { id, at: r.at.toISOString(), actorType: r.actor_type, actorId: r.actor_id, action: r.action, target: r.target, details };
      const hash = createHash('sha256').update(prev).update(canonicalJson(e)).digest('hex');
      await open.db
        .insertInto('audit_log')
        .values({
          id,
          at: e.at,
          actor_type: r.actor_type,
          actor_id: r.actor_id,
          action: r.action,
          target: r.target,
          details: JSON.stringify(details),
          prev_hash: prev,
          hash,
          keyed: false,
        })
        .execute();
      prev = hash;
    }
    await sql`SET session_replication_role = origin`.execute(open.db);
    // Before the restart the forgery is found (a keyed server, no keyed entry)...
    setAuditKey(KEY);
    expect((await verifyAudit(open.db)).ok).toBe(false);
    // ...the server restarts (bootstrap → startKeyedAudit) and seals the forged chain with its key.
    setAuditKey(null);
    await startKeyedAudit(open.db, KEY);
    const v = await verifyAudit(open.db);
    // Expected: not ok (the log was keyed before; money.3 was edited). Observed: ok — the transition
    // entry's plainEntries is never checked, and a keyed server accepts a fresh transition at any time.
    expect(v.ok).toBe(false);
  });
});
