/**
 * The server's incarnation: a random id that changes whenever the database is put back from a backup
 * (see db/incarnation.ts). Desks and billing-feed clients that see it change resync from the server.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE TABLE server_meta (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  );
}
