/**
 * The sync protocol version each desk last spoke (issue 20 item 4): during an upgrade the back office
 * shows the desks still on the previous version, which the server keeps accepting until they are updated.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(db, `ALTER TABLE desks ADD COLUMN protocol_version integer;`);
}
