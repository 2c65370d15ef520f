/**
 * Issue 19 item 18: the register's tape says what the point is — the header's address is the place of
 * settlement the receipt names, and its time is the organisation's local time, as on the cashier's
 * screen (a desk in Novosibirsk printed Moscow's time, three hours off, under a header of another town).
 */
import { formatLocal } from '@paydesk/fiscal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSetting } from '@paydesk/server/settings';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
const ADDRESS = 'г. Новосибирск, Красный проспект, д. 25';

beforeAll(async () => {
  server = await startTestServer();
  const actor = { type: 'system' as const, id: null };
  await putSetting(server.open.db, 'global', null, 'settlementAddress', ADDRESS, actor);
  await putSetting(server.open.db, 'global', null, 'timeZone', 'Asia/Novosibirsk', actor);
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

describe('the register’s tape and the point', () => {
  it('heads a receipt with the place of settlement and prints the organisation’s local time', async () => {
    await desk.api.ok('POST', '/api/payments', { kind: 'service', items: [{ code: 'COPY_A4', quantity: 1 }], method: 'cash' });
    const { items } = await desk.api.ok<{ items: { type: string; at: string; tape: string }[] }>('GET', '/api/register/tape?limit=5');
    const receipt = items.find((d) => d.type === 'sale');
    expect(receipt).toBeDefined();
    const head = receipt!.tape.split('\n').slice(0, 6).join(' ');
    expect(head).toContain('Новосибирск');
    expect(receipt!.tape).not.toContain('Энск');
    expect(receipt!.tape).toContain(formatLocal(receipt!.at, 'Asia/Novosibirsk'));
  });
});
