/**
 * Issue 16 item 5 on a real PostgreSQL: a database restored into a new database (CREATE DATABASE …
 * TEMPLATE is the same copy pg_restore makes) is seen as a new incarnation at start.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { postgresTestDb, testPgUrl } from '../testing/test-db.ts';
import { checkIncarnation } from './incarnation.ts';

describe('the server’s incarnation (PostgreSQL)', () => {
  it('a copy of the database is a new incarnation; the original keeps its own', async () => {
    const original = await postgresTestDb();
    const name = `paydesk_copy_${Date.now()}`;
    const admin = new pg.Client({ connectionString: testPgUrl() });
    await admin.connect();
    try {
      const first = await checkIncarnation(original.db, () => undefined);
      const current = (
        await original.db.selectFrom('server_meta').select('value').where('key', '=', 'fingerprint').executeTakeFirstOrThrow()
      ).value;
      const source = (
        await admin.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE datname LIKE 'paydesk_test_%' ORDER BY oid DESC LIMIT 1",
        )
      ).rows[0]?.datname as string;
      await original.db.destroy();
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source}`);
      const url = new URL(testPgUrl());
      url.pathname = `/${name}`;
      const copy = await openDatabase({ url: url.toString() });
      try {
        const lines: string[] = [];
        expect(await checkIncarnation(copy.db, (l) => lines.push(l))).not.toBe(first);
        expect(lines).toHaveLength(1);
        expect(
          (await copy.db.selectFrom('server_meta').select('value').where('key', '=', 'fingerprint').executeTakeFirstOrThrow()).value,
        ).not.toBe(current);
      } finally {
        await copy.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await original.close().catch(() => undefined);
    }
  });
});
