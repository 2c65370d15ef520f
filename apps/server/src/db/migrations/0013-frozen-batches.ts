/**
 * A batch's registries as they were at its closing (issue 24, a helper's attack): the lines of each of
 * its suppliers and the supplier as it then was, and the billing's totals, so an accounts import, a
 * supplier's edit or a payment arriving after its reversal never rewrites a registry already sent.
 * Batches closed before this migration stay read live (`frozen` false).
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
ALTER TABLE batches ADD COLUMN frozen boolean NOT NULL DEFAULT false;
ALTER TABLE batches ADD COLUMN billing jsonb;
CREATE TABLE batch_suppliers (
  batch_id uuid NOT NULL REFERENCES batches(id),
  supplier_id uuid NOT NULL,
  name text NOT NULL,
  inn text NOT NULL,
  account text,
  PRIMARY KEY (batch_id, supplier_id)
);
CREATE TABLE batch_registry_lines (
  batch_id uuid NOT NULL REFERENCES batches(id),
  supplier_id uuid NOT NULL,
  line_no integer NOT NULL,
  reversal boolean NOT NULL,
  line jsonb NOT NULL,
  PRIMARY KEY (batch_id, supplier_id, line_no)
);
`,
  );
}
