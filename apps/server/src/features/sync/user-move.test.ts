/**
 * Issue 18 item 5: a user moved to another point (and deactivated in the same edit) no longer signs in
 * at the old point's desks: the old point gets a tombstone — the user inactive, no password hash — not
 * silence (a point the user was never at hears nothing of them: security.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { IDS, testServer, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
});
afterEach(async () => {
  await s.close();
});

type Pulled = { cursor: string; changes: { users?: { id: string; login: string; active: boolean; passwordHash: string }[] } };

describe('a user moved to another point', () => {
  it('reaches the old point as a tombstone, and stays one there when it moves on', async () => {
    const admin = s.as(s.adminToken);
    const other = (await admin('POST', '/api/v1/points', { code: 'P2', name: 'Второй пункт' })).json<{ id: string }>();
    const third = (await admin('POST', '/api/v1/points', { code: 'P3', name: 'Третий пункт' })).json<{ id: string }>();
    const created = await admin('POST', '/api/v1/users', {
      login: 'mover',
      name: 'Переезжающий',
      role: 'cashier',
      password: 'pass-1234',
      pointId: IDS.point,
    });
    expect(created.statusCode, created.body).toBe(201);
    const moverId = created.json<{ id: string }>().id;
    const desk = await s.enroll('Касса 1');
    const pull = async (cursor: string, key = desk.deskKey): Promise<Pulled> =>
      (
        await s.app.inject({
          method: 'GET',
          url: `/api/v1/sync/pull?cursor=${cursor}&limit=5000`,
          headers: { authorization: `Bearer ${key}` },
        })
      ).json();
    const first = await pull('0');
    expect(first.changes.users?.find((u) => u.login === 'mover')).toMatchObject({ active: true });

    const moved = await admin('PATCH', `/api/v1/users/${moverId}`, { pointId: other.id, active: false });
    expect(moved.statusCode, moved.body).toBe(200);
    const after = await pull(first.cursor);
    expect(after.changes.users?.find((u) => u.login === 'mover')).toMatchObject({ active: false, passwordHash: '' });

    // Moved on again, active at the new point: the first point still sees it inactive.
    await admin('PATCH', `/api/v1/users/${moverId}`, { pointId: third.id, active: true });
    const later = await pull(after.cursor);
    expect(later.changes.users?.find((u) => u.login === 'mover')).toMatchObject({ active: false, passwordHash: '' });
  });
});

describe('a user locked on the server for wrong passwords', () => {
  it('stays active at desks (they lock on their own): a lock that passes must not leave them out there', async () => {
    const admin = s.as(s.adminToken);
    const created = await admin('POST', '/api/v1/users', {
      login: 'guessed',
      name: 'Угадываемый',
      role: 'cashier',
      password: 'pass-1234',
      pointId: IDS.point,
    });
    const id = created.json<{ id: string }>().id;
    for (let i = 0; i < 12; i++)
      await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'guessed', password: `wrong-${i}-pass` } });
    // Something else changes the user while the lock holds, so the desks pull the row now.
    await admin('PATCH', `/api/v1/users/${id}`, { name: 'Угадываемый И.' });
    const desk = await s.enroll('Касса 1');
    const pulled = (
      await s.app.inject({
        method: 'GET',
        url: '/api/v1/sync/pull?cursor=0&limit=5000',
        headers: { authorization: `Bearer ${desk.deskKey}` },
      })
    ).json() as Pulled;
    expect(pulled.changes.users?.find((u) => u.login === 'guessed')).toMatchObject({ active: true });
  });
});
