/**
 * Issue 20 item 4: a server rolled back after an upgrade must not run on a database migrated by a newer
 * version. It refuses to start, naming the migrations it does not know and what to do.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, type OpenDatabase } from './database.ts';
import { pgliteTestDb } from '../testing/test-db.ts';

let open: OpenDatabase | undefined;
afterEach(async () => {
  await open?.close();
});

describe('a database newer than the server', () => {
  it('is refused with the unknown migrations named, and nothing is migrated', async () => {
    open = await pgliteTestDb();
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', now()::text)`.execute(open.db);
    await expect(migrate(open.db)).rejects.toThrow(/база данных новее программы.*9999_from_the_future/is);
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration WHERE name = '9999_from_the_future'`.execute(
      open.db,
    );
    expect(rows.rows[0]?.n).toBe(1);
  });
});
