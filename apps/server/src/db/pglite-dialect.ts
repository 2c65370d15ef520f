/**
 * Kysely over PGlite: the same SQL as PostgreSQL, in process, persisted to a data folder. PGlite is
 * a single connection, so the "pool" hands it out to one holder at a time; a transaction keeps it
 * from BEGIN to COMMIT and every other query waits its turn.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  PostgresDialect,
  type DatabaseConnection,
  type Dialect,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely';

class Mutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

class PGliteClient implements PostgresPoolClient {
  constructor(
    private readonly db: PGlite,
    private readonly onRelease: () => void,
  ) {}

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: readonly unknown[]): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') throw new Error('PGlite dialect: cursors are not supported');
    return this.db.query<R>(sqlOrCursor, parameters ? [...parameters] : []).then((r) => ({
      // Kysely only needs to know that a statement changed rows to report how many.
      command: r.affectedRows !== undefined && r.affectedRows > 0 ? 'UPDATE' : 'SELECT',
      rowCount: r.affectedRows ?? r.rows.length,
      rows: r.rows,
    }));
  }

  release(): void {
    this.onRelease();
  }
}

class PGlitePool implements PostgresPool {
  private readonly mutex = new Mutex();

  constructor(private readonly db: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    const release = await this.mutex.acquire();
    return new PGliteClient(this.db, release);
  }

  async end(): Promise<void> {
    await this.db.close();
  }
}

export function pgliteDialect(db: PGlite): Dialect {
  return new PostgresDialect({ pool: new PGlitePool(db) });
}

export type { DatabaseConnection };
