/**
 * Issue 16 item 8: an operation whose outcome is unknown is settled by asking the device it was sent
 * to, so the register cannot be swapped while one is open — the new device would not know it, and the
 * payment would be marked failed though printed. Once it is settled, the change is taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DeskApi, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let admin: DeskApi;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  admin = new DeskApi(desk.url);
  await admin.login('admin');
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const atol = { register: { driver: 'atol', url: 'http://127.0.0.1:16732' } };

describe('changing the register while an operation is unsettled', () => {
  it('is refused with the count and what to do; after «Сверить» it is taken', async () => {
    await desk.api.ok('POST', '/api/test/register-fault', { kind: 'lose_answer', silentFor: 1 });
    const paid = await desk.api.call<{ code?: string }>('POST', '/api/payments', {
      opId: uuidv7(),
      kind: 'service',
      items: [{ code: 'COPY_A4', quantity: 1 }],
      method: 'cash',
    });
    expect(paid.status).toBe(409);
    expect(paid.body.code).toBe('fiscal.outcome_unknown');
    const before = await admin.ok<{ register: { driver: string } }>('GET', '/api/settings');

    const refused = await admin.call<{ code: string; detail: string; open: number }>('PUT', '/api/settings', atol);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'conflict', open: 1 });
    expect(refused.body.detail).toContain('Сверить');
    expect((await admin.ok<{ register: { driver: string } }>('GET', '/api/settings')).register.driver).toBe(before.register.driver);

    await desk.api.ok('POST', '/api/register/reconcile');
    expect((await desk.api.ok<{ unresolved: unknown[] }>('GET', '/api/register/unresolved')).unresolved).toEqual([]);
    const taken = await admin.call<{ restartNeeded: boolean }>('PUT', '/api/settings', atol);
    expect(taken.status).toBe(200);
    expect(taken.body.restartNeeded).toBe(true);
    expect((await admin.ok<{ register: { driver: string } }>('GET', '/api/settings')).register.driver).toBe('atol');
  });
});
