/**
 * The transfer of a day's money to a supplier (the payment order, платёжное поручение): once it is made,
 * the day's registry carries its number and date, so the supplier can match the registry to the bank.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE TABLE supplier_transfers (
  supplier_id uuid NOT NULL REFERENCES suppliers(id),
  day date NOT NULL,
  order_number text NOT NULL,
  order_date date NOT NULL,
  amount_kop bigint NOT NULL CHECK (amount_kop >= 0),
  recorded_by text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (supplier_id, day)
);
`,
  );
}
