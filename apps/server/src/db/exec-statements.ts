import { sql, type Kysely } from 'kysely';

/**
 * Runs a migration's SQL one statement at a time: PGlite (like pg with parameters) takes a single
 * statement per query. Statements end with a semicolon at the end of a line.
 */
export async function execStatements(db: Kysely<unknown>, text: string): Promise<void> {
  for (const statement of text.split(/;\s*\n/)) {
    const trimmed = statement.trim();
    if (trimmed) await sql.raw(trimmed).execute(db);
  }
}
