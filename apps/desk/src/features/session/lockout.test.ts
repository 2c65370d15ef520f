/**
 * Issue 18 item 2 at the desk: sign-in and a senior's approval are counted per login before the password
 * is checked, so parallel guesses lock the login like sequential ones; a lock passes with time.
 */
import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../db/journal-db.ts';
import { checkCredentials, openSession, sessionCashier } from './session.ts';

async function journalWith(login: string, password: string) {
  const db = openJournal(':memory:');
  db.prepare('INSERT INTO users (id, login, name, role, inn, password_hash, active, version) VALUES (?, ?, ?, ?, NULL, ?, 1, 1)').run(
    '0190f0d6-0000-7000-8000-00000000c0de',
    login,
    'Кассир',
    'senior_cashier',
    await hash(password),
  );
  return db;
}

describe('the desk’s sign-in lockout', () => {
  it('thirty wrong passwords at once lock the login; the right one is then refused, also as an approval', async () => {
    const db = await journalWith('senior', 'correct horse battery');
    const now = new Date();
    const guesses = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => openSession(db, 'senior', `wrong-${i}`, now)));
    expect(guesses.every((g) => g.status === 'rejected')).toBe(true);
    await expect(openSession(db, 'senior', 'correct horse battery', now)).rejects.toMatchObject({ code: 'auth.user_locked' });
    await expect(checkCredentials(db, 'senior', 'correct horse battery', now)).rejects.toMatchObject({ code: 'auth.user_locked' });
  });

  it('a lock passes with time, and a right password clears the count', async () => {
    const db = await journalWith('cashier', 'correct horse battery');
    const now = new Date();
    await Promise.allSettled(Array.from({ length: 12 }, (_, i) => openSession(db, 'cashier', `wrong-${i}`, now)));
    const later = new Date(now.getTime() + 3_600_000);
    await expect(openSession(db, 'cashier', 'correct horse battery', later)).resolves.toMatchObject({ cashier: { login: 'cashier' } });
  });
});

describe('a desk session and the user’s credentials', () => {
  it('ends when the password is changed on the server (a new hash arrives by pull) or the user is deactivated', async () => {
    const db = await journalWith('cashier', 'correct horse battery');
    const now = new Date();
    const { token } = await openSession(db, 'cashier', 'correct horse battery', now);
    expect(sessionCashier(db, token, now)).toMatchObject({ login: 'cashier' });
    db.prepare('UPDATE users SET password_hash = ? WHERE login = ?').run(await hash('another long password'), 'cashier');
    expect(sessionCashier(db, token, now)).toBeNull();
    const second = await openSession(db, 'cashier', 'another long password', now);
    db.prepare('UPDATE users SET active = 0 WHERE login = ?').run('cashier');
    expect(sessionCashier(db, second.token, now)).toBeNull();
  });
});

describe('an administrator without a point at the desk', () => {
  it('signs in through the server, and the session ends when the server changes them (a new password bumps the row)', async () => {
    const db = openJournal(':memory:');
    db.prepare('INSERT INTO users (id, login, name, role, inn, password_hash, active, version) VALUES (?, ?, ?, ?, NULL, ?, 1, 7)').run(
      '0190f0d6-0000-7000-8000-00000000ad01',
      'admin',
      'Администратор',
      'admin',
      '',
    );
    const now = new Date();
    const ask = async (login: string, password: string) =>
      login === 'admin' && password === 'correct horse battery' ? { id: '0190f0d6-0000-7000-8000-00000000ad01' } : null;
    await expect(openSession(db, 'admin', 'wrong one here', now, ask)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    const { token } = await openSession(db, 'admin', 'correct horse battery', now, ask);
    expect(sessionCashier(db, token, now)).toMatchObject({ login: 'admin' });
    db.prepare('UPDATE users SET version = 8 WHERE login = ?').run('admin');
    expect(sessionCashier(db, token, now)).toBeNull();
  });
});
