/** A fingerprint of everything a request could write: row counts of the record and the version counters. */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

const TABLES = [
  'points',
  'desks',
  'users',
  'suppliers',
  'services',
  'accounts',
  'charges',
  'meters',
  'providers',
  'price_items',
  'settings',
  'ops',
  'payments',
  'payment_lines',
  'readings',
  'reversals',
  'cash_ops',
  'shifts',
  'forwardings',
  'review_items',
  'audit_log',
  'billing_feed',
  'feed_acks',
];

export async function dbSnapshot(db: Database): Promise<string> {
  const counts = await sql<
    Record<string, number>
  >`SELECT ${sql.join(TABLES.map((t) => sql`(SELECT count(*)::int FROM ${sql.table(t)}) AS ${sql.ref(t)}`))}`.execute(db);
  const v = await sql<{ v: number }>`SELECT last_value AS v FROM ref_version`.execute(db);
  const f = await sql<{ v: number }>`SELECT last_value AS v FROM feed_position`.execute(db);
  return `${JSON.stringify(counts.rows[0])};v=${String(v.rows[0]?.v)};f=${String(f.rows[0]?.v)}`;
}
