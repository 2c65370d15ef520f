/**
 * PostgreSQL restarted, failed over or an administrator's pg_terminate_backend: the idle connections
 * of the server's pool die. The pool must drop them and open new ones — not let the dead client's
 * error go unheard, which in Node ends the server's process.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from './database.ts';
import { postgresTestUrl } from '../testing/test-db.ts';

let db: Awaited<ReturnType<typeof postgresTestUrl>> | undefined;
let open: OpenDatabase | undefined;

afterAll(async () => {
  await open?.close();
  await db?.drop();
});

describe('the server’s pool when PostgreSQL drops its connections', () => {
  it('survives its idle connections being terminated and answers the next query', async () => {
    db = await postgresTestUrl();
    open = await openDatabase({ url: db.url, poolSize: 3 });
    await Promise.all([1, 2, 3].map(() => sql`SELECT pg_sleep(0.05)`.execute(open!.db)));
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const r = await sql<{ n: number }>`SELECT 1 AS n`.execute(open.db);
    expect(r.rows[0]?.n).toBe(1);
  });
});
