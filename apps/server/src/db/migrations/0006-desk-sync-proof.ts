/**
 * Whether a desk has shown this life of the database everything it holds (issue 16 review C): until it
 * has, after a restore, its third-party payments are not forwarded — the desk may have refunded one
 * since the backup, and its reversal is on its way back.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
ALTER TABLE desks ADD COLUMN synced_incarnation text;
ALTER TABLE desks ADD COLUMN reported_acked_seq integer;
`,
  );
}
