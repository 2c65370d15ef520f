/**
 * Issue 20 item 4: desks are upgraded point by point, so the server speaks the current sync protocol and
 * the one before it. A desk of the previous version pushes and pulls as it always did and is answered in
 * its own version; the back office sees which desks still speak it; any other version is refused with
 * the versions the server speaks, and changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@paydesk/protocol';
import { pgliteTestDb } from '../../testing/test-db.ts';
import { billingBody, testServer, type TestDesk, type TestServer } from '../../testing/fixture.ts';

let s: TestServer;
beforeEach(async () => {
  s = await testServer(await pgliteTestDb());
});
afterEach(async () => {
  await s.close();
});

const PREVIOUS = PROTOCOL_VERSION - 1;

const push = (desk: TestDesk, protocolVersion: number) =>
  s.app.inject({
    method: 'POST',
    url: '/api/v1/sync/push',
    headers: { authorization: `Bearer ${desk.deskKey}` },
    payload: { protocolVersion, deskId: desk.deskId, epoch: desk.epoch, ops: [s.op(desk, 'payment.accepted', billingBody())] },
  });
const pull = (desk: TestDesk, query: string) =>
  s.app.inject({ method: 'GET', url: `/api/v1/sync/pull?${query}`, headers: { authorization: `Bearer ${desk.deskKey}` } });
const spoken = async (desk: TestDesk): Promise<number | null> =>
  (await s.open.db.selectFrom('desks').select('protocol_version').where('id', '=', desk.deskId).executeTakeFirstOrThrow()).protocol_version;
const deskList = async (): Promise<{ id: string; protocolVersion?: number | null }[]> =>
  (await s.app.inject({ method: 'GET', url: '/api/v1/desks', headers: { authorization: `Bearer ${s.adminToken}` } })).json<{
    items: { id: string; protocolVersion?: number | null }[];
  }>().items;

describe('the current and the previous sync protocol', () => {
  it('the server speaks exactly the current version and the one before it', () => {
    expect(PREVIOUS).toBeGreaterThanOrEqual(1);
    expect([...SUPPORTED_PROTOCOL_VERSIONS]).toEqual([PREVIOUS, PROTOCOL_VERSION]);
  });

  it('a desk of the previous version pushes and pulls as before, is answered in its version, and shows as such', async () => {
    const desk = await s.enroll();
    const pushed = await push(desk, PREVIOUS);
    expect(pushed.statusCode).toBe(200);
    expect(pushed.json<{ results: { outcome: string }[] }>().results.map((r) => r.outcome)).toEqual(['applied']);
    // The previous version's pull names no version: it is answered in its own.
    const old = await pull(desk, 'cursor=0&limit=10');
    expect(old.statusCode).toBe(200);
    expect(old.json<{ protocolVersion: number }>().protocolVersion).toBe(PREVIOUS);
    expect(await spoken(desk)).toBe(PREVIOUS);
    expect((await deskList()).find((d) => d.id === desk.deskId)?.protocolVersion).toBe(PREVIOUS);
  });

  it('a desk of the current version says so on pull too and is answered in it', async () => {
    const desk = await s.enroll();
    const pulled = await pull(desk, `cursor=0&limit=10&protocol=${PROTOCOL_VERSION}`);
    expect(pulled.statusCode).toBe(200);
    expect(pulled.json<{ protocolVersion: number }>().protocolVersion).toBe(PROTOCOL_VERSION);
    expect(await spoken(desk)).toBe(PROTOCOL_VERSION);
    expect((await push(desk, PROTOCOL_VERSION)).statusCode).toBe(200);
    expect(await spoken(desk)).toBe(PROTOCOL_VERSION);
  });

  it('any other version is refused, naming the versions the server speaks, and changes nothing', async () => {
    const desk = await s.enroll();
    for (const version of [0, PREVIOUS - 1, PROTOCOL_VERSION + 1, 99]) {
      const r = await push(desk, version);
      expect(r.statusCode, `push v${version}`).toBe(400);
      expect(r.json()).toMatchObject({ code: 'sync.protocol_version', supported: [PREVIOUS, PROTOCOL_VERSION] });
      const p = await pull(desk, `cursor=0&protocol=${version}`);
      expect(p.statusCode, `pull v${version}`).toBe(400);
      expect(p.json()).toMatchObject({ code: 'sync.protocol_version' });
    }
    const ops = await s.open.db.selectFrom('ops').select('op_id').execute();
    expect(ops).toEqual([]);
    expect(await spoken(desk)).toBeNull();
  });
});
