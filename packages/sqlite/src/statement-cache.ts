/** Statements prepared once per SQL text, for the desk's journal and the virtual register alike. */
import type { Database, Statement } from './database.ts';

/**
 * Every statement is prepared once and reused: the hot paths (a payment, a receipt, a push, a
 * pull page) run the same few SQL texts thousands of times, and preparing costs more than running them.
 * Safe because nothing here iterates a statement while running it again, or changes its mode.
 */
export function cacheStatements(db: Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Statement>();
  db.prepare = <P extends unknown[]>(sql: string): Statement<P> => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}
