/**
 * Issue 16 item 7: what an independent ATOL web server showed. Every test runs the driver over HTTP
 * against the ATOL web server simulator (testing/atol-simulator.ts), which behaves as the real one does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { composeReturnReceipt } from '@paydesk/domain';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { FiscalError } from '../port.ts';
import { startAtolSimulator, type AtolSimulator, type AtolSimulatorOptions } from '../testing/atol-simulator.ts';
import { utilityReceipt } from '../testing/register-contract.ts';
import { AtolRegister, type AtolOptions } from './atol-register.ts';
import { receiptTask, type AtolTask } from './atol-mapping.ts';

const cashier = { name: 'Кассир Иванова А.А.', inn: '500100732259' };
let opSeq = 0;
const opId = (): string => `0190f0d6-0000-7000-8000-${String(++opSeq).padStart(12, '0')}`;

interface Rig {
  sim: AtolSimulator;
  device: VirtualRegister;
  atol: AtolRegister;
  warnings: string[];
  /** Another client's request, posted straight to the web server. */
  postForeign: (uuid: string, tasks: AtolTask[]) => Promise<number>;
}
const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.sim.stop();
    await r.device.close();
  }
});

async function rig(simOptions: AtolSimulatorOptions = {}, driverOptions: Record<string, unknown> = {}): Promise<Rig> {
  const device = new VirtualRegister({ file: ':memory:' });
  const sim = await startAtolSimulator(device, simOptions);
  const warnings: string[] = [];
  // Options go through a variable: the driver before the fix did not know some of them.
  const options = {
    url: sim.url,
    pollIntervalMs: 5,
    taskTimeoutMs: 2_000,
    requestTimeoutMs: 2_000,
    startTimeoutMs: 300,
    blockedWaitMs: 2_000,
    readTimeoutMs: 400,
    warn: (m: string) => warnings.push(m),
    ...driverOptions,
  } as AtolOptions;
  const r: Rig = {
    sim,
    device,
    atol: new AtolRegister(options),
    warnings,
    postForeign: async (uuid, tasks) =>
      (await fetch(`${sim.url}/api/v2/requests`, { method: 'POST', body: JSON.stringify({ uuid, request: tasks }) })).status,
  };
  rigs.push(r);
  return r;
}

async function outcomeOf(p: Promise<unknown>): Promise<FiscalError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FiscalError) return e;
    throw e;
  }
  throw new Error('expected a FiscalError');
}

/** Another client's receipt for `rub` rubles (a sell unless told). */
function foreignReceipt(rub: number, type: 'sell' | 'sellReturn' = 'sell'): AtolTask {
  return {
    type,
    taxationType: 'usnIncome',
    operator: { name: 'Чужой кассир' },
    items: [
      { type: 'position', name: 'Чужой товар', price: rub, quantity: 1, amount: rub, paymentObject: 'service', tax: { type: 'none' } },
    ],
    payments: [{ type: 'cash', sum: rub }],
    total: rub,
  };
}

const posts = (sim: AtolSimulator): number => sim.httpSeen().filter((h) => h.method === 'POST' && h.path === '/api/v2/requests').length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('issue 16 item 7: a sum with more than two decimals never jams the desk', () => {
  it('a cash-in the register did, answered with a drawer of 4889.5599999999995, is done: the drawer is rounded to the kopeck, with a warning', async () => {
    const { atol, warnings } = await rig({ oddNumbers: true });
    await atol.openShift(opId(), cashier);
    const r = await atol.cashIn(opId(), cashier, 4_889_56);
    expect(r.drawerKop).toBe(4_889_56);
    expect(warnings.join('\n')).toContain('4889.5599999999995');
  });

  it('status keeps updating with odd counters, and the X report and Z read them to the kopeck', async () => {
    const { atol } = await rig({ oddNumbers: true });
    await atol.openShift(opId(), cashier);
    await atol.cashIn(opId(), cashier, 4_889_56);
    const receipt = utilityReceipt('cash', 210_75);
    const sold = await atol.registerReceipt(receipt);
    expect(sold.totalKop).toBe(725_75);
    const s = await atol.status();
    expect(s.connected).toBe(true);
    expect(s.drawerKop).toBe(4_889_56 + 725_75);
    expect(await atol.xReport(opId(), cashier)).toMatchObject({
      sales: { count: 1, cashKop: 725_75 },
      cashInKop: 4_889_56,
      drawerKop: 4_889_56 + 725_75,
    });
    expect((await atol.closeShift(opId(), cashier)).totals).toMatchObject({ sales: { cashKop: 725_75 }, drawerKop: 4_889_56 + 725_75 });
  });

  it('a receipt the device answers with a total of 725.745 is the 725,75 ₽ receipt', async () => {
    const { atol, warnings } = await rig({ oddNumbers: true });
    await atol.openShift(opId(), cashier);
    const receipt = utilityReceipt('cash', 210_75);
    const sold = await atol.registerReceipt(receipt);
    expect(sold).toMatchObject({ totalKop: 725_75, kind: 'sale' });
    expect(sold.qr).toContain('s=725.75');
    expect(warnings.join('\n')).toContain('725.745');
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: 725_75 })).toMatchObject({
      totalKop: 725_75,
      documentNumber: sold.documentNumber,
    });
  });
});

describe('issue 16 item 7: a request uuid already taken at the device is not taken for this receipt', () => {
  it('a 725,75 ₽ payment whose uuid holds another client’s 1,00 ₽ receipt is refused as not printed under it', async () => {
    const { sim, device, atol } = await rig();
    await atol.openShift(opId(), cashier);
    const receipt = utilityReceipt('cash', 210_75);
    await sim.prefill(receipt.operationId, [foreignReceipt(1)]);
    const e = await outcomeOf(atol.registerReceipt(receipt));
    expect(e).toMatchObject({ code: 'rejected', outcome: 'not_done', vendorCode: 409 });
    expect(e.message).toMatch(/другой документ/);
    expect(device.receipts().map((r) => r.totalKop)).toEqual([1_00]);
    // The desk sees what the device holds under the id: another receipt, for 1,00 ₽.
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: 725_75 })).toMatchObject({
      kind: 'sale',
      totalKop: 1_00,
    });
  });

  it('the same when the web server answers 409 with an error page instead of JSON', async () => {
    const { sim, device, atol } = await rig({ textErrors: true });
    await atol.openShift(opId(), cashier);
    const receipt = utilityReceipt('cash', 210_75);
    await sim.prefill(receipt.operationId, [foreignReceipt(1)]);
    expect(await outcomeOf(atol.registerReceipt(receipt))).toMatchObject({ code: 'rejected', outcome: 'not_done' });
    expect(device.receipts()).toHaveLength(1);
  });

  it('a uuid that holds a cash-in: the receipt is refused, and the lookup says no receipt was printed under it', async () => {
    const { sim, device, atol } = await rig();
    await atol.openShift(opId(), cashier);
    const receipt = utilityReceipt();
    await sim.prefill(receipt.operationId, [{ type: 'cashIn', operator: cashier, cashSum: 1_515 }]);
    expect(await outcomeOf(atol.registerReceipt(receipt))).toMatchObject({ code: 'rejected', outcome: 'not_done' });
    expect(device.receipts()).toHaveLength(0);
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeNull();
  });

  it('a uuid that holds a return of the same sum: the lookup reports a return, not this sale', async () => {
    const { sim, atol } = await rig();
    await atol.openShift(opId(), cashier);
    await atol.registerReceipt(utilityReceipt());
    const receipt = utilityReceipt();
    await sim.prefill(receipt.operationId, [foreignReceipt(1_515, 'sellReturn')]);
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: 1_515_00 })).toMatchObject({
      kind: 'sale_return',
      totalKop: 1_515_00,
    });
    expect(await outcomeOf(atol.registerReceipt(receipt))).toMatchObject({ code: 'rejected', outcome: 'not_done' });
  });

  it('a shift opened under a uuid that holds another request is refused too', async () => {
    const { sim, atol } = await rig();
    await atol.openShift(opId(), cashier);
    await atol.closeShift(opId(), cashier);
    const id = opId();
    await sim.prefill(id, [{ type: 'getShiftStatus' }]);
    expect(await outcomeOf(atol.openShift(id, cashier))).toMatchObject({ code: 'rejected', outcome: 'not_done' });
  });
});

describe('issue 16 item 7: a blocked queue', () => {
  it('a receipt whose link drops after fiscalisation waits for the web server to settle it and comes back done', async () => {
    const { sim, device, atol } = await rig();
    await atol.openShift(opId(), cashier);
    sim.loseLinkOnNextFiscal({ fiscalised: true, ms: 150 });
    const receipt = utilityReceipt();
    const r = await atol.registerReceipt(receipt);
    expect(r).toMatchObject({ kind: 'sale', totalKop: 1_515_00 });
    expect(r.documentNumber).toBe(device.receipts()[0]?.documentNumber);
    expect(device.receipts()).toHaveLength(1);
  });

  it('a receipt blocked longer than the driver waits is unknown; the lookup says "cannot tell" while blocked and finds it once settled', async () => {
    const { sim, device, atol } = await rig({}, { blockedWaitMs: 100 });
    await atol.openShift(opId(), cashier);
    sim.blockNext();
    const receipt = utilityReceipt();
    expect(await outcomeOf(atol.registerReceipt(receipt))).toMatchObject({ code: 'outcome_unknown', outcome: 'unknown' });
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeUndefined();
    sim.release();
    await sleep(60);
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toMatchObject({
      kind: 'sale',
      totalKop: 1_515_00,
      documentNumber: device.receipts()[0]?.documentNumber,
    });
  });

  it('a blocked receipt the device never made, settled by the server as an error: the lookup cannot tell, and the counter shows nothing new', async () => {
    const { sim, device, atol } = await rig({}, { blockedWaitMs: 100 });
    await atol.openShift(opId(), cashier);
    const before = (await atol.lastDocument())?.documentNumber;
    sim.loseLinkOnNextFiscal({ fiscalised: false, ms: 300 });
    const receipt = utilityReceipt();
    expect((await outcomeOf(atol.registerReceipt(receipt))).outcome).toBe('unknown');
    await sleep(350);
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeUndefined();
    expect((await atol.lastDocument())?.documentNumber).toBe(before);
    expect(device.receipts()).toHaveLength(0);
  });

  it('while another request blocks the queue, a receipt is refused as busy without being posted', async () => {
    const { sim, device, atol, postForeign } = await rig();
    await atol.openShift(opId(), cashier);
    sim.blockNext();
    expect(await postForeign('someone-else', [foreignReceipt(1)])).toBe(201);
    const receipt = utilityReceipt();
    expect(await outcomeOf(atol.registerReceipt(receipt))).toMatchObject({ code: 'busy', outcome: 'not_done' });
    expect(sim.requestsSeen().map((r) => r.uuid)).not.toContain(receipt.operationId);
    sim.release();
    await sleep(60);
    await atol.registerReceipt(receipt);
    expect(device.receipts()).toHaveLength(2);
  });

  it('status reads during a long block post nothing to the queue, and status is back as soon as the queue is', async () => {
    const { sim, atol, postForeign } = await rig();
    await atol.openShift(opId(), cashier);
    sim.blockNext();
    await postForeign('someone-else', [foreignReceipt(1)]);
    const before = posts(sim);
    for (let i = 0; i < 3; i++) expect((await atol.status()).connected).toBe(false);
    expect(posts(sim)).toBe(before);
    sim.release();
    await sleep(60);
    const s = await atol.status();
    expect(s).toMatchObject({ connected: true, shift: { state: 'open' } });
    expect(sim.queue().filter((q) => q.types.includes('getDeviceStatus'))).toHaveLength(1);
  });

  it('when the device answers again but the queue is still blocked, status and the last document come from the direct operations', async () => {
    const { sim, atol, postForeign } = await rig({ recheckMs: 1_000 });
    await atol.openShift(opId(), cashier);
    const receipt = utilityReceipt();
    sim.loseLinkOnNextFiscal({ fiscalised: true, ms: 10 });
    await postForeign(receipt.operationId, [receiptTask(receipt)]);
    await sleep(30);
    expect(sim.blocked()).toBe(true);
    const before = posts(sim);
    expect(await atol.status()).toMatchObject({ connected: true, shift: { state: 'open' }, lastDocumentNumber: 2 });
    expect((await atol.lastDocument())?.documentNumber).toBe(2);
    expect(posts(sim)).toBe(before);
  });

  it('a read that stays waiting in the queue is withdrawn, not left to pile up', async () => {
    const { sim, atol, postForeign } = await rig({ taskMs: 1_000 });
    await postForeign('slow', [{ type: 'getDeviceInfo' }]);
    await sleep(20);
    await atol.status();
    const mine = sim.queue().filter((q) => q.uuid !== 'slow');
    expect(mine.length).toBeGreaterThan(0);
    for (const q of mine) expect(q.statuses.every((s) => s === 'canceled')).toBe(true);
  });
});

describe('issue 16 item 7: the last document for the counter check', () => {
  it('reports the last document’s kind and sum, so the desk’s counter check can conclude', async () => {
    const { atol } = await rig();
    const open = await atol.openShift(opId(), cashier);
    expect(await atol.lastDocument()).toMatchObject({ documentNumber: open.documentNumber, kind: 'open_shift', totalKop: null });
    const original = utilityReceipt();
    const sold = await atol.registerReceipt(original);
    expect(await atol.lastDocument()).toMatchObject({
      documentNumber: sold.documentNumber,
      kind: 'sale',
      totalKop: 1_515_00,
      fiscalSign: sold.fiscalSign,
    });
    const back = await atol.registerReceipt(
      composeReturnReceipt(original, { documentNumber: sold.documentNumber, fiscalSign: sold.fiscalSign }, opId(), cashier),
    );
    expect(await atol.lastDocument()).toMatchObject({ documentNumber: back.documentNumber, kind: 'sale_return', totalKop: 1_515_00 });
  });
});

describe('issue 16 item 7: printing a document again from the drive', () => {
  it('reprintDocument(n) prints the document from the fiscal drive (printFnDocument), not only the last one', async () => {
    const { device, atol } = await rig();
    await atol.openShift(opId(), cashier);
    const first = await atol.registerReceipt(utilityReceipt());
    await atol.registerReceipt(utilityReceipt('card'));
    await atol.reprintDocument(first.documentNumber);
    const copy = device.documents({ limit: 100 }).at(-1);
    expect(copy?.tape).toContain('КОПИЯ');
    expect(copy?.tape).toContain(String(first.documentNumber));
    expect(device.receipts()).toHaveLength(2);
  });
});

describe('issue 16 item 7: a lost link is an unknown outcome, settled by the counter', () => {
  it('a receipt the device made but answered with error 241 (link lost) is unknown; the last document shows it, for the counter check', async () => {
    const { sim, atol } = await rig();
    await atol.openShift(opId(), cashier);
    const receipt = utilityReceipt();
    sim.failNext('sell', 241, { executed: true, description: 'Соединение с ККТ потеряно' });
    expect(await outcomeOf(atol.registerReceipt(receipt))).toMatchObject({ code: 'unavailable', outcome: 'unknown', vendorCode: 241 });
    expect(await atol.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeUndefined();
    expect(await atol.lastDocument()).toMatchObject({ documentNumber: 2, kind: 'sale', totalKop: 1_515_00 });
  });

  it('a cash-in answered with error 2 (no link) is unknown, not refused', async () => {
    const { sim, atol } = await rig();
    await atol.openShift(opId(), cashier);
    sim.failNext('cashIn', 2, { executed: true });
    expect(await outcomeOf(atol.cashIn(opId(), cashier, 100_00))).toMatchObject({ code: 'unavailable', outcome: 'unknown' });
  });
});
