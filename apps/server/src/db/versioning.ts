/**
 * Versions and feed positions are handed out in commit order. Every transaction that changes
 * replicated data or the billing feed takes one advisory lock before it stamps rows, and keeps it
 * until it commits; so a reader that has seen version N can never later meet a committed row below
 * N. (Sequences alone hand out numbers before commit, and a late commit would be skipped.) Writers
 * do their other work first and stamp last, so the lock is held only for the stamping and the commit.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

const STAMP_LOCK = 7_331_001;

export async function lockStamping(trx: Transaction<DB> | Kysely<DB>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${STAMP_LOCK})`.execute(trx);
}

/** The next replication version; use only after lockStamping in the same transaction. */
export function nextVersion(): RawBuilder<number> {
  return sql<number>`nextval('ref_version')`;
}

export function nextFeedPosition(): RawBuilder<number> {
  return sql<number>`nextval('feed_position')`;
}

/** The newest version any committed or in-flight transaction has taken. */
export async function currentVersion(db: Kysely<DB> | Transaction<DB>): Promise<number> {
  const r = await sql<{ v: number }>`SELECT last_value AS v FROM ref_version`.execute(db);
  return Number(r.rows[0]?.v ?? 0);
}
