/**
 * An import's report read back by its id says all the answer of `wait=true` said (issue 24): the mode,
 * the encoding and delimiter it was read with, the feed position its debts count payments after, and
 * how many charges or meters a snapshot closed.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
ALTER TABLE imports ADD COLUMN mode text NOT NULL DEFAULT 'update' CHECK (mode IN ('update', 'snapshot'));
ALTER TABLE imports ADD COLUMN encoding text CHECK (encoding IN ('utf-8', 'windows-1251'));
ALTER TABLE imports ADD COLUMN delimiter text;
ALTER TABLE imports ADD COLUMN as_of bigint;
ALTER TABLE imports ADD COLUMN closed_rows integer NOT NULL DEFAULT 0;
`,
  );
}
