/**
 * Which life of the database this is. A backup put back (pg_restore into a new database, a base
 * backup or point-in-time recovery, a PGlite folder copied back) returns counters, cursors and
 * sequences to an earlier point; whoever remembers a later point — a desk's pull cursor and acked
 * ops, a billing system's feed position — must learn that, or it skips what happens next.
 *
 * The incarnation is a random id kept in the database beside a fingerprint of where the data lives:
 * PostgreSQL's system identifier, the current timeline (a recovery starts a new one) and the
 * database's oid (a restore into a created database gets a new one). At every start the server
 * compares the fingerprint; a different one means the data was restored, and a new incarnation is
 * minted. A restore the fingerprint cannot see (a PGlite folder copied back) is declared with
 * `paydesk-server restored`. Desks also notice a restore by themselves (their cursor or their acked
 * ops ahead of the server), so a missed declaration delays nothing that matters.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from './database.ts';

async function tryRow(db: Database, query: ReturnType<typeof sql>): Promise<string> {
  try {
    const r = await query.execute(db);
    return Object.values((r.rows[0] ?? {}) as Record<string, unknown>)
      .map(String)
      .join('/');
  } catch {
    // pg_control functions need pg_monitor on PostgreSQL; without them the oid still tells a restore.
    return '-';
  }
}

export async function fingerprint(db: Database): Promise<string> {
  const system = await tryRow(db, sql`SELECT system_identifier FROM pg_control_system()`);
  const timeline = await tryRow(db, sql`SELECT timeline_id FROM pg_control_checkpoint()`);
  const oid = await tryRow(db, sql`SELECT oid FROM pg_database WHERE datname = current_database()`);
  return `${system}|${timeline}|${oid}`;
}

export async function incarnation(db: Database): Promise<string> {
  const row = await db.selectFrom('server_meta').select('value').where('key', '=', 'incarnation').executeTakeFirst();
  if (row) return row.value;
  await db
    .insertInto('server_meta')
    .values({ key: 'incarnation', value: randomUUID() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await db.selectFrom('server_meta').select('value').where('key', '=', 'incarnation').executeTakeFirstOrThrow()).value;
}

/** Starts a new incarnation: after a restore, declared by hand or seen by the fingerprint. */
export async function newIncarnation(db: Database, reason: string): Promise<string> {
  const id = randomUUID();
  const print = await fingerprint(db);
  await db.transaction().execute(async (trx) => {
    for (const [key, value] of [
      ['incarnation', id],
      ['incarnation_reason', reason],
      ['fingerprint', print],
    ] as const) {
      await trx
        .insertInto('server_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
        .execute();
    }
  });
  return id;
}

/** At start: the same data where it was, or data put back from a backup (a new incarnation). */
export async function checkIncarnation(db: Database, log: (line: string) => void): Promise<string> {
  const now = await fingerprint(db);
  const stored = await db.selectFrom('server_meta').select('value').where('key', '=', 'fingerprint').executeTakeFirst();
  if (!stored) {
    await db
      .insertInto('server_meta')
      .values({ key: 'fingerprint', value: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return incarnation(db);
  }
  if (stored.value === now) return incarnation(db);
  const id = await newIncarnation(db, `fingerprint ${stored.value} → ${now}`);
  log(
    `База данных восстановлена из копии или перенесена (${stored.value} → ${now}): новое воплощение сервера ${id}; кассы и биллинг досинхронизируются.`,
  );
  return id;
}
