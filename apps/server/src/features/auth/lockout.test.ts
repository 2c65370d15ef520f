/**
 * Issue 18 item 2: the sign-in lockout holds against parallel guesses. Each attempt is counted before its
 * password is checked, in one statement, so thirty guesses at once cannot all be "the first".
 */
import { hash } from '@node-rs/argon2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { testServer, type TestServer } from '../../testing/fixture.ts';
import { addUser, login } from './users.ts';

let s: TestServer;
beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
});
afterEach(async () => {
  await s.close();
});

describe('the sign-in lockout under parallel guesses', () => {
  it('thirty wrong passwords at once lock the login; the right one is then refused', async () => {
    await addUser(
      s.open.db,
      { login: 'victim', name: 'Жертва', role: 'admin', password: 'correct horse battery' },
      { type: 'system', id: null },
    );
    const guesses = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => login(s.open.db, 'victim', `wrong-${i}`, 8)));
    expect(guesses.every((g) => g.status === 'rejected')).toBe(true);
    const row = await s.open.db
      .selectFrom('users')
      .select(['failed_logins', 'locked_until'])
      .where('login', '=', 'victim')
      .executeTakeFirstOrThrow();
    expect(row.failed_logins).toBeGreaterThanOrEqual(10);
    expect(row.locked_until).not.toBeNull();
    await expect(login(s.open.db, 'victim', 'correct horse battery', 8)).rejects.toMatchObject({ code: 'auth.user_locked' });
  });

  it('when the lock has passed the count starts again: the right password works', async () => {
    await addUser(
      s.open.db,
      { login: 'later', name: 'Позже', role: 'admin', password: 'correct horse battery' },
      { type: 'system', id: null },
    );
    await Promise.allSettled(Array.from({ length: 12 }, (_, i) => login(s.open.db, 'later', `wrong-${i}`, 8)));
    const inAnHour = new Date(Date.now() + 3_600_000);
    await expect(login(s.open.db, 'later', 'wrong-again', 8, inAnHour)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    await expect(login(s.open.db, 'later', 'correct horse battery', 8, inAnHour)).resolves.toMatchObject({ user: { login: 'later' } });
  });
});

describe('password hashes', () => {
  it('are argon2id at OWASP’s minimum (19 MiB, 2 passes, 1 lane), and a weaker one is rehashed at sign-in', async () => {
    await addUser(
      s.open.db,
      { login: 'old', name: 'Старый', role: 'admin', password: 'correct horse battery' },
      { type: 'system', id: null },
    );
    const stored = async () =>
      (await s.open.db.selectFrom('users').select('password_hash').where('login', '=', 'old').executeTakeFirstOrThrow()).password_hash;
    expect(await stored()).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await s.open.db
      .updateTable('users')
      .set({ password_hash: await hash('correct horse battery', { memoryCost: 4096, timeCost: 1 }) })
      .where('login', '=', 'old')
      .execute();
    await login(s.open.db, 'old', 'correct horse battery', 8);
    expect(await stored()).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(login(s.open.db, 'old', 'correct horse battery', 8)).resolves.toMatchObject({ user: { login: 'old' } });
  });
});

describe('the password policy', () => {
  it('refuses a password under 8 characters, a common one and one made of the login, saying why', async () => {
    for (const [password, why] of [
      ['demo', /8/],
      ['password123', /прост/],
      ['qwerty123', /прост/],
      ['ivanov2026', /прост/],
    ] as const) {
      await expect(
        addUser(s.open.db, { login: 'ivanov', name: 'Иванов', role: 'cashier', password }, { type: 'system', id: null }),
        password,
      ).rejects.toMatchObject({
        code: 'validation.failed',
        message: expect.stringMatching(why),
      });
    }
    await expect(
      addUser(s.open.db, { login: 'ivanov', name: 'Иванов', role: 'cashier', password: 'Зелёный чайник 42' }, { type: 'system', id: null }),
    ).resolves.toBeTruthy();
  });
});
