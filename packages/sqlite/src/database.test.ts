import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from './database.ts';
import { cacheStatements } from './statement-cache.ts';

let dir: string;
let db: Database;
const count = (): number => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paydesk-sqlite-'));
  db = new Database(join(dir, 'a.sqlite'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Database over node:sqlite', () => {
  it('a transaction commits all or nothing; a nested one is a savepoint that rolls back alone', () => {
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    db.transaction(() => {
      insert.run('a');
      expect(() =>
        db.transaction(() => {
          insert.run('b');
          throw new Error('inner');
        })(),
      ).toThrow('inner');
      insert.run('c');
    })();
    expect((db.prepare('SELECT body FROM t ORDER BY id').all() as { body: string }[]).map((r) => r.body)).toEqual(['a', 'c']);
    expect(() =>
      db.transaction(() => {
        insert.run('d');
        insert.run(null); // NOT NULL: the whole transaction goes
      })(),
    ).toThrow(/NOT NULL/);
    expect(count()).toBe(2);
    expect(db.inTransaction).toBe(false);
  });

  it('refuses a transaction function that awaits, and leaves nothing of it', async () => {
    const tx = db.transaction(async () => {
      db.prepare('INSERT INTO t (body) VALUES (?)').run('x');
      await Promise.resolve();
    });
    expect(() => tx()).toThrow(/Promise/);
    expect(count()).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('binds named parameters given without their sign, and answers numbers', () => {
    const r = db.prepare('INSERT INTO t (body) VALUES (@body)').run({ body: 'n' });
    expect(r).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(db.prepare('SELECT id, body FROM t WHERE body = :body').get({ body: 'n' })).toEqual({ id: 1, body: 'n' });
  });

  it('pragma: every row, or the first value with simple', () => {
    expect(db.pragma('journal_mode = WAL')).toEqual([{ journal_mode: 'wal' }]);
    db.pragma('user_version = 7');
    expect(db.pragma('user_version', { simple: true })).toBe(7);
  });

  it('fileMustExist refuses a missing file instead of creating an empty database', () => {
    expect(() => new Database(join(dir, 'missing.sqlite'), { fileMustExist: true })).toThrow(/Нет файла/);
  });

  it('readonly refuses writes', () => {
    db.prepare('INSERT INTO t (body) VALUES (?)').run('r');
    const ro = new Database(join(dir, 'a.sqlite'), { readonly: true });
    try {
      expect(() => ro.prepare('INSERT INTO t (body) VALUES (?)').run('w')).toThrow(/readonly/);
      expect((ro.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(1);
    } finally {
      ro.close();
    }
  });

  it('backup copies the database as it is while it stays open', async () => {
    db.prepare('INSERT INTO t (body) VALUES (?)').run('kept');
    await db.backup(join(dir, 'copy.sqlite'));
    const copy = new Database(join(dir, 'copy.sqlite'), { readonly: true });
    try {
      expect(copy.prepare('SELECT body FROM t').all()).toEqual([{ body: 'kept' }]);
    } finally {
      copy.close();
    }
  });

  it('cacheStatements prepares each SQL text once', () => {
    cacheStatements(db);
    expect(db.prepare('SELECT 1')).toBe(db.prepare('SELECT 1'));
    expect(db.prepare('SELECT 2')).not.toBe(db.prepare('SELECT 1'));
  });
});

describe('Database over node:sqlite, where it differs from better-sqlite3 (a helper’s review)', () => {
  it('a COMMIT that fails rolls the transaction back: the next transaction commits on its own', () => {
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    db.exec('CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    // A deferred foreign key is checked at COMMIT: the COMMIT fails, SQLite keeps the transaction open.
    expect(() => db.transaction(() => db.prepare('INSERT INTO child (parent) VALUES (?)').run(42))()).toThrow(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    db.transaction(() => db.prepare('INSERT INTO t (body) VALUES (?)').run('after'))();
    expect(db.inTransaction).toBe(false);
    // Committed for real: another connection sees it.
    const other = new Database(join(dir, 'a.sqlite'), { readonly: true });
    try {
      expect(other.prepare('SELECT body FROM t').all()).toEqual([{ body: 'after' }]);
      expect((other.prepare('SELECT count(*) AS n FROM child').get() as { n: number }).n).toBe(0);
    } finally {
      other.close();
    }
  });

  it('a backup taken while the same connection keeps writing is always a whole copy', async () => {
    db.exec('PRAGMA journal_mode = WAL');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(`row ${i}`);
    })();
    for (let round = 0; round < 10; round++) {
      let writing = true;
      const writer = (async () => {
        while (writing) {
          db.transaction(() => {
            insert.run('a');
            insert.run('b');
          })();
          await new Promise((r) => setImmediate(r));
        }
      })();
      const file = join(dir, `copy-${round}.sqlite`);
      await db.backup(file);
      writing = false;
      await writer;
      const copy = new Database(file, { readonly: true });
      try {
        const n = (copy.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
        // Rows come in pairs: a copy holds whole transactions only.
        expect(n % 2).toBe(0);
        expect(n).toBeGreaterThanOrEqual(20_000);
      } finally {
        copy.close();
      }
    }
  }, 60_000);
});
