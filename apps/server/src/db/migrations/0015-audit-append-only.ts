/**
 * The audit log is append-only for everyone who goes through the database's rules (issue 18 item 6):
 * UPDATE, DELETE and TRUNCATE are refused by triggers. An entry made with the server's audit key says so
 * (`keyed`): its hash is an HMAC, which nobody without the key can forge after editing it.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
ALTER TABLE audit_log ADD COLUMN keyed boolean NOT NULL DEFAULT false;
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END; $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`,
  );
}
