/**
 * People: administrators, senior cashiers, cashiers and integrations. Passwords are argon2id; a
 * login that fails ten times in a row locks the user for fifteen minutes. On the first start with an
 * empty database the `admin` user is created with PAYDESK_ADMIN_PASSWORD, or a generated password
 * that is printed once.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@paydesk/protocol';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { UserRole } from '../../db/schema.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';
import { checkPasswordPolicy } from '../../security/password-policy.ts';
import { hashPassword, needsRehash, newPassword, newSessionToken, sha256, verifyPassword } from '../../security/secrets.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Actor } from '../desks/desks.ts';

const MAX_FAILURES = 10;
const LOCK_MS = 15 * 60_000;

export interface NewUser {
  login: string;
  name: string;
  role: UserRole;
  password: string;
  inn?: string | null;
  pointId?: string | null;
}

export async function addUser(db: Database, u: NewUser, actor: Actor): Promise<string> {
  checkPasswordPolicy(u.password, [u.login, u.name]);
  const passwordHash = await hashPassword(u.password);
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('users').select('id').where('login', '=', u.login).executeTakeFirst();
    if (exists) throw new AppError('conflict', `Пользователь ${u.login} уже есть`);
    await lockStamping(trx);
    await trx
      .insertInto('users')
      .values({
        id,
        login: u.login,
        name: u.name,
        role: u.role,
        password_hash: passwordHash,
        inn: u.inn ?? null,
        point_id: u.pointId ?? null,
        locked_until: null,
        version: nextVersion(),
      })
      .execute();
    await appendAudit(trx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'user.add',
      target: id,
      details: { login: u.login, role: u.role },
    });
  });
  return id;
}

export async function setPassword(db: Database, userId: string, password: string, actor: Actor): Promise<void> {
  const user = await db.selectFrom('users').select(['login', 'name']).where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('not_found', 'Пользователь не найден');
  checkPasswordPolicy(password, [user.login, user.name]);
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    const r = await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null, version: nextVersion() })
      .where('id', '=', userId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found', 'Пользователь не найден');
    await trx
      .updateTable('sessions')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    await appendAudit(trx, { actorType: actor.type, actorId: actor.id, action: 'user.password_reset', target: userId });
  });
}

export async function login(
  db: Database,
  loginName: string,
  password: string,
  sessionHours: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: string; user: { id: string; login: string; name: string; role: UserRole } }> {
  const user = await checkLogin(db, loginName, password, now);
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + sessionHours * 3_600_000);
  await db
    .insertInto('sessions')
    .values({ token_hash: sha256(token), user_id: user.id, expires_at: expiresAt, revoked_at: null })
    .execute();
  await appendAudit(db, { actorType: 'user', actorId: user.id, action: 'auth.login', target: user.id }, now);
  return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, login: user.login, name: user.name, role: user.role } };
}

/**
 * A login and password checked as a sign-in checks them — the lockout counted, a weak hash rehashed —
 * without a session: for a sign-in, and for a desk asking about an administrator whose hash desks do
 * not hold.
 */
export async function checkLogin(
  db: Database,
  loginName: string,
  password: string,
  now = new Date(),
): Promise<{ id: string; login: string; name: string; role: UserRole; inn: string | null }> {
  const user = await db.selectFrom('users').selectAll().where('login', '=', loginName).executeTakeFirst();
  // The same answer and about the same time whether the login exists or not.
  if (!user) {
    await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$Sd2uRLU3RVtBcbHTKv6RbeJxiPxzYM1hfCwEnJXQtjA', password);
    throw new AppError('auth.invalid_credentials');
  }
  if (!user.active) throw new AppError('auth.user_locked', 'Пользователь заблокирован администратором');
  // The attempt is counted before the password is checked, in one statement: parallel guesses each get
  // their own number, so the eleventh of thirty at once is refused like the eleventh in a row. A lock
  // that has passed starts the count again.
  const attempt = await sql<{ failed_logins: number }>`
    UPDATE users SET
      failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ${now} THEN 1 ELSE failed_logins + 1 END,
      locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ${now} THEN NULL ELSE locked_until END
    WHERE id = ${user.id} AND (locked_until IS NULL OR locked_until <= ${now})
    RETURNING failed_logins`.execute(db);
  const n = attempt.rows[0]?.failed_logins;
  if (n === undefined) throw new AppError('auth.user_locked', 'Слишком много неудачных попыток: вход временно заблокирован');
  const lock = async (): Promise<void> => {
    await db
      .updateTable('users')
      .set({ locked_until: new Date(now.getTime() + LOCK_MS) })
      .where('id', '=', user.id)
      .where('locked_until', 'is', null)
      .execute();
  };
  if (n > MAX_FAILURES) {
    await lock();
    throw new AppError('auth.user_locked', 'Слишком много неудачных попыток: вход временно заблокирован');
  }
  if (!(await verifyPassword(user.password_hash, password))) {
    if (n >= MAX_FAILURES) await lock();
    throw new AppError('auth.invalid_credentials');
  }
  // A right password clears the count — unless a parallel guess locked the login meanwhile.
  const cleared = await db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', user.id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  if (Number(cleared.numUpdatedRows) === 0)
    throw new AppError('auth.user_locked', 'Слишком много неудачных попыток: вход временно заблокирован');
  if (needsRehash(user.password_hash)) {
    // The password is at hand only now: bring its hash to today's parameters (desks get it by pull).
    const fresh = await hashPassword(password);
    await db.transaction().execute(async (trx) => {
      await lockStamping(trx);
      await trx
        .updateTable('users')
        .set({ password_hash: fresh, version: nextVersion() })
        .where('id', '=', user.id)
        .where('password_hash', '=', user.password_hash)
        .execute();
    });
  }
  return { id: user.id, login: user.login, name: user.name, role: user.role, inn: user.inn };
}

export async function logout(db: Database, token: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('token_hash', '=', sha256(token)).execute();
}

/** Creates the first administrator on an empty database; returns the generated password, if any. */
export async function ensureAdmin(db: Database, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
  const any = await db.selectFrom('users').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst();
  if (any) return { created: false };
  const generated = password ? undefined : newPassword();
  await addUser(
    db,
    { login: 'admin', name: 'Администратор', role: 'admin', password: password ?? (generated as string) },
    { type: 'system', id: null },
  );
  return generated ? { created: true, generatedPassword: generated } : { created: true };
}
