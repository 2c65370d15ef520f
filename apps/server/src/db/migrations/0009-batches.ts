/**
 * Payment batches («пачки оплат»): a point's operating day closed into a numbered batch with totals a
 * billing posts as one document; what arrives for a day already closed goes into a correction batch.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE TABLE batches (
  id uuid PRIMARY KEY,
  point_id uuid NOT NULL REFERENCES points(id),
  day date NOT NULL,
  number integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('day', 'correction')),
  closed_at timestamptz NOT NULL DEFAULT now(),
  closed_by text,
  payments_count integer NOT NULL,
  accepted_kop bigint NOT NULL,
  commission_kop bigint NOT NULL,
  reversals_count integer NOT NULL,
  reversed_kop bigint NOT NULL,
  UNIQUE (point_id, day, number)
);
CREATE INDEX batches_day ON batches (day);
ALTER TABLE payments ADD COLUMN batch_id uuid REFERENCES batches(id);
ALTER TABLE reversals ADD COLUMN batch_id uuid REFERENCES batches(id);
CREATE INDEX payments_unbatched ON payments (point_id, accepted_at) WHERE batch_id IS NULL;
CREATE INDEX payments_batch ON payments (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX reversals_unbatched ON reversals (reversed_at) WHERE batch_id IS NULL;
`,
  );
}
