/**
 * Issue 16, adversarial review (guarantee 1: exactly one receipt per payment, every fiscalised receipt printed) on the one
 * settle rule (settle.ts), with devices answering in shapes the OddDevice does not try.
 *
 * 1. A device that cannot say its last document number (lastDocument() → null: ATOL's getFnStatus
 *    without fnStatus.fiscalDocumentNumber, a driver that reports "no document" when it cannot read) is
 *    recorded as documentNumber 0 before the call (readMarks) and read as 0 again when settling: "the
 *    number did not move" → not done → the retry prints a second receipt.
 * 2. A receipt fiscalised while the paper ran out, whose answer was lost on a device that forgets ids, is
 *    settled by the counter as printed (resultOfDocument: printed: true): the journal says printed, the
 *    payer got nothing, and the desk does not hold new payments back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { FiscalError, VirtualRegister, type LastDocument } from '@paydesk/fiscal';
import { AppError } from '@paydesk/protocol';
import { openJournal, type JournalDb } from '../../db/journal-db.ts';
import { Journal } from '../journal/journal.ts';
import { FiscalRunner, type NewOperation } from './fiscal-runner.ts';
import { registerKinds } from './kinds.ts';
import { serviceSale } from './testing/service-sale.ts';
import { OddDevice } from './odd-device.ts';

/** An odd device that, in addition, cannot tell its last document number. */
class NoCounterDevice extends OddDevice {
  override async lastDocument(): Promise<LastDocument | null> {
    return null;
  }
}

/** An odd device whose document counter cannot be read after the next `readsBeforeFailing` reads. */
class FlakyCounterDevice extends OddDevice {
  readsBeforeFailing: number | null = null;
  override async lastDocument(): Promise<LastDocument | null> {
    if (this.readsBeforeFailing !== null && this.readsBeforeFailing-- <= 0) {
      this.readsBeforeFailing = null;
      throw new FiscalError('unavailable', 'таймаут чтения');
    }
    return super.lastDocument();
  }
}

let db: JournalDb;
let device: VirtualRegister;
let runner: FiscalRunner;

function setup(odd: OddDevice): void {
  runner = new FiscalRunner(
    db,
    new Journal(db),
    () => odd,
    () => new Date(),
  );
  registerKinds(runner, { db, timeZone: () => 'Europe/Moscow' });
}

beforeEach(async () => {
  db = openJournal(':memory:');
  device = new VirtualRegister({ file: ':memory:', crash: () => undefined });
  await device.openShift(uuidv7(), { name: 'Кассир' });
});

afterEach(async () => {
  db.close();
  await device.close();
});

const sale = serviceSale;

async function attempt(op: NewOperation): Promise<string> {
  try {
    return (await runner.run(op)).state;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

describe('ATTACK: the settle rule against devices it has not met', () => {
  it('a device that cannot say its last document number: a printed receipt is taken as "not done" and printed again', async () => {
    const odd = new NoCounterDevice(device);
    setup(odd);
    const op = sale();
    odd.fault('timeout_after'); // printed, then the link dropped; the device forgets ids
    const first = await attempt(op);
    const second = await attempt(op); // the cashier presses again with the same op id
    expect({ first, second, receipts: device.receipts().length }, 'one payment, two fiscal receipts').toMatchObject({ receipts: 1 });
  });

  it('fiscalised without paper and the answer lost: the journal says printed, the payer has no receipt', async () => {
    const odd = new OddDevice(device);
    setup(odd);
    const op = sale();
    device.injectFault({ kind: 'paper_out_after' });
    odd.fault('timeout_after');
    await attempt(op);
    await attempt(op);
    const truth = device.receipts()[0];
    expect(truth?.printed).toBe(false);
    const row = runner.get(op.opId);
    expect({ state: row?.state, journalPrinted: row?.printed, waitingToPrint: runner.unprinted().map((r) => r.op_id) }).toEqual({
      state: 'done',
      journalPrinted: 0,
      waitingToPrint: [op.opId],
    });
  });

  it('fiscalised without paper, the answer lost, the paper loaded before the settle: still not printed (a helper’s review)', async () => {
    const odd = new FlakyCounterDevice(device);
    odd.remembers = false; // settled by the counter, as KKMServer after a restart
    setup(odd);
    const op = sale();
    device.injectFault({ kind: 'paper_out_after' });
    odd.fault('timeout_after');
    odd.readsBeforeFailing = 1; // the marks before the call are read; the settle right after cannot read: the row waits
    await attempt(op);
    expect(runner.get(op.opId)?.state).not.toBe('done');
    // The cashier loads paper; the device still holds the receipt unprinted until «Допечатать».
    device.setPaper(true);
    await attempt(op);
    expect(device.receipts()[0]?.printed).toBe(false);
    const row = runner.get(op.opId);
    expect({ state: row?.state, journalPrinted: row?.printed, waitingToPrint: runner.unprinted().map((r) => r.op_id) }).toEqual({
      state: 'done',
      journalPrinted: 0,
      waitingToPrint: [op.opId],
    });
  });
});
