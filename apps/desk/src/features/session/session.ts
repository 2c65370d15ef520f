/**
 * Cashier sessions at the desk. Passwords are checked against the argon2id hashes replicated from
 * the server, so signing in works offline too. Tokens are random and stored hashed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import { AppError } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';
import type { Cashier } from '../payments/prepare.ts';

const SESSION_HOURS = 16;

interface UserRow {
  id: string;
  login: string;
  name: string;
  role: 'cashier' | 'senior_cashier' | 'admin';
  inn: string | null;
  password_hash: string;
  active: number;
  version: string | number;
}

/**
 * What a session remembers of its user's credentials: a hash of the password hash, or for an
 * administrator whose hash desks do not hold, of the row's version (a new password bumps it).
 */
function credentialOf(u: Pick<UserRow, 'password_hash' | 'version'>): string {
  return hashToken(u.password_hash !== '' ? u.password_hash : `version:${String(u.version)}`);
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function cashierOf(u: UserRow): Cashier {
  return { id: u.id, login: u.login, name: u.name, role: u.role, inn: u.inn };
}

const MAX_FAILURES = 10;
/** A hash of no one's password, checked for a login the desk does not know. */
const UNKNOWN_USER_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$Sd2uRLU3RVtBcbHTKv6RbeJxiPxzYM1hfCwEnJXQtjA';
const LOCK_MS = 15 * 60_000;
const LOCKED = 'Слишком много неудачных попыток: вход временно заблокирован';

/**
 * Counts an attempt for a login before its password is checked: SQLite runs the statement whole, so
 * parallel guesses each get their own number (the check itself is async and would otherwise let thirty
 * of them read the same count). A lock that has passed starts the count again. Null: locked now.
 */
function countAttempt(db: JournalDb, login: string, now: Date): number | null {
  const at = now.toISOString();
  const row = db
    .prepare(
      `INSERT INTO login_attempts (login, failed, locked_until) VALUES (?, 1, NULL)
       ON CONFLICT (login) DO UPDATE SET
         failed = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failed + 1 END,
         locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN NULL ELSE locked_until END
       WHERE locked_until IS NULL OR locked_until <= ?
       RETURNING failed`,
    )
    .get(login, at, at, at) as { failed: number } | undefined;
  return row ? row.failed : null;
}

function lockLogin(db: JournalDb, login: string, now: Date): void {
  db.prepare('UPDATE login_attempts SET locked_until = ? WHERE login = ? AND locked_until IS NULL').run(
    new Date(now.getTime() + LOCK_MS).toISOString(),
    login,
  );
}

/**
 * Checks a login and password against the replicated users; used for sign-in and for approvals, which
 * share one count per login: ten failures lock it for fifteen minutes.
 */
/** Asks the server about an administrator whose password hash desks are not given (null: no link, or not this one). */
export type AskServer = (login: string, password: string) => Promise<{ id: string } | null>;

export async function checkCredentials(db: JournalDb, login: string, password: string, now: Date, ask?: AskServer): Promise<Cashier> {
  return (await verifyCredentials(db, login, password, now, ask)).cashier;
}

/** The check itself, with the hash the password was checked against (what a session remembers). */
async function verifyCredentials(
  db: JournalDb,
  login: string,
  password: string,
  now: Date,
  ask?: AskServer,
): Promise<{ cashier: Cashier; credential: string }> {
  const name = login.trim();
  const n = countAttempt(db, name, now);
  if (n === null) throw new AppError('auth.user_locked', LOCKED);
  if (n > MAX_FAILURES) {
    lockLogin(db, name, now);
    throw new AppError('auth.user_locked', LOCKED);
  }
  const u = db.prepare('SELECT * FROM users WHERE login = ?').get(name) as UserRow | undefined;
  let ok: boolean;
  if (u && u.password_hash === '' && u.role === 'admin' && u.active) {
    // An administrator without a point: desks hold no hash of theirs, the server checks (online only).
    if (!ask) throw new AppError('server.unreachable', 'Администратор без пункта входит на кассе только при связи с сервером');
    ok = (await ask(name, password))?.id === u.id;
  } else {
    try {
      // An unknown login costs a hash check too: the answer's time must not say which logins exist.
      ok = (await verify(u?.password_hash || UNKNOWN_USER_HASH, password)) && u !== undefined && u.password_hash !== '';
    } catch {
      ok = false;
    }
  }
  if (!u || !ok) {
    if (n >= MAX_FAILURES) lockLogin(db, name, now);
    const any = db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number };
    if (any.n === 0)
      throw new AppError('desk.reference_not_loaded', 'Список кассиров ещё не загружен с сервера: дождитесь первой синхронизации');
    throw new AppError('auth.invalid_credentials', 'Неверный логин или пароль');
  }
  // A right password clears the count — unless a parallel guess locked the login meanwhile.
  const cleared = db
    .prepare('UPDATE login_attempts SET failed = 0 WHERE login = ? AND (locked_until IS NULL OR locked_until <= ?)')
    .run(name, now.toISOString());
  if (cleared.changes === 0) throw new AppError('auth.user_locked', LOCKED);
  if (!u.active) throw new AppError('auth.user_locked', 'Пользователь заблокирован');
  return { cashier: cashierOf(u), credential: credentialOf(u) };
}

export async function openSession(
  db: JournalDb,
  login: string,
  password: string,
  now: Date,
  ask?: AskServer,
): Promise<{ token: string; cashier: Cashier }> {
  const { cashier, credential } = await verifyCredentials(db, login, password, now, ask);
  const token = `pds_${randomBytes(32).toString('base64url')}`;
  db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at, credential) VALUES (?, ?, ?, ?, ?)').run(
    hashToken(token),
    cashier.id,
    now.toISOString(),
    new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString(),
    credential,
  );
  return { token, cashier };
}

/** The cashier of a session — none once it expired, the user was deactivated or their password changed on the server. */
export function sessionCashier(db: JournalDb, token: string, now: Date): Cashier | null {
  const row = db
    .prepare('SELECT u.*, s.credential FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?')
    .get(hashToken(token), now.toISOString()) as (UserRow & { credential: string | null }) | undefined;
  if (!row || !row.active || row.credential !== credentialOf(row)) return null;
  return cashierOf(row);
}

export function closeSession(db: JournalDb, token: string): void {
  db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
}
