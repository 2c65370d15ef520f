/**
 * API keys for machine clients (issue 24 item 8): a billing, a supplier's or a provider's system works
 * with a key limited to a few scopes instead of a person's 12-hour session. Only the key's SHA-256 is
 * kept (the key is 256 random bits, shown once); its first characters identify it in lists.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  scopes jsonb NOT NULL CHECK (jsonb_typeof(scopes) = 'array' AND jsonb_array_length(scopes) > 0 AND scopes <@ '["read", "feed", "imports", "registries", "reconcile"]'::jsonb),
  key_hash text NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by text,
  last_used_at timestamptz
);
CREATE INDEX api_keys_created ON api_keys (created_at DESC);
`,
  );
}
