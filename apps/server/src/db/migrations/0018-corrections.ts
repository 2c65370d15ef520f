/**
 * Correction receipts (чек коррекции, issue 21): money a desk took or returned without a receipt, made
 * good by a senior cashier — kept with their basis (tags 1173, 1178, 1179) for the reports.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE TABLE corrections (
  op_id uuid PRIMARY KEY,
  desk_id uuid NOT NULL REFERENCES desks(id),
  number text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('income', 'return')),
  correction_type text NOT NULL CHECK (correction_type IN ('self', 'instruction')),
  base_date date NOT NULL,
  base_number text NOT NULL,
  description text NOT NULL,
  method text NOT NULL CHECK (method IN ('cash', 'card')),
  total_kop bigint NOT NULL CHECK (total_kop > 0),
  supplier_id uuid,
  cashier_id uuid NOT NULL,
  approved_by uuid NOT NULL,
  shift_number integer NOT NULL,
  fiscal jsonb NOT NULL,
  made_at timestamptz NOT NULL
);
CREATE INDEX corrections_desk ON corrections (desk_id, made_at);
`,
  );
}
