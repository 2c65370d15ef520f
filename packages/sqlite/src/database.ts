/**
 * The desk's SQLite: Node's built-in `node:sqlite`, which needs no compiler on the machine it is
 * installed on and ships inside the Node runtime the release carries (Windows included). The class
 * offers the calls the desk's code was written against — prepared statements, `transaction(fn)` that
 * nests as savepoints, `pragma`, an online `backup` — so the rest of the desk does not depend on the
 * binding.
 */
import { existsSync, rmSync } from 'node:fs';
import { DatabaseSync, backup as onlineBackup, type StatementSync } from 'node:sqlite';

/** Numbers, not bigints: the desk never turns on node:sqlite's readBigInts, and counts fit a double. */
export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

/**
 * A prepared statement. Rows come back as `unknown`: the caller says what it selected. Parameters are
 * positional (`?`) or one object for named ones (`@name`, `:name`, `$name`, given without the sign).
 */
export interface Statement<P extends unknown[] = unknown[]> {
  run(...params: P): RunResult;
  get(...params: P): unknown;
  all(...params: P): unknown[];
  iterate(...params: P): IterableIterator<unknown>;
}

export interface DatabaseOptions {
  readonly?: boolean;
  /** Refuse to create the file: a copy that is not there is an error, not a new empty database. */
  fileMustExist?: boolean;
}

export class Database {
  readonly #db: DatabaseSync;
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  #savepoints = 0;

  constructor(
    readonly name: string,
    options: DatabaseOptions = {},
  ) {
    if (options.fileMustExist && name !== ':memory:' && !existsSync(name)) throw new Error(`Нет файла базы SQLite: ${name}`);
    // node:sqlite's defaults are the desk's: foreign keys enforced, double-quoted strings are names only.
    // A busy file is waited for five seconds, as better-sqlite3 did (node:sqlite's default is not to wait).
    this.#db = new DatabaseSync(name, { readOnly: options.readonly ?? false, timeout: 5_000 });
    this.#begin = this.#db.prepare('BEGIN');
    this.#commit = this.#db.prepare('COMMIT');
    this.#rollback = this.#db.prepare('ROLLBACK');
  }

  get open(): boolean {
    return this.#db.isOpen;
  }

  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  prepare<P extends unknown[] = unknown[]>(sql: string): Statement<P> {
    return this.#db.prepare(sql) as unknown as Statement<P>;
  }

  exec(sql: string): this {
    this.#db.exec(sql);
    return this;
  }

  /** `PRAGMA source`: every row, or with `simple` the first column of the first row. */
  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const rows = this.#db.prepare(`PRAGMA ${source}`).all();
    if (!options.simple) return rows;
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first)[0];
  }

  /**
   * `fn` made atomic: one transaction, or a savepoint inside one already open, rolled back when `fn`
   * throws. Synchronous only — an `await` inside would let other work into the transaction.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      if (this.#db.isTransaction) return this.#savepoint(fn, args);
      this.#begin.run();
      try {
        const result = fn(...args);
        if (result instanceof Promise) throw new TypeError('Транзакция SQLite не может ждать: функция вернула Promise');
        // COMMIT itself can fail (a busy database, a deferred constraint) and leave the transaction
        // open: rolled back here too, or every later transaction would nest in it and never commit.
        this.#commit.run();
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#rollback.run();
        throw error;
      }
    };
  }

  #savepoint<A extends unknown[], R>(fn: (...args: A) => R, args: A): R {
    const name = `paydesk_sp_${++this.#savepoints}`;
    this.#db.exec(`SAVEPOINT ${name}`);
    try {
      const result = fn(...args);
      if (result instanceof Promise) throw new TypeError('Транзакция SQLite не может ждать: функция вернула Promise');
      this.#db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    } finally {
      this.#savepoints--;
    }
  }

  /**
   * SQLite's online backup into `file`: a consistent copy while others keep writing. node:sqlite's backup
   * gives up («not an error») when its first step meets a write of this same connection, leaving an empty
   * file: such a copy is thrown away and taken again.
   */
  async backup(file: string, attempts = 5): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await onlineBackup(this.#db, file);
        return;
      } catch (error) {
        rmSync(file, { force: true });
        if (attempt >= attempts) throw error;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
