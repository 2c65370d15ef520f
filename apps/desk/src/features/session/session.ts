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
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function cashierOf(u: UserRow): Cashier {
  return { id: u.id, login: u.login, name: u.name, role: u.role, inn: u.inn };
}

/** Checks a login and password against the replicated users; used for sign-in and for approvals. */
export async function checkCredentials(db: JournalDb, login: string, password: string): Promise<Cashier> {
  const u = db.prepare('SELECT * FROM users WHERE login = ?').get(login.trim()) as UserRow | undefined;
  let ok: boolean;
  try {
    ok = u ? await verify(u.password_hash, password) : false;
  } catch {
    ok = false;
  }
  if (!u || !ok) {
    const any = db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number };
    if (any.n === 0)
      throw new AppError('desk.reference_not_loaded', 'Список кассиров ещё не загружен с сервера: дождитесь первой синхронизации');
    throw new AppError('auth.invalid_credentials', 'Неверный логин или пароль');
  }
  if (!u.active) throw new AppError('auth.user_locked', 'Пользователь заблокирован');
  return cashierOf(u);
}

export async function openSession(db: JournalDb, login: string, password: string, now: Date): Promise<{ token: string; cashier: Cashier }> {
  const cashier = await checkCredentials(db, login, password);
  const token = `pds_${randomBytes(32).toString('base64url')}`;
  db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
    hashToken(token),
    cashier.id,
    now.toISOString(),
    new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString(),
  );
  return { token, cashier };
}

export function sessionCashier(db: JournalDb, token: string, now: Date): Cashier | null {
  const row = db
    .prepare('SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?')
    .get(hashToken(token), now.toISOString()) as UserRow | undefined;
  if (!row || !row.active) return null;
  return cashierOf(row);
}

export function closeSession(db: JournalDb, token: string): void {
  db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
}
