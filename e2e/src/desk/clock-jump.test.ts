/**
 * Issue 16 item 3: a cashier's PC whose clock jumps (set back years after a dead CMOS battery, moved a
 * day forward by hand) must not stop the desk sending, and the cashier must be told that the clock is
 * wrong rather than the desk minting ids from it silently.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

const YEAR = 365 * 86_400_000;
const realNow = Date.now;
let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>> | null = null;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  Date.now = realNow;
  if (desk) {
    await desk.stop();
    removeDir(desk.dataDir);
    desk = null;
  }
  await server.close();
});

describe('the desk’s clock', () => {
  it('set back a year while offline, the desk still goes online and sends when the server returns', async () => {
    desk = await startTestDesk(server);
    await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    await server.stop();
    await desk.api.waitFor('offline', (s) => !s.online);
    await desk.api.ok('POST', '/api/payments', { kind: 'service', items: [{ code: 'COPY_A4', quantity: 1 }], method: 'cash' });
    await new Promise((r) => setTimeout(r, 300));
    Date.now = () => realNow() - YEAR;
    await server.start();
    const deadline = realNow() + 15_000;
    for (;;) {
      const s = await desk.api.status();
      if (s.online && s.unsentCount === 0) break;
      if (realNow() > deadline)
        throw new Error(
          `the desk did not resume sending after the clock jump: ${JSON.stringify({ online: s.online, unsent: s.unsentCount })}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('a day ahead of the server, the cashier is told to fix the clock', async () => {
    desk = await startTestDesk(server, { clock: () => new Date(realNow() + 86_400_000) });
    const s = await desk.api.waitFor(
      'clock warning',
      (x) => x.online && Boolean((x as { clock?: { warning: string | null } }).clock?.warning),
    );
    const clock = (s as unknown as { clock: { skewMs: number; warning: string } }).clock;
    expect(Math.abs(clock.skewMs - 86_400_000)).toBeLessThan(60_000);
    expect(clock.warning).toMatch(/часы/i);
  });

  it('behind its own last operation, the cashier is told the clock went back', async () => {
    let offset = 0;
    desk = await startTestDesk(server, { clock: () => new Date(realNow() + offset) });
    await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    offset = -2 * YEAR;
    await server.stop();
    const s = await desk.api.waitFor('clock behind the journal', (x) =>
      Boolean((x as { clock?: { warning: string | null } }).clock?.warning),
    );
    expect((s as unknown as { clock: { warning: string } }).clock.warning).toMatch(/назад|раньше/i);
  });
});
