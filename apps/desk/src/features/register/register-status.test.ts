/**
 * Issue 16 item 7: a register status read that fails must not be served as if it were current, must
 * not fire a new read on every look at the status, and must not wait behind a stuck operation.
 */
import { describe, expect, it } from 'vitest';
import { FiscalError, type FiscalRegister, type RegisterStatus } from '@paydesk/fiscal';
import type { FiscalRunner } from '../fiscal/fiscal-runner.ts';
import { RegisterStatusCache } from './register-status.ts';

const ok: RegisterStatus = {
  driver: 'atol',
  connected: true,
  model: 'АТОЛ',
  serialNumber: '1',
  shift: { state: 'open', number: 3, openedAt: null, expiresAt: null },
  paperPresent: true,
  coverOpen: false,
  receiptOpen: false,
  drawerKop: 1_000_00,
  fn: { number: '9999', validUntil: null, warnings: [] },
  ofd: { unsentCount: 0, oldestUnsentAt: null },
  lastDocumentNumber: 10,
};

function fakeRunner(status: () => Promise<RegisterStatus>, busy = { now: false }): FiscalRunner & { reads: number } {
  const r = {
    reads: 0,
    get busy() {
      return busy.now;
    },
    async read<T>(fn: (reg: FiscalRegister) => Promise<T>): Promise<T> {
      r.reads++;
      return fn({ status } as unknown as FiscalRegister);
    },
  };
  return r as unknown as FiscalRunner & { reads: number };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('the register status the desk shows', () => {
  it('a failed read shows the register as not answering, not the last good status', async () => {
    let fail = false;
    const cache = new RegisterStatusCache(
      fakeRunner(async () => {
        if (fail) throw new FiscalError('unavailable', 'таймаут');
        return ok;
      }),
      0,
    );
    expect((await cache.refresh())?.connected).toBe(true);
    fail = true;
    const after = await cache.refresh();
    expect(after?.connected).toBe(false);
    expect(cache.get()?.connected).toBe(false);
    expect(cache.lastError()).toContain('таймаут');
  });

  it('a failing device is asked again only after a pause, however often the status is looked at', async () => {
    const runner = fakeRunner(async () => {
      throw new FiscalError('unavailable', 'нет связи');
    });
    const cache = new RegisterStatusCache(runner, 10);
    await cache.refresh();
    const before = runner.reads;
    for (let i = 0; i < 50; i++) {
      cache.get();
      await tick();
    }
    expect(runner.reads - before).toBeLessThanOrEqual(2);
  });

  it('a look at the status does not queue behind an operation that holds the register', async () => {
    const busy = { now: true };
    const runner = fakeRunner(async () => ok, busy);
    const cache = new RegisterStatusCache(runner, 0);
    cache.get();
    await tick();
    expect(runner.reads).toBe(0);
    busy.now = false;
    cache.get();
    await tick();
    expect(runner.reads).toBe(1);
  });
});
