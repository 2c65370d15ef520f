/**
 * The supplier of a charge (issue 24 item 11): one service («содержание жилья») managed by different
 * УК per house. A charge may name its own supplier; without one, the service's supplier is meant.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
ALTER TABLE charges ADD COLUMN supplier_id uuid REFERENCES suppliers(id);
ALTER TABLE staging_charges ADD COLUMN supplier_inn text;
`,
  );
}
