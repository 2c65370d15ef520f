/**
 * Attack on issue 18 item 5 (a user who leaves a point reaches it as a tombstone): paths by which a user
 * stops being pulled at all, so the old point's desks keep the last row they had — active, with its hash.
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

describe('attack: a user leaves a point without a tombstone', () => {
  it('a cashier made an integrator (and deactivated in the same edit) is told to the desk as inactive', async () => {
    const admin = s.as(s.adminToken);
    const created = await admin('POST', '/api/v1/users', {
      login: 'turncoat',
      name: 'Бывший кассир',
      role: 'cashier',
      password: 'pass-1234',
      pointId: IDS.point,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const desk = await s.enroll('Касса 1');
    const pull = async (cursor: string): Promise<Pulled> =>
      (
        await s.app.inject({
          method: 'GET',
          url: `/api/v1/sync/pull?cursor=${cursor}&limit=5000`,
          headers: { authorization: `Bearer ${desk.deskKey}` },
        })
      ).json();
    const first = await pull('0');
    expect(first.changes.users?.find((u) => u.id === id)).toMatchObject({ active: true });

    const edited = await admin('PATCH', `/api/v1/users/${id}`, { role: 'integrator', active: false });
    expect(edited.statusCode, edited.body).toBe(200);
    const after = await pull(first.cursor);
    // Expected: the desk hears the user is inactive (or a tombstone). Observed: nothing at all — the pull
    // filters role != 'integrator', so the desk keeps the cashier active with the password hash.
    expect(after.changes.users?.find((u) => u.id === id)).toMatchObject({ active: false });
  });
});
