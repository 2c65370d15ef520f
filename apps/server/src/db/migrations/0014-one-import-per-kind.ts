/**
 * One import of a kind at a time (issue 18 item 7): two charges files applying at once would each count
 * the other's rows as changed and, as snapshots, close each other's charges. Imports a stopped server
 * left running are failed first, so the index can be made.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
UPDATE imports SET status = 'failed', finished_at = now() WHERE status IN ('validating', 'applying');
CREATE UNIQUE INDEX imports_one_running ON imports (kind) WHERE status IN ('validating', 'applying');
`,
  );
}
