/**
 * Issue 16, adversarial review (guarantee 1: settle-by-hand misuse). KKMServer holds a receipt "running" (Status 1: the device
 * is slow, a printer jam being cleared). The driver answers the cashier "outcome unknown" within
 * seconds, and the runner's own settle says why it cannot tell: "ККТ ещё выполняет эту операцию". The
 * desk nevertheless lets a senior settle it "not done" (fiscal-runner.ts settleByHand: any verdict but
 * done/not_done is overruled). The payer's payment is taken again under a new op id; the device then
 * finishes the first receipt: two fiscal receipts for one payer, and the journal keeps the first one
 * `failed` for ever (nothing re-reads a failed op, though the driver now knows its answer).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { KkmServerRegister, VirtualRegister } from '@paydesk/fiscal';
import { startKkmSimulator, type KkmSimulator } from '@paydesk/fiscal/testing';
import { AppError } from '@paydesk/protocol';
import { openJournal, type JournalDb } from '../../db/journal-db.ts';
import { Journal } from '../journal/journal.ts';
import { FiscalRunner } from './fiscal-runner.ts';
import { registerKinds } from './kinds.ts';
import { serviceSale } from './testing/service-sale.ts';

const senior = '0190a0b0-0000-7000-8000-000000000002';

let db: JournalDb;
let device: VirtualRegister;
let sim: KkmSimulator;
let kkm: KkmServerRegister;
let runner: FiscalRunner;
let stickNextReceipt = false;

beforeEach(async () => {
  db = openJournal(':memory:');
  device = new VirtualRegister({ file: ':memory:' });
  sim = await startKkmSimulator([{ numDevice: 1, register: device }]);
  kkm = new KkmServerRegister({ url: sim.url, pollIntervalMs: 20, answerWithinMs: 400, commandTimeoutS: 1 });
  // The device sticks on the receipt itself (not on the reads before it).
  const wrapped = new Proxy(kkm, {
    get(target, prop) {
      if (prop === 'registerReceipt') {
        return (r: Parameters<KkmServerRegister['registerReceipt']>[0]) => {
          if (stickNextReceipt) {
            stickNextReceipt = false;
            sim.stick();
          }
          return target.registerReceipt(r);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  runner = new FiscalRunner(
    db,
    new Journal(db),
    () => wrapped,
    () => new Date(),
    {},
    () => 'kkmserver',
  );
  registerKinds(runner, { db, timeZone: () => 'Europe/Moscow' });
  await kkm.openShift(uuidv7(), { name: 'Кассир' });
});

afterEach(async () => {
  sim.unstick();
  await sim.stop();
  db.close();
  await device.close();
});

const sale = serviceSale;

async function attempt(fn: () => Promise<{ state: string }>): Promise<string> {
  try {
    return (await fn()).state;
  } catch (e) {
    if (e instanceof AppError) return `${e.code}: ${e.message.slice(0, 120)}`;
    throw e;
  }
}

describe('ATTACK: a senior settles "not done" an operation the device is still running', () => {
  it('the device finishes it afterwards: two receipts for one payer', async () => {
    stickNextReceipt = true;
    const first = sale();
    const a = await attempt(() => runner.run(first));
    expect(a).toMatch(/fiscal.outcome_unknown/);
    expect(runner.get(first.opId)?.unknown_reason ?? '').toMatch(/выполняет|занята|running/i);
    // The senior looks at the device's screen, sees no receipt yet, and settles "not done": accepted.
    const settled = await attempt(() => runner.settleByHand(first.opId, { done: false }, senior));
    // The cashier takes the payment again: a new op id (a definite failure mints a new one in the UI).
    const second = sale();
    sim.unstick();
    let b = '';
    for (let i = 0; i < 20 && b !== 'done'; i++) {
      b = await attempt(() => runner.run(second));
      if (b !== 'done') await new Promise((r) => setTimeout(r, 100));
    }
    const receipts = device.receipts().filter((r) => r.kind === 'sale');
    // The senior is refused while the device is still at it; once it finishes, the desk finds the first
    // receipt itself. Every receipt the device printed belongs to a payment the journal has done.
    expect(settled).toMatch(/^conflict: ККТ ещё выполняет/);
    expect({ second: b, firstInJournal: runner.get(first.opId)?.state, receipts: receipts.length }).toEqual({
      second: 'done',
      firstInJournal: 'done',
      receipts: 2,
    });
  });
});
