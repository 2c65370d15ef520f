/**
 * Staging tables for billing imports: a file is first validated into these rows, and only a file
 * without errors is applied to the real tables, in chunks.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE UNLOGGED TABLE staging_accounts (
  import_id uuid NOT NULL,
  line integer NOT NULL,
  number text NOT NULL,
  els text, city text, street text, house text, building text, flat text, owner_name text,
  status text NOT NULL,
  PRIMARY KEY (import_id, line)
);
CREATE UNLOGGED TABLE staging_charges (
  import_id uuid NOT NULL,
  line integer NOT NULL,
  account_number text NOT NULL,
  service_code text NOT NULL,
  period text NOT NULL,
  due_kop bigint NOT NULL,
  penalty_kop bigint NOT NULL,
  charge_kop bigint,
  PRIMARY KEY (import_id, line)
);
CREATE UNLOGGED TABLE staging_meters (
  import_id uuid NOT NULL,
  line integer NOT NULL,
  account_number text NOT NULL,
  service_code text NOT NULL,
  serial text NOT NULL,
  digits integer NOT NULL,
  fraction_digits integer NOT NULL,
  verification_due date,
  jump_threshold integer,
  last_value_milli bigint,
  last_date date,
  PRIMARY KEY (import_id, line)
);
`,
  );
}
