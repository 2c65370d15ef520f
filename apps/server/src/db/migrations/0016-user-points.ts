/**
 * Every point a user has belonged to (issue 18 item 5): a point a user left gets the user as a tombstone
 * — inactive, no password hash — in its desks' pull, so a move never leaves them able to sign in where
 * they no longer work. Kept by a trigger, so no write path can forget it.
 */
import type { Kysely } from 'kysely';
import { execStatements } from '../exec-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await execStatements(
    db,
    `
CREATE TABLE user_points (user_id uuid NOT NULL, point_id uuid NOT NULL, PRIMARY KEY (user_id, point_id));
INSERT INTO user_points (user_id, point_id) SELECT id, point_id FROM users WHERE point_id IS NOT NULL;
CREATE FUNCTION users_remember_point() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.point_id IS NOT NULL THEN INSERT INTO user_points (user_id, point_id) VALUES (NEW.id, NEW.point_id) ON CONFLICT DO NOTHING; END IF; RETURN NEW; END; $$;
CREATE TRIGGER users_point_history AFTER INSERT OR UPDATE OF point_id ON users FOR EACH ROW EXECUTE FUNCTION users_remember_point();
`,
  );
}
