/**
 * The database: PostgreSQL through `pg` when DATABASE_URL is set, else PGlite persisted to a data
 * folder (or in memory for tests). Both read bigint as a JS number and DATE as 'YYYY-MM-DD' text, so
 * the rest of the server cannot tell them apart.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { pgliteDialect } from './pglite-dialect.ts';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-imports-staging.ts';
import * as m0003 from './migrations/0003-incarnation.ts';
import * as m0004 from './migrations/0004-forwarding-holds.ts';
import * as m0005 from './migrations/0005-forwardings-version.ts';
import * as m0006 from './migrations/0006-desk-sync-proof.ts';
import * as m0007 from './migrations/0007-api-keys.ts';
import * as m0008 from './migrations/0008-supplier-transfers.ts';
import * as m0009 from './migrations/0009-batches.ts';
import * as m0010 from './migrations/0010-charge-supplier.ts';
import * as m0011 from './migrations/0011-feed-payloads.ts';
import * as m0012 from './migrations/0012-import-report.ts';
import * as m0013 from './migrations/0013-frozen-batches.ts';
import * as m0014 from './migrations/0014-one-import-per-kind.ts';
import * as m0015 from './migrations/0015-audit-append-only.ts';
import * as m0016 from './migrations/0016-user-points.ts';
import * as m0017 from './migrations/0017-desk-protocol.ts';
import * as m0018 from './migrations/0018-corrections.ts';

export type Database = Kysely<DB>;

const INT8 = 20;
const DATE = 1082;

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-imports-staging': m0002,
  '0003-incarnation': m0003,
  '0004-forwarding-holds': m0004,
  '0005-forwardings-version': m0005,
  '0006-desk-sync-proof': m0006,
  '0007-api-keys': m0007,
  '0008-supplier-transfers': m0008,
  '0009-batches': m0009,
  '0010-charge-supplier': m0010,
  '0011-feed-payloads': m0011,
  '0012-import-report': m0012,
  '0013-frozen-batches': m0013,
  '0014-one-import-per-kind': m0014,
  '0015-audit-append-only': m0015,
  '0016-user-points': m0016,
  '0017-desk-protocol': m0017,
  '0018-corrections': m0018,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface DatabaseOptions {
  /** postgres://… — when absent, the embedded PGlite is used. */
  url?: string;
  /** PGlite data folder; absent means in memory. */
  dataDir?: string;
  /** A PGlite snapshot to start from (tests: a migrated template). */
  loadDataDir?: Blob;
  poolSize?: number;
}

export interface OpenDatabase {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** The PGlite instance, for snapshots in tests. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === INT8) return (v: string) => Number(v);
          if (oid === DATE) return (v: string) => v;
          // pg's own parsers for every other type.
          return pg.types.getTypeParser(oid, format) as (v: string) => unknown;
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection PostgreSQL ends (a restart, a failover, pg_terminate_backend) is an 'error'
    // event on the pool; unheard, Node ends the process. The pool has dropped that client already and
    // opens a new one for the next query; a query in flight gets its own error.
    pool.on('error', (e) => {
      process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: `Соединение с PostgreSQL разорвано: ${e.message}` })}\n`);
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [DATE]: (v: string) => v },
  });
  const db = new Kysely<DB>({ dialect: pgliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}

/** How many migrations this code knows: the schema version it writes. */
export const SCHEMA_VERSION = Object.keys(MIGRATIONS).length;

/**
 * A server rolled back after an upgrade must not run on what a newer one migrated: its queries would
 * write rows the newer schema reads differently. Refused before anything is migrated.
 */
async function refuseNewerSchema(db: Database): Promise<void> {
  const table = await sql<{ t: string | null }>`SELECT to_regclass('kysely_migration')::text AS t`.execute(db);
  if (!table.rows[0]?.t) return;
  const done = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
  const unknown = done.rows.map((r) => r.name).filter((n) => !(n in MIGRATIONS));
  if (unknown.length > 0)
    throw new Error(
      `База данных новее программы: миграции ${unknown.join(', ')} этой версией сервера не знает. ` +
        'Запустите версию сервера, которая их сделала, или восстановите базу из копии, снятой перед обновлением (docs/operations.md).',
    );
}

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrate(db: Database): Promise<string[]> {
  await refuseNewerSchema(db);
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
