/**
 * The sync journal: append-only, one gapless seq per op, assigned in the same SQLite transaction
 * that records the operation's final state. What the server answered is kept next to each op.
 */
import { canonicalJson, type OpType } from '@paydesk/protocol';
import { opHash } from '@paydesk/protocol/node';
import type { JournalDb } from '../../db/journal-db.ts';
import { getMeta, setMeta } from '../../db/journal-db.ts';
import { SyncState } from './lifecycle.ts';

export interface JournalOp {
  seq: number;
  opId: string;
  type: OpType;
  body: Record<string, unknown>;
  hash: string;
}

export class Journal {
  private readonly insert;
  private readonly maxSeq;

  constructor(private readonly db: JournalDb) {
    this.insert = db.prepare('INSERT INTO ops (seq, op_id, type, body, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM ops');
  }

  /** Appends an op; call inside the transaction that records what the op reports. */
  append(type: OpType, opId: string, body: object, at: Date): number {
    const seq = (this.maxSeq.get() as { s: number }).s + 1;
    // The canonical form is what is hashed and sent, so the server sees exactly these bytes' meaning.
    const canonical = canonicalJson(body);
    this.insert.run(seq, opId, type, canonical, opHash(body), at.toISOString());
    return seq;
  }

  /**
   * The next push batch: pending ops in seq order, up to the first hole. Acknowledged ops can sit
   * between pending ones (a pull re-marks ops the server lost while a push in flight is answered), and
   * the server reads a batch only when its seqs follow each other: the ops after the hole go next time.
   */
  pending(limit: number): JournalOp[] {
    const rows = this.db
      .prepare(`SELECT seq, op_id, type, body, hash FROM ops WHERE sync_state = '${SyncState.pending}' ORDER BY seq LIMIT ?`)
      .all(limit) as { seq: number; op_id: string; type: OpType; body: string; hash: string }[];
    const run = rows.findIndex((r, i) => i > 0 && r.seq !== (rows[i - 1] as { seq: number }).seq + 1);
    return (run < 0 ? rows : rows.slice(0, run)).map((r) => ({
      seq: r.seq,
      opId: r.op_id,
      type: r.type,
      body: JSON.parse(r.body) as Record<string, unknown>,
      hash: r.hash,
    }));
  }

  from(seq: number, limit: number): JournalOp[] {
    const rows = this.db.prepare('SELECT seq, op_id, type, body, hash FROM ops WHERE seq >= ? ORDER BY seq LIMIT ?').all(seq, limit) as {
      seq: number;
      op_id: string;
      type: OpType;
      body: string;
      hash: string;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      opId: r.op_id,
      type: r.type,
      body: JSON.parse(r.body) as Record<string, unknown>,
      hash: r.hash,
    }));
  }

  counts(): { unsent: number; oldestUnsentAt: string | null; rejected: number } {
    const u = this.db
      .prepare(`SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM ops WHERE sync_state = '${SyncState.pending}'`)
      .get() as {
      n: number;
      oldest: string | null;
    };
    const r = this.db.prepare(`SELECT COUNT(*) AS n FROM ops WHERE sync_state = '${SyncState.rejected}'`).get() as { n: number };
    return { unsent: u.n, oldestUnsentAt: u.oldest, rejected: r.n };
  }

  /** The next human number of a payment or a return on this desk: "К1-000042". */
  nextNumber(): string {
    const n = Number(getMeta(this.db, 'number_counter') ?? '0') + 1;
    setMeta(this.db, 'number_counter', String(n));
    return `${getMeta(this.db, 'number_prefix') ?? 'К'}-${String(n).padStart(6, '0')}`;
  }
}

/** A short prefix for payment numbers from a desk's name: "Касса 1" → "К1". */
export function numberPrefix(name: string): string {
  const words = name.trim().split(/\s+/);
  const prefix = words.map((w) => (/^\d+$/.test(w) ? w : (w[0] ?? '').toUpperCase())).join('');
  return prefix.slice(0, 6) || 'К';
}
