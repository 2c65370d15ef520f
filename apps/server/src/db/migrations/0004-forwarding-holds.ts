/**
 * A third-party payment can be taken out of forwarding for a cash refund at the desk (held), and a
 * refunded one is cancelled — both only before any request left for the provider (issue 16 item 2).
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
ALTER TABLE forwardings DROP CONSTRAINT IF EXISTS forwardings_state_check;
ALTER TABLE forwardings ADD CONSTRAINT forwardings_state_check CHECK (state IN ('queued', 'held', 'sent', 'confirmed', 'failed', 'cancelled'));
ALTER TABLE forwardings ADD COLUMN held_for uuid;
ALTER TABLE forwardings ADD COLUMN held_at timestamptz;
CREATE INDEX forwardings_held ON forwardings (held_at) WHERE state = 'held';
`,
  );
}
