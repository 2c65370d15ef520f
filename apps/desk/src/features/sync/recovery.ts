/**
 * Recovering from a restore, on either side (issue 16 items 4 and 5). A payment taken is a fact after
 * any restore:
 *
 * - The desk's journal put back from an older copy numbers its new ops with seqs the server already
 *   holds under other ops. The server refuses them (`sync.seq_reused`, with its last seq); the desk
 *   renumbers its unsent ops after the server's last seq and moves its payment numbers past the ones
 *   the server holds, so nothing is rejected and no receipt number repeats.
 * - The server put back from a backup holds fewer of the desk's ops than the desk has acknowledged:
 *   every pull says how many it holds, and the desk sends again whatever is past that, idle or not.
 * - The server's versions went back too: a pull cursor ahead of the server, or a new incarnation,
 *   makes the desk reload the replica from the start, keeping its rows searchable meanwhile and
 *   dropping at the end those the server no longer has.
 * - A desk enrolled again (a new epoch) re-sends its ops of the last `resendWindowDays` (35 by
 *   default), not only the unsent ones: the server recognises the ones it has by their op ids.
 */
import { getMeta, setMeta, type JournalDb } from '../../db/journal-db.ts';
import { SYNC, SyncState, sqlList } from '../journal/lifecycle.ts';

const REPLICA_TABLES = [
  'accounts',
  'charges',
  'meters',
  'suppliers',
  'services',
  'providers',
  'price_items',
  'users',
  'settings',
  'forwarding',
] as const;

/** Marks every answered op from a seq on as pending again: the server is to be sent them once more. */
function sendAgain(db: JournalDb, fromSeq: number): number {
  const to = SyncState.pending;
  const from = SYNC.sources(to);
  return db
    .prepare(
      `UPDATE ops SET sync_state = '${to}', sync_code = NULL, sync_message = NULL WHERE seq >= ? AND sync_state IN (${sqlList(from)})`,
    )
    .run(fromSeq).changes;
}

function seqBase(db: JournalDb): number {
  return Number(getMeta(db, 'seq_base') ?? '1');
}

/** The journal was restored: unsent ops go after the server's last seq, numbers past its last one. */
export function renumberAfter(
  db: JournalDb,
  serverLastSeq: number,
  serverLastNumber: string | null,
): { firstLocal: number; base: number } | null {
  return db.transaction(() => {
    const first = (db.prepare(`SELECT MIN(seq) AS s FROM ops WHERE sync_state = '${SyncState.pending}'`).get() as { s: number | null }).s;
    if (first === null) return null;
    const base = first - serverLastSeq;
    setMeta(db, 'seq_base', String(base));
    const n = serverLastNumber ? Number(/(\d+)$/.exec(serverLastNumber)?.[1] ?? '0') : 0;
    if (n > Number(getMeta(db, 'number_counter') ?? '0')) setMeta(db, 'number_counter', String(n));
    return { firstLocal: first, base };
  })();
}

/**
 * The server holds `serverLastSeq` of this epoch's ops: everything after it goes again. Returns how many.
 * When that seq does not map to an op of this journal (it was renumbered after a journal restore, then
 * the server went back further still), the ops of the resend window go again numbered from the seq the
 * server expects: the server recognises those it has by their op ids and applies the rest.
 */
export function resendAfter(db: JournalDb, serverLastSeq: number, now: Date = new Date(), windowDays = 35): number {
  return db.transaction(() => {
    const fromLocal = serverLastSeq + seqBase(db);
    const exists = db.prepare('SELECT 1 FROM ops WHERE seq = ?').get(fromLocal) !== undefined;
    const atEnd = fromLocal === (db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM ops').get() as { s: number }).s;
    if (exists || atEnd) return sendAgain(db, fromLocal);
    const since = new Date(now.getTime() - windowDays * 86_400_000).toISOString();
    const first = (
      db.prepare(`SELECT MIN(seq) AS s FROM ops WHERE created_at >= ? OR sync_state = '${SyncState.pending}'`).get(since) as {
        s: number | null;
      }
    ).s;
    if (first === null) return 0;
    setMeta(db, 'seq_base', String(first - serverLastSeq));
    return sendAgain(db, first);
  })();
}

/** The highest seq of this epoch the server has answered for, in the epoch's numbering. */
export function ackedWireSeq(db: JournalDb): number {
  const r = db.prepare(`SELECT MAX(seq) AS s FROM ops WHERE sync_state != '${SyncState.pending}'`).get() as { s: number | null };
  return r.s === null ? 0 : r.s - seqBase(db) + 1;
}

/**
 * Marks every replica row as "not confirmed by this server" and the cursor back to the start; the
 * next full pull overwrites the rows it carries (any version beats a negative one), and
 * finishReload drops the rest.
 */
export function startReload(db: JournalDb): void {
  db.transaction(() => {
    for (const t of REPLICA_TABLES) db.prepare(`UPDATE ${t} SET version = -1 - version WHERE version >= 0`).run();
    setMeta(db, 'pull_cursor', '0');
    setMeta(db, 'reload', '1');
  })();
}

export function reloading(db: JournalDb): boolean {
  return getMeta(db, 'reload') === '1';
}

export function finishReload(db: JournalDb): number {
  return db.transaction(() => {
    let dropped = 0;
    for (const t of REPLICA_TABLES) dropped += db.prepare(`DELETE FROM ${t} WHERE version < 0`).run().changes;
    setMeta(db, 'reload', '0');
    return dropped;
  })();
}

/** Re-enrolled: the next epoch starts with the ops of the resend window, sent or not. */
export function rebaseForNewEpoch(db: JournalDb, now: Date, windowDays: number): void {
  const since = new Date(now.getTime() - windowDays * 86_400_000).toISOString();
  const first = db.prepare(`SELECT MIN(seq) AS s FROM ops WHERE created_at >= ? OR sync_state = '${SyncState.pending}'`).get(since) as {
    s: number | null;
  };
  const base = first.s ?? (db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM ops').get() as { s: number }).s;
  setMeta(db, 'seq_base', String(base));
  sendAgain(db, base);
}
