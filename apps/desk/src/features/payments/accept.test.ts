/**
 * Issue 17 item 3: a payment's operation id is its idempotency key, and the desk answers a repeated
 * id by the one rule the runner keeps (FiscalRunner.recall): done, answered with the first outcome;
 * another payment under it, refused; failed at the register, tried again under the same id — one
 * payment, one receipt, whichever way it is posted again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { VirtualRegister } from '@paydesk/fiscal';
import { AppError, type ServicePaymentRequest } from '@paydesk/protocol';
import { openJournal, type JournalDb } from '../../db/journal-db.ts';
import type { DeskDeps } from '../../deps.ts';
import { DeskSettings } from '../../desk-settings.ts';
import { AccountStore } from '../accounts/account-store.ts';
import { FiscalRunner } from '../fiscal/fiscal-runner.ts';
import { registerKinds } from '../fiscal/kinds.ts';
import { testCashier } from '../fiscal/testing/service-sale.ts';
import { Journal } from '../journal/journal.ts';
import { FiscalState } from '../journal/lifecycle.ts';
import { RegisterStatusCache } from '../register/register-status.ts';
import { acceptPayment } from './accept.ts';
import type { Cashier } from './prepare.ts';

const cashier: Cashier = { ...testCashier, login: 'cashier', role: 'cashier' };

let db: JournalDb;
let device: VirtualRegister;
let deps: DeskDeps;

beforeEach(async () => {
  db = openJournal(':memory:');
  device = new VirtualRegister({ file: ':memory:', crash: () => undefined });
  await device.openShift(uuidv7(), { name: cashier.name });
  const runner = new FiscalRunner(
    db,
    new Journal(db),
    () => device,
    () => new Date(),
  );
  registerKinds(runner, { db, timeZone: () => 'Europe/Moscow' });
  db.prepare('INSERT INTO price_items (code, name, price_kop, unit, vat, active, version) VALUES (?, ?, ?, ?, ?, 1, 1)').run(
    'COPY',
    'Ксерокопия А4',
    15_00,
    'шт',
    'none',
  );
  // What acceptPayment uses of the desk: the journal, the runner, the register's status, settings and
  // the replica; offline, so nothing is asked of a server.
  deps = {
    db,
    runner,
    registerStatus: new RegisterStatusCache(runner),
    settings: new DeskSettings(db),
    accounts: new AccountStore(db),
    sync: { state: { online: false } },
  } as unknown as DeskDeps;
});

afterEach(async () => {
  db.close();
  await device.close();
});

function copies(quantity: number, opId: string): ServicePaymentRequest {
  return { opId, kind: 'service', method: 'cash', items: [{ code: 'COPY', quantity }] };
}

async function accept(req: ServicePaymentRequest): Promise<Awaited<ReturnType<typeof acceptPayment>> | AppError> {
  try {
    return await acceptPayment(deps, cashier, req);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

const ops = (): number => (db.prepare('SELECT COUNT(*) AS n FROM ops').get() as { n: number }).n;

describe('one payment per operation id', () => {
  it('the same op id posted again is answered with the first outcome: one receipt, one op', async () => {
    const opId = uuidv7();
    const first = await acceptPayment(deps, cashier, copies(2, opId));
    expect(first).toMatchObject({ paymentId: opId, state: FiscalState.done, totalKop: 30_00 });
    const again = await acceptPayment(deps, cashier, copies(2, opId));
    expect(again).toEqual(first);
    expect(device.receipts()).toHaveLength(1);
    expect(ops()).toBe(1);
  });

  it('the same op id with another payment is refused, and nothing is printed for it', async () => {
    const opId = uuidv7();
    const first = await acceptPayment(deps, cashier, copies(1, opId));
    const other = await accept(copies(3, opId));
    expect(other).toBeInstanceOf(AppError);
    expect(other).toMatchObject({ code: 'op.id_reused', message: 'Этот номер операции уже использован для другого платежа' });
    expect(device.receipts()).toHaveLength(1);
    expect(deps.runner.get(opId)).toMatchObject({ state: FiscalState.done, total_kop: first.totalKop });
  });

  it('a payment the register refused is tried again under the same id: the same number, one receipt', async () => {
    const opId = uuidv7();
    device.injectFault({ kind: 'paper_out_before' });
    const refused = await accept(copies(1, opId));
    expect(refused).toMatchObject({ code: 'fiscal.paper_out' });
    const failed = deps.runner.get(opId);
    expect(failed).toMatchObject({ state: FiscalState.failed, attempts: 1 });
    expect(device.receipts()).toHaveLength(0);

    // Another payment under the failed one's id is refused all the same.
    expect(await accept(copies(2, opId))).toMatchObject({ code: 'op.id_reused' });

    device.setPaper(true);
    const retried = await acceptPayment(deps, cashier, copies(1, opId));
    expect(retried).toMatchObject({ paymentId: opId, state: FiscalState.done, number: failed?.number, error: null });
    expect(deps.runner.get(opId)).toMatchObject({ attempts: 2 });
    expect(device.receipts()).toHaveLength(1);
    expect(ops()).toBe(1);
    expect(await acceptPayment(deps, cashier, copies(1, opId))).toEqual(retried);
  });
});
