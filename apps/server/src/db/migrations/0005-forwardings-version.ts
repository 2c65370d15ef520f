/**
 * A pull checks that the desk's cursor is not above every version the server holds (a restore); the
 * newest version of forwardings across all desks needs its own index to be read without a scan.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(db, 'CREATE INDEX forwardings_version ON forwardings (version);');
}
